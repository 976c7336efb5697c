// The kafka-spout executable against a real Kafka broker, driven like Storm's ShellSpout: static and balanced.
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/group_driver.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <set>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

TEST(RealSpoutStatic, EveryMessageAckedAndTheCommitReachesTheEnd)
{
    kafka_broker& broker = shared_kafka_broker();
    broker.create_topic("static-events", 4);
    produce_with_kcat(broker.bootstrap(), "static-events", 200);
    auto ends = end_offsets(broker.bootstrap(), "static-events", 4);
    std::int64_t total = 0;
    for (const auto& [p, end] : ends) total += end;
    ASSERT_EQ(total, 200);

    temp_dir pid_dir;
    spout_task task(pid_dir, {static_spout_conf(broker.bootstrap(), "static-events", "g-real-static")});
    task.storm().open();
    task.storm().activate();
    auto emits = task.next_until(200, 60s);
    ASSERT_EQ(emits.size(), 200u);

    // Every offset once; the first of each partition fails and must come back before the commit passes it.
    std::set<std::pair<std::int32_t, std::int64_t>> seen;
    std::set<std::string> failed;
    for (const auto& e : emits) {
        auto [p, o] = parse_emit_id(e);
        EXPECT_TRUE(seen.insert({p, o}).second) << "emitted twice: " << *e.id;
        EXPECT_EQ(e.tuple.at(0), "static-events");
        EXPECT_EQ(e.tuple.at(4).get<std::string>().substr(0, 6), "value-");
        if (o == 0) {
            failed.insert(*e.id);
            task.storm().fail(*e.id);
        } else {
            task.storm().ack(*e.id);
        }
    }
    EXPECT_EQ(failed.size(), 4u);
    auto replays = task.next_until(failed.size(), 30s);
    std::set<std::string> replayed;
    for (const auto& e : replays) replayed.insert(*e.id);
    EXPECT_EQ(replayed, failed);
    // Not yet acked: nothing may be committed past offset 0 of any partition.
    for (const auto& [p, committed] : committed_offsets(broker.bootstrap(), "g-real-static", "static-events", 4))
        EXPECT_LE(committed, 0) << "partition " << p;
    for (const auto& id : replayed) task.storm().ack(id);

    bool reached = false;
    for (auto deadline = std::chrono::steady_clock::now() + 30s;
         !reached && std::chrono::steady_clock::now() < deadline;) {
        EXPECT_TRUE(task.next_until(1, 200ms).empty()) << "emitted again after everything was acked";
        reached = committed_offsets(broker.bootstrap(), "g-real-static", "static-events", 4) == ends;
    }
    EXPECT_TRUE(reached) << "committed offsets never reached the end offsets";
    EXPECT_TRUE(exits_zero_after_stdin_closes(task));
}

TEST(RealSpoutBalanced, AtLeastOnceWhenAMemberIsKilled)
{
    kafka_broker& broker = shared_kafka_broker();
    zookeeper_server zk;
    broker.create_topic("balanced-events", 6);
    produce_with_kcat(broker.bootstrap(), "balanced-events", 600);
    expect_at_least_once_across_a_kill(broker.bootstrap(), zk, "balanced-events", 6, 600);
}

// The same in a broker-managed group on KIP-848's protocol: the broker moves the killed task's
// partitions once its session ends (6 s on the test broker), the others commit only what was
// acked, and no committed offset moves back.
TEST(RealSpoutKafkaGroup, AtLeastOnceWhenAMemberIsKilledOnKip848)
{
    kafka_broker& broker = shared_kafka_broker();
    zookeeper_server zk; // not used by kafka assignment; the driver's settings name one
    broker.create_topic("kip848-events", 6);
    produce_with_kcat(broker.bootstrap(), "kip848-events", 600);
    expect_at_least_once_across_a_kill(broker.bootstrap(), zk, "kip848-events", 6, 600,
                                       {{"kafka.spout.assignment", "kafka"}, {"kafka.group.protocol", "consumer"}});
}

} // namespace
} // namespace kspout::testing
