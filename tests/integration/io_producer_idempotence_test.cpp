// The idempotent producer against the mock: a producer id, one copy per record under injected errors, the fallback.
#include "protocol/io/producer.hpp"
#include "tests/integration/io_producer_peers.hpp"

#include <gtest/gtest.h>

#include <map>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

constexpr int request_timed_out = 7;
constexpr int not_leader_for_partition = 6;

class ProducerIdempotence : public ::testing::Test {
protected:
    mock_cluster mock{1};
    boost::asio::io_context ioc;
    std::shared_ptr<io::cluster> cluster;
    std::vector<std::string> log_lines;
    const std::string topic = "once";

    std::shared_ptr<io::producer> make(bool idempotence, std::chrono::milliseconds request_timeout = 5s)
    {
        mock.create_topic(topic, 1);
        cluster = io::cluster::create(ioc.get_executor(), mock_cluster_options(mock));
        io::producer_options options;
        options.retry_backoff = 20ms;
        options.request_timeout = request_timeout;
        options.delivery_timeout = 60s;
        options.idempotence = idempotence;
        log::logger log;
        log.sink = [this](log::log_level, std::string_view line) { log_lines.emplace_back(line); };
        return io::producer::create(cluster, options, log);
    }

    static std::vector<sent_record> records(int count)
    {
        std::vector<sent_record> out(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) out[static_cast<std::size_t>(i)].value = "value-" + std::to_string(i);
        return out;
    }

    // How often each value is in the topic.
    std::map<std::string, int> copies()
    {
        std::map<std::string, int> out;
        for (const auto& r : consume_with_kcat(mock, topic)) ++out[r.value.value_or("")];
        return out;
    }

    bool logged(std::string_view text) const
    {
        return std::any_of(log_lines.begin(), log_lines.end(),
                           [&](const std::string& l) { return l.find(text) != std::string::npos; });
    }
};

TEST_F(ProducerIdempotence, InjectedErrorsOnProduceLeaveOneCopyOfEachRecord)
{
    auto producer = make(true);
    mock.push_errors(wire::api_key::produce, request_timed_out, 3);
    auto sent = records(10);
    produce_all(*producer, topic, sent);
    EXPECT_FALSE(flush_and_wait(ioc, *producer));
    mock.push_errors(wire::api_key::produce, not_leader_for_partition, 3);
    auto more = records(20);
    produce_all(*producer, topic, more, 10);
    EXPECT_FALSE(flush_and_wait(ioc, *producer));
    for (const auto& r : more) EXPECT_FALSE(r.ec) << r.ec.message();
    EXPECT_TRUE(logged("idempotent producer: id ")) << "no producer id was asked for";
    auto seen = copies();
    EXPECT_EQ(seen.size(), 20u);
    for (const auto& [value, n] : seen) EXPECT_EQ(n, 1) << value;
    producer->stop();
    cluster->shut_down();
}

TEST_F(ProducerIdempotence, WithoutInitProducerIdItFallsBackWithANote)
{
    auto producer = make(true);
    mock.disable_api(wire::api_key::init_producer_id); // as a broker before 0.11
    auto sent = records(5);
    produce_all(*producer, topic, sent);
    EXPECT_FALSE(flush_and_wait(ioc, *producer));
    for (const auto& r : sent) EXPECT_FALSE(r.ec) << r.ec.message();
    EXPECT_TRUE(logged("has no InitProducerId (Kafka before 0.11): producing without idempotence"));
    EXPECT_FALSE(logged("idempotent producer: id "));
    EXPECT_EQ(copies().size(), 5u);
    producer->stop();
    cluster->shut_down();
}

} // namespace
} // namespace kspout::testing
