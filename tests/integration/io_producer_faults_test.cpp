// Producer fault handling against the mock: pushed errors, a moved leader, lost connections, a broker outage.
#include "protocol/io/producer.hpp"
#include "tests/integration/io_producer_peers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

constexpr int partition_count = 3;

class ProducerFaults : public ::testing::Test {
protected:
    mock_cluster mock{3};
    boost::asio::io_context ioc;
    std::shared_ptr<io::cluster> cluster;
    std::shared_ptr<io::producer> producer;
    std::vector<std::string> log_lines;
    const std::string topic = "faults";

    void SetUp() override
    {
        mock.create_topic(topic, partition_count);
        cluster = io::cluster::create(ioc.get_executor(), mock_cluster_options(mock));
        io::producer_options options;
        options.retry_backoff = 50ms;
        options.batch_size = 600; // several batches per partition: retries must keep them in order
        options.delivery_timeout = 60s;
        options.request_timeout = 5s;
        log::logger log;
        log.sink = [this](log::log_level, std::string_view line) { log_lines.emplace_back(line); };
        producer = io::producer::create(cluster, options, log);
    }

    void TearDown() override
    {
        producer->stop();
        cluster->shut_down();
    }

    // Keyed so that every partition gets some; values name their order.
    static void add_records(std::vector<sent_record>& records, int count)
    {
        for (int i = 0; i < count; ++i) {
            sent_record r;
            auto n = records.size();
            r.key = "key-" + std::to_string(n % 17);
            r.value = "value-" + std::to_string(n) + std::string(40, 'x');
            records.push_back(std::move(r));
        }
    }

    std::size_t retries_logged(std::string_view reason) const
    {
        return static_cast<std::size_t>(std::count_if(log_lines.begin(), log_lines.end(), [&](const std::string& l) {
            return l.find("retry") != std::string::npos && l.find(reason) != std::string::npos;
        }));
    }

    // Exactly once, in produce() order per partition, as both peers see it.
    void expect_delivered_exactly_once(const std::vector<sent_record>& sent)
    {
        expect_in_order_per_partition(sent);
        expect_seen_exactly(sent, consume_with_kcat(mock, topic), "kcat");
        expect_seen_exactly(sent, consume_with_python(mock, topic), "kafka-python");
    }
};

TEST_F(ProducerFaults, NotLeaderIsRetriedAfterAMetadataRefresh)
{
    mock.push_errors(wire::api_key::produce, 6, 3); // NOT_LEADER_OR_FOLLOWER
    std::vector<sent_record> sent;
    add_records(sent, 60);
    produce_all(*producer, topic, sent);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));
    EXPECT_GE(retries_logged("NOT_LEADER_OR_FOLLOWER"), 1u);
    expect_delivered_exactly_once(sent);
}

TEST_F(ProducerFaults, RequestTimedOutIsRetriedWithBackoff)
{
    mock.push_errors(wire::api_key::produce, 7, 3); // REQUEST_TIMED_OUT
    std::vector<sent_record> sent;
    add_records(sent, 60);
    produce_all(*producer, topic, sent);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));
    EXPECT_GE(retries_logged("REQUEST_TIMED_OUT"), 1u);
    expect_delivered_exactly_once(sent);
}

TEST_F(ProducerFaults, ADroppedConnectionIsRetried)
{
    // The broker closes the connection instead of answering the next two Produce requests.
    mock.push_errors(wire::api_key::produce, mock_cluster::transport_error, 2);
    std::vector<sent_record> sent;
    add_records(sent, 40);
    produce_all(*producer, topic, sent);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));
    EXPECT_GE(retries_logged("retry"), 1u);
    expect_delivered_exactly_once(sent);
}

