// A spout task's kafka-spout subprocess SIGKILLed inside Storm's LocalCluster: what Storm does, and that nothing is lost.
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/spout_harness.hpp"
#include "tests/integration/storm_local_cluster.hpp"
#include "tests/integration/storm_records.hpp"
#include "tests/integration/temp_dir.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <thread>

#include <sys/wait.h>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

constexpr int partitions = 4;

// Polls until every record below the end offsets was acked (by this run's bolt, or in `acked_before`)
// and the group committed them all.
bool all_acked_and_committed(const std::map<std::string, std::string>& options, std::chrono::seconds limit,
                             const std::set<partition_offset>& acked_before = {})
{
    for (auto deadline = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < deadline;) {
        auto end = end_offsets(options.at("bootstrap"), options.at("topic"), partitions);
        auto acked = with_outcome(read_bolt_records(options.at("out")), "acked");
        acked.insert(acked_before.begin(), acked_before.end());
        auto wanted = all_offsets(end);
        if (std::includes(acked.begin(), acked.end(), wanted.begin(), wanted.end()) &&
            committed_offsets(options.at("bootstrap"), options.at("group"), options.at("topic"), partitions) == end)
            return true;
        std::this_thread::sleep_for(300ms); // polling the bolt's file and the broker
    }
    return false;
}

TEST(storm_kill, a_sigkilled_spout_subprocess_ends_the_worker_and_a_restart_loses_nothing)
{
    kafka_broker& broker = shared_kafka_broker();
    zookeeper_server zookeeper;
    temp_dir dir;
    broker.create_topic("storm-kill", partitions);
    std::map<std::string, std::string> options{{"bootstrap", broker.bootstrap()}, {"topic", "storm-kill"},
                                               {"group", "storm-kill-group"}, {"out", (dir / "first.txt").string()},
                                               {"parallelism", "2"},          {"mode", "static"}};
    produce_with_kcat(broker.bootstrap(), "storm-kill", 100);

    auto cluster = std::make_unique<storm_local_cluster>(zookeeper.connect_string());
    cluster->submit("kill", options);
    ASSERT_TRUE(all_acked_and_committed(options, 120s)) << cluster->log();

    // The pid files Storm's worker holds name the two spout subprocesses.
    auto pids = shell_subprocess_pids(cluster->tmp_dir());
    ASSERT_EQ(pids.size(), 2u) << cluster->log();
    ASSERT_EQ(::kill(pids.front(), SIGKILL), 0);
    produce_with_kcat(broker.bootstrap(), "storm-kill", 100, 100);

    // Storm notices at its next command to that subprocess: the write of "next" fails ("Stream
    // closed"), or, when the kill came while Storm waited for a reply, the read meets the end of
    // the pipe ("Pipe to subprocess seems to be broken!"). The spout executor's loop dies and
    // ReportErrorAndDie halts the worker's JVM with status 1; in local mode that is LocalCluster's.
    std::optional<int> status;
    for (auto deadline = std::chrono::steady_clock::now() + 90s;
         !(status = cluster->exit_status()) && std::chrono::steady_clock::now() < deadline;)
        std::this_thread::sleep_for(100ms); // polling for the JVM's exit
    ASSERT_TRUE(status.has_value()) << "LocalCluster still runs after its spout subprocess was killed:\n"
                                    << cluster->log();
    std::string log = cluster->log();
    if (std::getenv("KSPOUT_TEST_LOGS") != nullptr) std::cerr << "--- LocalCluster output ---\n" << log;
    std::cerr << "[ info ] LocalCluster's JVM ended with wait status " << *status << "\n";
    EXPECT_TRUE(WIFEXITED(*status)) << log;
    EXPECT_NE(WEXITSTATUS(*status), 0) << log;
    EXPECT_THAT(log, ::testing::HasSubstr(", name:kafka exitCode:"));
    // Which of the three depends on where ShellSpout was when the process died (see
    // topology-examples/README.md).
    EXPECT_THAT(log, ::testing::AnyOf(::testing::HasSubstr("java.io.IOException: Stream closed"),
                                      ::testing::HasSubstr("java.io.IOException: Broken pipe"),
                                      ::testing::HasSubstr("Pipe to subprocess seems to be broken!")));
    EXPECT_THAT(log, ::testing::HasSubstr("Halting process: Worker died"));
    cluster.reset();

    // Nothing was committed past what the bolt acked, and a new run of the same group delivers the rest.
    auto committed = committed_offsets(broker.bootstrap(), "storm-kill-group", "storm-kill", partitions);
    auto acked_first = with_outcome(read_bolt_records(options["out"]), "acked");
    for (auto [partition, offset] : committed)
        for (std::int64_t o = 0; o < offset; ++o)
            EXPECT_TRUE(acked_first.count({partition, o})) << "committed past unacked " << partition << ":" << o;

    options["out"] = (dir / "second.txt").string();
    cluster = std::make_unique<storm_local_cluster>(zookeeper.connect_string());
    cluster->submit("again", options);
    ASSERT_TRUE(all_acked_and_committed(options, 120s, acked_first)) << cluster->log();
    cluster->kill("again");
    auto acked = acked_first;
    for (const auto& r : with_outcome(read_bolt_records(options["out"]), "acked")) acked.insert(r);
    EXPECT_EQ(acked, all_offsets(end_offsets(broker.bootstrap(), "storm-kill", partitions)));
    EXPECT_EQ(cluster->stop(), 0);
}

} // namespace
} // namespace kspout::testing
