// The copy topology (kafka-spout -> kafka-bolt) on a real 3-node Kafka cluster: spout and bolt
// tasks SIGKILLed and restarted, and the leader of most of B's partitions SIGKILLed, mid-run.
#include "tests/integration/copy_topology_run.hpp"
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/spout_harness.hpp"
#include "tests/integration/temp_dir.hpp"
#include "tests/integration/topology_resources.hpp"

#include <gtest/gtest.h>

#include <iostream>

namespace kspout::testing {
namespace {

TEST(RealClusterCopy, EveryRecordIsCopiedAndEveryDuplicateIsAReplayWhileTasksAndALeaderDie)
{
    constexpr int records = 3000;
    kafka_cluster cluster;
    // Replication factor 3, min.insync.replicas 2: with one node gone both topics take writes.
    cluster.create_topic("copy-a", 3, 3);
    cluster.create_topic("copy-b", 3, 3);
    produce_with_kcat(cluster.bootstrap(), "copy-a", records);

    temp_dir dir;
    copy_run_settings settings;
    settings.bootstrap = cluster.bootstrap();
    settings.from = "copy-a";
    settings.to = "copy-b";
    settings.group = "copy-real";
    settings.resources = topology_resources(dir.path() / "resources");
    settings.kill_bolt_at = 700;
    settings.kill_spout_at = 1400;
    int killed_node = 0;
    // Between the two task kills, the node leading most of B's partitions: kafka-bolt's
    // producer follows the new leaders (a killed node is fenced after about 3 s), resending
    // what the dead one did not acknowledge.
    settings.on_spout_emit = [&](long emits) {
        if (emits != 1000) return;
        killed_node = cluster.busiest_leader("copy-b");
        cluster.kill(killed_node);
    };
    auto report = run_copy_topology(settings);
    std::cerr << "[ info ] node " << killed_node << " killed; " << report.describe() << "\n";
    ASSERT_GT(killed_node, 0);
    ASSERT_TRUE(report.bolt_killed && report.spout_killed) << report.describe();
    ASSERT_TRUE(report.complete) << report.describe() << "\n--- kafka nodes ---\n" << cluster.log();

    // As the mock's CopyUnderFaults test; the leader change adds no copy either.
    expect_every_record_copied_and_every_duplicate_a_replay(report);
}

} // namespace
} // namespace kspout::testing
