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
    io::producer_options options; // sticky by default, as the Java client and librdkafka
    options.linger = 1h;          // batches form only on flush or when full
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

// Records produced in one go share a clock reading a few at a time; a record produced in a later
// handler of the event loop reads the clock afresh, whatever the last burst left unused.
TEST(ProducerTimestamps, ARecordInALaterHandlerReadsTheClockAfresh)
{
    mock_cluster mock{1};
    boost::asio::io_context ioc;
    mock.create_topic("stamped", 1);
    auto c = io::cluster::create(ioc.get_executor(), mock_cluster_options(mock));
    auto p = io::producer::create(c, {});
    std::vector<sent_record> first(1), second(1);
    first[0].value = "first";
    second[0].value = "second";
    produce_all(*p, "stamped", first);
    const std::int64_t after_first = now_ms();
    ASSERT_FALSE(flush_and_wait(ioc, *p));
    while (now_ms() <= after_first) continue; // the clock moves on a millisecond
    produce_all(*p, "stamped", second);
    ASSERT_FALSE(flush_and_wait(ioc, *p));

    auto seen = consume_with_kcat(mock, "stamped");
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].value, "first");
    EXPECT_EQ(seen[1].value, "second");
    EXPECT_LE(seen[0].timestamp, after_first);
    EXPECT_GT(seen[1].timestamp, after_first);
    p->stop();
    c->shut_down();
}

// Each partition's batches go one request at a time (without idempotence); a request carries the
// partitions' batches up to max_request_bytes, and with one request per broker the next waits for
// the answer to the last. Every record arrives either way, in order.
TEST(ProducerRequests, RequestsCarryBatchesUpToTheirBytesOneAtATimeIfAsked)
{
    mock_cluster mock{1};
    boost::asio::io_context ioc;
    mock.create_topic("packed", 4);
    auto c = io::cluster::create(ioc.get_executor(), mock_cluster_options(mock));
    auto run = [&](io::producer_options options) {
        options.linger = 1h;
        options.batch_size = io::batch_overhead + 2 * (34 + 100); // two records of 100 bytes a batch
        auto p = io::producer::create(c, options);
        std::vector<sent_record> sent(4 * 10); // 5 batches per partition
        for (std::size_t i = 0; i < sent.size(); ++i) {
            sent[i].partition = static_cast<std::int32_t>(i % 4);
            sent[i].value = std::string(97, 'r') + std::to_string(100 + i);
        }
        produce_all(*p, "packed", sent);
        EXPECT_FALSE(flush_and_wait(ioc, *p));
        for (const auto& r : sent) EXPECT_FALSE(r.ec) << r.ec.message();
        expect_in_order_per_partition(sent);
        auto requests = p->rounds().produce_responses;
        p->stop();
        return requests;
    };
    io::producer_options one_batch_each;
    one_batch_each.max_request_bytes = 1;
    one_batch_each.max_requests_per_broker = 1;
    EXPECT_EQ(run(one_batch_each), 20u) << "every batch in a request of its own";
    io::producer_options shared;
    EXPECT_LE(run(shared), 10u) << "the partitions' batches share requests";
    c->shut_down();
}

} // namespace
} // namespace kspout::testing
