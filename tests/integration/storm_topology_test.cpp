// The example topology (kafka-spout x3 -> RecordingBolt) in Storm's LocalCluster on a real broker and ZooKeeper.
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/spout_harness.hpp"
#include "tests/integration/storm_records.hpp"
#include "tests/integration/storm_topology_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(storm_topology, balanced_group_of_three_delivers_every_message_and_commits_it)
{
    auto options = fresh_topology("storm-balanced", "balanced");
    produce_with_kcat(options["bootstrap"], options["topic"], 150);
    cluster_->submit("balanced", options);

    // Every spout task is a member of the group in ZooKeeper, and the partitions are spread.
    group_znodes znodes;
    for (auto deadline = std::chrono::steady_clock::now() + 90s; std::chrono::steady_clock::now() < deadline;) {
        znodes = read_group_znodes(zookeeper_->connect_string(), options["group"], options["topic"]);
        std::set<std::string> owners;
        for (const auto& [p, owner] : znodes.owners) owners.insert(owner);
        if (znodes.members.size() == 3 && znodes.owners.size() == partitions && owners.size() == 3) break;
        std::this_thread::sleep_for(300ms); // polling ZooKeeper
    }
    ASSERT_EQ(znodes.members.size(), 3u) << cluster_->log();
    ASSERT_EQ(znodes.owners.size(), static_cast<std::size_t>(partitions));

    // Messages produced after the group settled come from the partitions' owners: three tasks.
    auto before = end_offsets(options["bootstrap"], options["topic"], partitions);
    produce_with_kcat(options["bootstrap"], options["topic"], 150, 150);
    ASSERT_TRUE(all_acked_and_committed(options)) << cluster_->log();
    cluster_->kill("balanced");

    auto records = read_bolt_records(options["out"]);
    auto end = end_offsets(options["bootstrap"], options["topic"], partitions);
    EXPECT_EQ(all_offsets(end).size(), 300u);
    EXPECT_EQ(with_outcome(records, "acked"), all_offsets(end));
    EXPECT_THAT(with_outcome(records, "failed"), ::testing::IsEmpty());
    std::map<std::int32_t, std::set<int>> late_tasks;
    std::set<int> tasks;
    for (const auto& r : records) {
        if (r.offset >= before[r.partition]) late_tasks[r.partition].insert(r.source_task);
        if (r.offset >= before[r.partition]) tasks.insert(r.source_task);
    }
    EXPECT_EQ(tasks.size(), 3u) << "tasks that emitted the late messages";
    for (const auto& [p, t] : late_tasks) EXPECT_EQ(t.size(), 1u) << "partition " << p << " came from several tasks";
}

TEST_F(storm_topology, static_mode_splits_partitions_by_task_index)
{
    auto options = fresh_topology("storm-static", "static");
    produce_with_kcat(options["bootstrap"], options["topic"], 300);
    cluster_->submit("static", options);
    ASSERT_TRUE(all_acked_and_committed(options)) << cluster_->log();
    cluster_->kill("static");

    auto records = read_bolt_records(options["out"]);
    EXPECT_EQ(with_outcome(records, "acked"), all_offsets(end_offsets(options["bootstrap"], options["topic"], partitions)));
    std::set<int> tasks;
    for (const auto& r : records) tasks.insert(r.source_task);
    ASSERT_EQ(tasks.size(), 3u);
    std::vector<int> by_index(tasks.begin(), tasks.end()); // Storm numbers a component's tasks consecutively
    for (const auto& r : records)
        EXPECT_EQ(r.source_task, by_index[static_cast<std::size_t>(r.partition % 3)])
            << "partition " << r.partition << " offset " << r.offset;
}

TEST_F(storm_topology, a_bolt_failing_every_tenth_tuple_gets_it_replayed_and_nothing_is_lost)
{
    auto options = fresh_topology("storm-fail", "static");
    options["fail.every"] = "10";
    produce_with_kcat(options["bootstrap"], options["topic"], 200);
    cluster_->submit("fail", options);
    ASSERT_TRUE(all_acked_and_committed(options)) << cluster_->log();
    cluster_->kill("fail");

    auto records = read_bolt_records(options["out"]);
    auto failed = with_outcome(records, "failed");
    auto acked = with_outcome(records, "acked");
    EXPECT_GE(failed.size(), 20u);
    EXPECT_EQ(acked, all_offsets(end_offsets(options["bootstrap"], options["topic"], partitions)));
    for (const auto& f : failed) EXPECT_TRUE(acked.count(f)) << f.first << ":" << f.second << " never acked";
}

TEST_F(storm_topology, tuples_past_the_message_timeout_are_replayed)
{
    auto options = fresh_topology("storm-timeout", "static");
    options["hold.every"] = "10";
    options["timeout.secs"] = "3";
    produce_with_kcat(options["bootstrap"], options["topic"], 100);
    cluster_->submit("timeout", options);
    ASSERT_TRUE(all_acked_and_committed(options)) << cluster_->log();
    cluster_->kill("timeout");

    auto records = read_bolt_records(options["out"]);
    auto held = with_outcome(records, "held");
    auto acked = with_outcome(records, "acked");
    EXPECT_GE(held.size(), 10u);
    EXPECT_EQ(acked, all_offsets(end_offsets(options["bootstrap"], options["topic"], partitions)));
    for (const auto& h : held) EXPECT_TRUE(acked.count(h)) << h.first << ":" << h.second << " never replayed";
}

} // namespace
} // namespace kspout::testing
