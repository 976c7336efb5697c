// kafka-spout tasks on a real 3-node Kafka cluster: a balanced group while leaders are SIGKILLed, restarted and shut down; a KIP-848 group while its coordinator is SIGKILLed.
#include "tests/integration/group_driver.hpp"
#include "tests/integration/kafka_broker.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <string>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// No commit moves back in the coordinator's own record of them (__consumer_offsets in log order).
// The driver's sampled reads (OffsetFetch through kafka-python) are shown, not asserted: while the
// coordinator moves to another node they once answered an older offset than one read before it.
void expect_no_commit_moved_back(const group_driver& d, const std::string& bootstrap, const std::string& group,
                                 const std::string& topic, const std::map<std::int32_t, std::int64_t>& ends)
{
    auto history = commit_history(bootstrap, group, topic);
    std::map<std::int32_t, std::int64_t> last_stored;
    for (const auto& [p, offsets] : history) last_stored[p] = offsets.back();
    EXPECT_EQ(last_stored, ends) << "the last commit stored per partition";
    auto back = commits_moving_back(history);
    EXPECT_TRUE(back.empty()) << "a stored commit moved back: " << back.front();
    for (const auto& r : d.regressions()) std::cerr << "[ info ] a sampled read answered an older offset: " << r << "\n";
}

long long ms_since(clock::time_point start)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start).count();
}

// Drives rounds of the group, checking the commits every 5 rounds, until `done` holds (tested
// every round) or `limit` passes. Returns whether `done` held.
template <typename Done>
bool drive_until(group_driver& d, Done done, clock::duration limit)
{
    auto deadline = clock::now() + limit;
    for (int r = 1; clock::now() < deadline; ++r) {
        if (done()) return true;
        d.round();
        if (::testing::Test::HasFatalFailure()) return false;
        if (r % 5 == 0) d.check_commits();
    }
    return done();
}

bool led_by(const std::map<std::int32_t, std::int32_t>& leaders, int node)
{
    for (const auto& [p, leader] : leaders) {
        if (leader == node) return true;
    }
    return false;
}

bool every_partition_led(const std::map<std::int32_t, std::int32_t>& leaders, int partitions)
{
    if (static_cast<int>(leaders.size()) != partitions) return false;
    for (const auto& [p, leader] : leaders) {
        if (leader < 0) return false;
    }
    return true;
}

// Replication factor 3 and min.insync.replicas 2, records produced with acks=all (kcat's
// default): a SIGKILLed leader loses no acknowledged record, the new leader holds them all. The
// spout must follow the leaders (fetches and the group coordinator of its commits), and the
// commit must never pass a tuple Storm has not acked.
TEST(RealClusterSpout, AtLeastOnceWhileLeadersAreKilledRestartedAndShutDown)
{
    auto started = clock::now();
    kafka_cluster cluster;
    std::cerr << "[ info ] " << cluster.size() << " Kafka " << cluster.version() << " nodes answered "
              << cluster.start_time().count() << " ms after their JVMs started (" << ms_since(started)
              << " ms with formatting)\n";
    zookeeper_server zk;
    const std::string topic = "replicated";
    constexpr int partitions = 6;
    constexpr int per_phase = 1500;
    cluster.create_topic(topic, partitions, 3, {{"min.insync.replicas", "2"}});
    produce_with_kcat(cluster.bootstrap(), topic, per_phase);

    group_driver d(cluster.bootstrap(), zk, topic, "g-cluster", partitions, {{"kafka.spout.batch.size", 25}});
    const std::vector<std::int64_t> tasks{1, 2, 3};
    for (auto t : tasks) d.add(t, tasks);
    ASSERT_TRUE(drive_until(d, [&] { return d.acked_count() >= per_phase / 5; }, 60s))
        << "acked " << d.acked_count() << "; " << d.errors();

    // 1. SIGKILL the node leading most partitions; keep consuming until its leaderships moved.
    const int victim = cluster.busiest_leader(topic);
    ASSERT_GT(victim, 0);
    auto fault_at = clock::now();
    cluster.kill(victim);
    const auto acked_at_kill = d.acked_count();
    int polls = 0;
    ASSERT_TRUE(drive_until(
        d,
        [&] {
            if (++polls % 10 != 0) return false;
            auto leaders = cluster.leaders(topic);
            return every_partition_led(leaders, partitions) && !led_by(leaders, victim);
        },
        60s))
        << "the leaderships of node " << victim << " never moved";
    std::cerr << "[ info ] node " << victim << " SIGKILLed: leaders moved after " << ms_since(fault_at) << " ms\n";
    produce_with_kcat(cluster.bootstrap(), topic, per_phase, per_phase); // to the new leaders
    ASSERT_TRUE(drive_until(d, [&] { return d.acked_count() >= acked_at_kill + per_phase / 2; }, 60s))
        << "no progress after the kill: acked " << d.acked_count() << "; " << d.errors();

    // 2. Start it again; it catches up and rejoins every ISR while the spout consumes.
    auto restart_at = clock::now();
    cluster.restart(victim);
    polls = 0;
    ASSERT_TRUE(drive_until(
        d,
        [&] {
            if (++polls % 10 != 0) return false;
            auto isr = cluster.in_sync(topic);
            if (static_cast<int>(isr.size()) != partitions) return false;
            for (const auto& [p, nodes] : isr) {
                if (nodes.size() != 3u) return false;
            }
            return true;
        },
        90s))
        << "node " << victim << " never rejoined every ISR";
    std::cerr << "[ info ] node " << victim << " restarted: in every ISR after " << ms_since(restart_at) << " ms\n";

    // 3. A controlled shutdown of the node now leading most partitions: its leaderships move
    // before it exits, so no partition is ever without a leader.
    const int leaving = cluster.busiest_leader(topic);
    ASSERT_GT(leaving, 0);
    auto shutdown_at = clock::now();
    cluster.shut_down(leaving);
    std::cerr << "[ info ] node " << leaving << " shut down cleanly in " << ms_since(shutdown_at) << " ms\n";
    auto leaders = cluster.leaders(topic);
    EXPECT_TRUE(every_partition_led(leaders, partitions) && !led_by(leaders, leaving))
        << "after the controlled shutdown of node " << leaving << " a partition had no leader or still that one";
    produce_with_kcat(cluster.bootstrap(), topic, per_phase, 2 * per_phase);
    const auto acked_at_shutdown = d.acked_count();
    ASSERT_TRUE(drive_until(d, [&] { return d.acked_count() >= acked_at_shutdown + per_phase / 2; }, 60s))
        << "no progress after the controlled shutdown: acked " << d.acked_count() << "; " << d.errors();
    cluster.restart(leaving);

    // kcat may have retried a produce whose answer it lost: the end offsets count what is stored.
    auto ends = end_offsets(cluster.bootstrap(), topic, partitions);
    std::int64_t stored = 0;
    for (const auto& [p, end] : ends) stored += end;
    EXPECT_GE(stored, 3 * per_phase);
    EXPECT_TRUE(d.drive_to_end(ends, 90s)) << "acked " << d.acked_count() << " of " << stored << "; " << d.errors();
    expect_every_offset_acked(d, ends);
    EXPECT_GT(d.failed_count(), 0u);
    EXPECT_GT(d.compared(), 0);
    for (auto* m : d.members()) {
        EXPECT_GT(m->emitted, 0u) << "task " << m->task;
        d.leave(*m);
    }
    EXPECT_EQ(committed_offsets(cluster.bootstrap(), "g-cluster", topic, partitions), ends);
    expect_no_commit_moved_back(d, cluster.bootstrap(), "g-cluster", topic, ends);
    EXPECT_EQ(d.emitted_below_commit(), 0u);
    std::cerr << "[ info ] " << stored << " records, duplicates emitted: " << d.duplicates()
              << " (below a commit already made: " << d.emitted_below_commit() << "), commit checks: " << d.checks() << " ("
              << d.compared() << " comparisons), total " << ms_since(started) << " ms\n";
    if (::testing::Test::HasFailure()) std::cerr << cluster.log();
}