TEST_F(ProducerFaults, FollowsALeaderThatMoved)
{
    std::vector<sent_record> sent;
    add_records(sent, 30);
    produce_all(*producer, topic, sent);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));

    // Every partition moves to the next broker; the old leaders now answer NOT_LEADER_OR_FOLLOWER.
    ASSERT_NE(cluster->topic(topic), nullptr);
    const std::vector<io::partition_metadata> before = cluster->topic(topic)->partitions;
    ASSERT_EQ(before.size(), static_cast<std::size_t>(partition_count));
    for (const auto& p : before) mock.set_leader(topic, p.partition, p.leader % 3 + 1);
    add_records(sent, 30);
    produce_all(*producer, topic, sent, 30);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));
    EXPECT_GE(retries_logged("NOT_LEADER_OR_FOLLOWER"), 1u);
    for (const auto& p : cluster->topic(topic)->partitions) {
        EXPECT_EQ(p.leader, before[static_cast<std::size_t>(p.partition)].leader % 3 + 1);
    }
    expect_delivered_exactly_once(sent);
}

TEST_F(ProducerFaults, LeaderlessPartitionWaitsForANewLeader)
{
    mock.set_leader(topic, 0, -1);
    std::vector<sent_record> sent;
    add_records(sent, 40);
    for (std::size_t i = 0; i < sent.size(); i += 4) sent[i].partition = 0;
    produce_all(*producer, topic, sent);
    std::optional<std::error_code> flushed;
    producer->flush([&](std::error_code ec) { flushed = ec; });
    // Metadata keeps saying "no leader" for three rounds meanwhile.
    const auto metadata_rounds = producer->rounds().metadata_responses + 3;
    ASSERT_TRUE(run_until(ioc, [&] { return producer->rounds().metadata_responses >= metadata_rounds; }));
    EXPECT_FALSE(flushed.has_value());
    for (std::size_t i = 0; i < sent.size(); i += 4) EXPECT_EQ(sent[i].deliveries, 0) << "record " << i;

    mock.set_leader(topic, 0, 2);
    ASSERT_TRUE(run_until(ioc, [&] { return flushed.has_value(); }));
    EXPECT_FALSE(*flushed);
    EXPECT_EQ(cluster->topic(topic)->partitions[0].leader, 2);
    for (std::size_t i = 0; i < sent.size(); i += 4) EXPECT_EQ(sent[i].delivered_partition, 0) << "record " << i;
    expect_delivered_exactly_once(sent);
}

TEST_F(ProducerFaults, WaitsOutABrokerOutage)
{
    std::vector<sent_record> sent;
    add_records(sent, 30);
    produce_all(*producer, topic, sent);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));

    // Take down the leader of partition 0; leadership does not move in the mock.
    const std::int32_t down = cluster->topic(topic)->partitions[0].leader;
    std::set<std::int32_t> stranded;
    for (const auto& p : cluster->topic(topic)->partitions) {
        if (p.leader == down) stranded.insert(p.partition);
    }
    mock.broker_down(down);
    add_records(sent, 30);
    produce_all(*producer, topic, sent, 30);
    std::optional<std::error_code> flushed;
    producer->flush([&](std::error_code ec) { flushed = ec; });
    // Three attempts meet a refused connection meanwhile.
    const auto produce_rounds = producer->rounds().produce_responses + 3;
    ASSERT_TRUE(run_until(ioc, [&] { return producer->rounds().produce_responses >= produce_rounds; }));
    EXPECT_FALSE(flushed.has_value());
    for (std::size_t i = 30; i < sent.size(); ++i) {
        if (stranded.count(sent[i].delivered_partition)) {
            ADD_FAILURE() << "record " << i << " delivered to partition " << sent[i].delivered_partition
                          << " while its leader was down";
        }
    }
    mock.broker_up(down);
    ASSERT_TRUE(run_until(ioc, [&] { return flushed.has_value(); }));
    EXPECT_FALSE(*flushed);
    std::size_t on_stranded = static_cast<std::size_t>(std::count_if(
        sent.begin() + 30, sent.end(), [&](const sent_record& r) { return stranded.count(r.delivered_partition) > 0; }));
    EXPECT_GT(on_stranded, 0u); // the outage really held records back
    expect_delivered_exactly_once(sent);
}

} // namespace
} // namespace kspout::testing
