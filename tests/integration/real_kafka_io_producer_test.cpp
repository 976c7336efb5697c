// Our producer against a real Kafka broker: every codec read back by kcat and kafka-python, acks 0, 1 and all.
#include "tests/integration/io_producer_interop.hpp"
#include "tests/integration/kafka_broker.hpp"

#include <gtest/gtest.h>

#include <map>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

class RealProducerInterop : public ::testing::TestWithParam<codec_case> {};

TEST_P(RealProducerInterop, PeersReadBackExactlyWhatWeProduced)
{
    const codec_case codec = GetParam();
    kafka_broker& broker = shared_kafka_broker();
    const std::string topic = std::string("interop-") + codec.name;
    broker.create_topic(topic, 3);
    boost::asio::io_context ioc;
    check_producer_interop(ioc, broker.bootstrap(), topic, codec, 3, "auto");
}

INSTANTIATE_TEST_SUITE_P(Codecs, RealProducerInterop, every_codec, codec_name);

class RealProducerAcks : public ::testing::TestWithParam<int> {};

TEST_P(RealProducerAcks, EveryRecordArrivesInOrder)
{
    const auto acks = static_cast<std::int16_t>(GetParam());
    kafka_broker& broker = shared_kafka_broker();
    const std::string topic = "acks" + std::to_string(GetParam());
    broker.create_topic(topic, 3);
    boost::asio::io_context ioc;
    std::vector<std::string> lost;
    log::logger log;
    log.sink = [&](log::log_level, std::string_view line) {
        if (line.find("lost") != std::string_view::npos) lost.emplace_back(line);
    };
    auto cluster = io::cluster::create(ioc.get_executor(), test_cluster_options(broker.bootstrap()), log);
    io::producer_options options;
    options.acks = acks;
    options.batch_size = 800;
    auto producer = io::producer::create(cluster, options);

    std::vector<sent_record> sent = acks_records(acks);
    produce_all(*producer, topic, sent);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));

    // With acks=0 the flush completes once the requests are written, before the broker appends
    // them: read until everything is there (or the limit says it never will be).
    std::vector<seen_record> seen = consume_with_kcat(broker.bootstrap(), topic);
    for (auto deadline = std::chrono::steady_clock::now() + 30s;
         acks == 0 && seen.size() < sent.size() && std::chrono::steady_clock::now() < deadline;)
        seen = consume_with_kcat(broker.bootstrap(), topic);
    expect_acks_outcome(acks, sent, seen, broker.bootstrap(), topic, "auto");
    EXPECT_EQ(producer->outstanding(), 0u);
    EXPECT_TRUE(lost.empty()) << lost.front();
    producer->stop();
    cluster->shut_down();
}

INSTANTIATE_TEST_SUITE_P(Acks, RealProducerAcks, ::testing::Values(0, 1, -1),
                         [](const ::testing::TestParamInfo<int>& acks) {
                             return acks.param == 0 ? std::string("none")
                                    : acks.param == 1 ? std::string("leader")
                                                      : std::string("all");
                         });

} // namespace
} // namespace kspout::testing
