// Producer acks 0, 1 and -1 against the mock: what the delivery handler reports and what peers then read.
#include "protocol/io/producer.hpp"
#include "tests/integration/io_producer_peers.hpp"

#include <gtest/gtest.h>

#include <map>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

class ProducerAcks : public ::testing::TestWithParam<int> {};

TEST_P(ProducerAcks, EveryRecordArrivesInOrder)
{
    const auto acks = static_cast<std::int16_t>(GetParam());
    const std::string topic = "acks";
    mock_cluster mock{3};
    mock.create_topic(topic, 3);
    boost::asio::io_context ioc;
    std::vector<std::string> lost;
    log::logger log;
    log.sink = [&](log::log_level, std::string_view line) {
        if (line.find("lost") != std::string_view::npos) lost.emplace_back(line);
    };
    auto cluster = io::cluster::create(ioc.get_executor(), mock_cluster_options(mock), log);
    io::producer_options options;
    options.acks = acks;
    options.batch_size = 800;
    auto producer = io::producer::create(cluster, options);

    std::vector<sent_record> sent = acks_records(acks);
    produce_all(*producer, topic, sent);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));

    std::vector<seen_record> seen = consume_with_kcat(mock, topic);
    expect_acks_outcome(acks, sent, seen, mock.bootstrap(), topic, "0.11");
    EXPECT_EQ(producer->outstanding(), 0u);
    // The mock answers even acks=0 requests; those answers must not cost the connection.
    EXPECT_TRUE(lost.empty()) << lost.front();
    producer->stop();
    cluster->shut_down();
}

INSTANTIATE_TEST_SUITE_P(Acks, ProducerAcks, ::testing::Values(0, 1, -1), [](const ::testing::TestParamInfo<int>& acks) {
    return acks.param == 0 ? std::string("none") : acks.param == 1 ? std::string("leader") : std::string("all");
});

} // namespace
} // namespace kspout::testing
