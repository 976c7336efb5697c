// Our producer against the mock, read back by kcat and kafka-python: every codec, keys, nulls, headers, timestamps.
#include "protocol/io/producer.hpp"
#include "tests/integration/io_producer_interop.hpp"

#include <gtest/gtest.h>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

constexpr int partition_count = 3;

class ProducerInterop : public ::testing::TestWithParam<codec_case> {
protected:
    mock_cluster mock{3};
    boost::asio::io_context ioc;
};

TEST_P(ProducerInterop, PeersReadBackExactlyWhatWeProduced)
{
    const codec_case codec = GetParam();
    const std::string topic = std::string("interop-") + codec.name;
    mock.create_topic(topic, partition_count);
    check_producer_interop(ioc, mock.bootstrap(), topic, codec, partition_count, "0.11");
}

INSTANTIATE_TEST_SUITE_P(Codecs, ProducerInterop, every_codec, codec_name);

TEST(ProducerPartitioning, StickyNullKeysFillOnePartitionPerBatch)
{
    mock_cluster mock{3};
    boost::asio::io_context ioc;
    mock.create_topic("sticky", partition_count);
    auto c = io::cluster::create(ioc.get_executor(), mock_cluster_options(mock));
    io::producer_options options;
    options.null_keys = io::null_key_partitioning::sticky;
    options.linger = 1h; // batches form only on flush or when full
    options.batch_size = 1 << 20;
    auto p = io::producer::create(c, options);

    std::vector<sent_record> sent(20);
    for (std::size_t i = 0; i < sent.size(); ++i) sent[i].value = "sticky " + std::to_string(i);
    produce_all(*p, "sticky", sent);
    ASSERT_FALSE(flush_and_wait(ioc, *p));
    std::set<std::int32_t> partitions;
    for (const auto& r : sent) {
        ASSERT_FALSE(r.ec) << r.ec.message();
        partitions.insert(r.delivered_partition);
    }
    EXPECT_EQ(partitions.size(), 1u); // all in the one batch that flush formed
    expect_in_order_per_partition(sent);
    expect_seen_exactly(sent, consume_with_kcat(mock, "sticky"), "kcat");
    p->stop();
    c->shut_down();
}

} // namespace
} // namespace kspout::testing