// A KIP-848 group (kafka assignment) whose coordinator node is SIGKILLed: the group's state is in
// __consumer_offsets (replicated), so the members find the new coordinator and go on with their
// epochs and partitions; nothing is lost and no commit passes an unacked tuple or moves back.
TEST(RealClusterSpout, AKip848GroupOutlivesItsCoordinator)
{
    kafka_cluster cluster;
    zookeeper_server zk; // not used by kafka assignment; the driver's settings name one
    const std::string topic = "kip848-coordinated";
    constexpr int partitions = 4;
    constexpr int records = 1200;
    cluster.create_topic(topic, partitions, 3, {{"min.insync.replicas", "2"}});
    produce_with_kcat(cluster.bootstrap(), topic, records);

    group_driver d(cluster.bootstrap(), zk, topic, "g-kip848-cluster", partitions,
                   {{"kafka.spout.batch.size", 10}, {"kafka.spout.assignment", "kafka"}, {"kafka.group.protocol", "consumer"}});
    const std::vector<std::int64_t> tasks{1, 2};
    for (auto t : tasks) d.add(t, tasks);
    ASSERT_TRUE(drive_until(d, [&] { return d.acked_count() >= records / 4; }, 60s))
        << "acked " << d.acked_count() << "; " << d.errors();

    // offsets.topic.num.partitions is 1: the group's coordinator leads __consumer_offsets-0.
    const int coordinator = cluster.leaders("__consumer_offsets").at(0);
    ASSERT_GT(coordinator, 0);
    const auto acked_at_kill = d.acked_count();
    auto fault_at = clock::now();
    cluster.kill(coordinator);
    ASSERT_TRUE(drive_until(d, [&] { return d.acked_count() >= acked_at_kill + records / 4; }, 60s))
        << "no progress after the coordinator died: acked " << d.acked_count() << "; " << d.errors();
    std::cerr << "[ info ] coordinator node " << coordinator << " SIGKILLed; a quarter more acked after "
              << ms_since(fault_at) << " ms\n";

    auto ends = end_offsets(cluster.bootstrap(), topic, partitions);
    EXPECT_TRUE(d.drive_to_end(ends, 90s)) << "acked " << d.acked_count() << "; " << d.errors();
    expect_every_offset_acked(d, ends);
    for (auto* m : d.members()) {
        EXPECT_GT(m->emitted, 0u) << "task " << m->task;
        d.leave(*m);
    }
    EXPECT_EQ(committed_offsets(cluster.bootstrap(), "g-kip848-cluster", topic, partitions), ends);
    expect_no_commit_moved_back(d, cluster.bootstrap(), "g-kip848-cluster", topic, ends);
    EXPECT_EQ(d.emitted_below_commit(), 0u);
    if (::testing::Test::HasFailure()) std::cerr << cluster.log();
}

} // namespace
} // namespace kspout::testing
