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
    constexpr int total = 600;
    produce_with_kcat(broker.bootstrap(), "balanced-events", total);
    auto ends = end_offsets(broker.bootstrap(), "balanced-events", 6);
    std::int64_t produced = 0;
    for (const auto& [p, end] : ends) produced += end;
    ASSERT_EQ(produced, total);

    group_driver d(broker.bootstrap(), zk, "balanced-events", "g-real-balanced", 6);
    const std::vector<std::int64_t> tasks{1, 2, 3};
    std::vector<group_member*> members;
    for (auto t : tasks) members.push_back(&d.add(t, tasks));

    // Run until a third is acked and the victim holds tuples in flight, then SIGKILL it.
    group_member& victim = *members[1];
    auto deadline = std::chrono::steady_clock::now() + 30s;
    for (int r = 1; std::chrono::steady_clock::now() < deadline; ++r) {
        d.round();
        ASSERT_FALSE(::testing::Test::HasFatalFailure());
        if (r % 5 == 0) d.check_commits();
        if (d.acked_count() >= total / 3 && !victim.in_flight.empty()) break;
    }
    ASSERT_FALSE(victim.in_flight.empty()) << "the victim never held tuples in flight; " << d.errors();
    d.kill(victim);

    EXPECT_TRUE(d.drive_to_end(ends, 45s)) << "acked " << d.acked_count() << " of " << total << "; " << d.errors();
    expect_every_offset_acked(d, ends);
    for (const auto& key : d.lost_in_flight()) {
        EXPECT_TRUE(d.acks().contains(key)) << "lost with the killed task: " << key.first << ":" << key.second;
    }
    EXPECT_GT(d.failed_count(), 0u);
    EXPECT_GT(d.compared(), 0);
    EXPECT_GT(members[0]->emitted, 0u);
    EXPECT_GT(members[2]->emitted, 0u);
    d.leave(*members[0]);
    d.leave(*members[2]);
    EXPECT_EQ(committed_offsets(broker.bootstrap(), "g-real-balanced", "balanced-events", 6), ends);
    EXPECT_TRUE(d.regressions().empty()) << "committed offsets moved back: " << d.regressions().front();
    std::cerr << "[ info ] duplicates emitted: " << d.duplicates() << ", invariant checks: " << d.checks() << "\n";
}

} // namespace
} // namespace kspout::testing
