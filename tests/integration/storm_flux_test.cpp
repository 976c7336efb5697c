// The example topology declared in Flux YAML (topology-examples/example-topology.flux.yaml), run by Flux in LocalCluster.
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

TEST_F(storm_topology, the_flux_file_runs_three_spout_tasks_that_deliver_and_commit_every_message)
{
    auto options = fresh_topology("storm-flux", "balanced");
    produce_with_kcat(options["bootstrap"], options["topic"], 150);
    cluster_->flux("flux", KSPOUT_EXAMPLE_FLUX,
                   {{"kafka.bootstrap.servers", options["bootstrap"]},
                    {"kafka.zookeeper.connect", options["zookeeper"]},
                    {"kafka.topic", options["topic"]},
                    {"kafka.group.id", options["group"]},
                    {"recorder.file", options["out"]}});

    // The file's parallelism of 3 gives three members of the group, which spread the partitions.
    group_znodes znodes;
    std::set<std::string> owners;
    for (auto deadline = std::chrono::steady_clock::now() + 90s; std::chrono::steady_clock::now() < deadline;) {
        znodes = read_group_znodes(zookeeper_->connect_string(), options["group"], options["topic"]);
        owners.clear();
        for (const auto& [p, owner] : znodes.owners) owners.insert(owner);
        if (znodes.members.size() == 3 && znodes.owners.size() == partitions && owners.size() == 3) break;
        std::this_thread::sleep_for(300ms); // polling ZooKeeper
    }
    ASSERT_EQ(znodes.members.size(), 3u) << cluster_->log();
    ASSERT_EQ(owners.size(), 3u);

    auto before = end_offsets(options["bootstrap"], options["topic"], partitions);
    produce_with_kcat(options["bootstrap"], options["topic"], 150, 150);
    ASSERT_TRUE(all_acked_and_committed(options)) << cluster_->log();
    cluster_->kill("flux");

    auto records = read_bolt_records(options["out"]);
    auto end = end_offsets(options["bootstrap"], options["topic"], partitions);
    EXPECT_EQ(all_offsets(end).size(), 300u);
    EXPECT_EQ(with_outcome(records, "acked"), all_offsets(end));
    EXPECT_THAT(with_outcome(records, "failed"), ::testing::IsEmpty());
    std::set<int> late_tasks;
    for (const auto& r : records)
        if (r.offset >= before[r.partition]) late_tasks.insert(r.source_task);
    EXPECT_EQ(late_tasks.size(), 3u) << "tasks that emitted the messages produced after the group settled";
}

} // namespace
} // namespace kspout::testing
