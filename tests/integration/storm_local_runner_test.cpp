// kspout-local-topology beside Storm on one Flux file (topology-examples/kafka-local.flux.yaml): the same counts per component.
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/spout_harness.hpp"
#include "tests/integration/storm_topology_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <future>
#include <functional>
#include <iostream>
#include <sstream>
#include <thread>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

using component_counts = std::map<std::string, std::map<std::string, std::int64_t>>;

// kspout-local-topology's summary table ("component kind tasks emitted executed acked failed
// timed-out", "-" where a kind has no such count), in ComponentCounts' terms. A spout's failed
// count includes its timed-out tuples there, as in Storm's stats: timed-out is left out.
component_counts parse_local_summary(const std::string& out)
{
    component_counts counts;
    std::istringstream lines(out);
    bool table = false;
    for (std::string line; std::getline(lines, line);) {
        std::istringstream words(line);
        std::string id, kind, tasks, emitted, executed, acked, failed, timed_out;
        if (!(words >> id >> kind >> tasks >> emitted >> executed >> acked >> failed >> timed_out)) continue;
        if (id == "component") {
            table = true;
            continue;
        }
        if (!table) continue;
        auto& c = counts[id];
        c["emitted"] = std::stoll(emitted);
        c["acked"] = std::stoll(acked);
        c["failed"] = std::stoll(failed);
        if (kind == "bolt") c["executed"] = std::stoll(executed);
    }
    return counts;
}

std::string describe(const component_counts& counts)
{
    std::string text;
    for (const auto& [component, values] : counts) {
        text += component + ":";
        for (const auto& [key, value] : values) text += " " + key + "=" + std::to_string(value);
        text += "; ";
    }
    return text;
}

// Runs kafka-local.flux.yaml on the test's topic both ways, each with a group of its own.
class local_and_storm {
public:
    local_and_storm(storm_local_cluster& cluster, std::map<std::string, std::string> options,
                    const std::filesystem::path& dir, std::map<std::string, std::string> sets)
        : cluster_(cluster), options_(std::move(options)), sets_(std::move(sets)), resources_(dir / "resources")
    {
        sets_["kafka.bootstrap.servers"] = options_["bootstrap"];
        sets_["kafka.topic"] = options_["topic"];
        // The jar's resources/ directory, for kspout-local-topology.
        std::filesystem::create_directories(resources_);
        for (const char* file : {"run-kafka-spout.sh", "key_count_bolt.py"})
            std::filesystem::copy_file(std::filesystem::path(KSPOUT_TOPOLOGY_EXAMPLES) / file, resources_ / file);
        std::filesystem::copy_file(KSPOUT_SPOUT_BIN, resources_ / "kafka-spout");
    }

    // kspout-local-topology with the given stop option (--max-tuples N or --seconds N), to its end.
    process_result run_local_process(const std::vector<std::string>& stop)
    {
        std::vector<std::string> argv{KSPOUT_LOCAL_TOPOLOGY_BIN, file(), "--resources", resources_.string(), "--quiet"};
        auto sets = sets_;
        sets["kafka.group.id"] = options_["group"] + "-local";
        for (const auto& [key, value] : sets) argv.insert(argv.end(), {"--set", key + "=" + value});
        argv.insert(argv.end(), stop.begin(), stop.end());
        return run_process(argv, {}, 120s);
    }

    // The same, expected to end well: its counts.
    component_counts run_local(const std::vector<std::string>& stop)
    {
        auto local = run_local_process(stop);
        EXPECT_EQ(local.exit_code, 0) << local.out << local.err;
        auto counts = parse_local_summary(local.out);
        std::cout << "[ info ] kspout-local-topology: " << describe(counts) << "\n";
        return counts;
    }

    // Storm through Flux with exact stats, until `done` holds for its counts and its group
    // committed every record; then the topology is killed.
    component_counts run_storm(const std::string& name, const std::function<bool(component_counts&)>& done)
    {
        auto overrides = sets_;
        overrides["kafka.group.id"] = options_["group"] + "-storm";
        overrides["topology.stats.sample.rate"] = "1.0";
        cluster_.flux(name, file(), {}, overrides);
        component_counts counts;
        auto end = end_offsets(options_["bootstrap"], options_["topic"], storm_topology_partitions);
        for (auto deadline = std::chrono::steady_clock::now() + 120s; std::chrono::steady_clock::now() < deadline;) {
            counts = cluster_.counts(name);
            if (done(counts) && committed_offsets(options_["bootstrap"], overrides["kafka.group.id"], options_["topic"],
                                                  storm_topology_partitions) == end)
                break;
            std::this_thread::sleep_for(500ms); // polling Nimbus' stats and the broker
        }
        cluster_.kill(name);
        std::cout << "[ info ] Storm: " << describe(counts) << "\n";
        return counts;
    }

    // The kafka-spout subprocesses kspout-local-topology runs now: those started in resources/.
    std::vector<pid_t> local_spout_pids() const
    {
        std::vector<pid_t> pids;
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
            std::string name = entry.path().filename().string();
            if (name.find_first_not_of("0123456789") != std::string::npos) continue;
            std::ifstream comm(entry.path() / "comm");
            std::string command;
            std::getline(comm, command);
            std::error_code cwd_error;
            auto cwd = std::filesystem::read_symlink(entry.path() / "cwd", cwd_error);
            if (command == "kafka-spout" && !cwd_error && cwd == resources_) pids.push_back(std::stoi(name));
        }
        return pids;
    }

private:
    static std::string file() { return std::string(KSPOUT_TOPOLOGY_EXAMPLES) + "/kafka-local.flux.yaml"; }

    storm_local_cluster& cluster_;
    std::map<std::string, std::string> options_;
    std::map<std::string, std::string> sets_;
    std::filesystem::path resources_;
};

TEST_F(storm_topology, kspout_local_topology_counts_what_storm_counts_on_the_same_flux_file)
{
    constexpr std::int64_t n = 120;
    auto options = fresh_topology("storm-vs-local", "static");
    produce_with_kcat(options["bootstrap"], options["topic"], static_cast<int>(n));
    const component_counts expected{
        {"kafka", {{"emitted", n}, {"acked", n}, {"failed", 0}}},
        {"count", {{"emitted", n}, {"executed", n}, {"acked", n}, {"failed", 0}}},
        {"log", {{"emitted", 0}, {"executed", n}, {"acked", n}, {"failed", 0}}}};

    local_and_storm runs(*cluster_, options, dir_.path(), {});
    auto local = runs.run_local({"--max-tuples", std::to_string(n)});
    EXPECT_EQ(local, expected) << describe(local);
    auto storm = runs.run_storm("vs-local", [&](component_counts& c) { return c["kafka"]["acked"] >= n && c["log"]["acked"] >= n; });
    EXPECT_EQ(storm, expected) << describe(storm) << "\n" << cluster_->log();
    EXPECT_EQ(storm, local);
}

// Which tuples fail depends on the order they reach the bolt's tasks, so the two runs need not
// fail the same number; what Storm's acker makes of the fails must be the same in both.
void expect_fails_replayed_and_counted(component_counts c, std::int64_t n, const char* who)
{
    SCOPED_TRACE(who);
    EXPECT_EQ(c["kafka"]["acked"], n) << describe(c);
    EXPECT_GE(c["kafka"]["failed"], n / 10) << describe(c);
    EXPECT_EQ(c["kafka"]["failed"], c["count"]["failed"]) << "every fail in the bolt reaches the spout";
    EXPECT_EQ(c["kafka"]["emitted"], c["kafka"]["acked"] + c["kafka"]["failed"]) << "every fail replayed";
    EXPECT_EQ(c["count"]["executed"], c["kafka"]["emitted"]);
    EXPECT_EQ(c["count"]["acked"], n);
    EXPECT_EQ(c["count"]["emitted"], n);
    EXPECT_EQ(c["log"]["executed"], n);
    EXPECT_EQ(c["log"]["acked"], n);
}

TEST_F(storm_topology, kspout_local_topology_replays_a_failing_bolt_as_storm_does)
{
    constexpr std::int64_t n = 120;
    auto options = fresh_topology("storm-vs-local-fail", "static");
    produce_with_kcat(options["bootstrap"], options["topic"], static_cast<int>(n));

    local_and_storm runs(*cluster_, options, dir_.path(),
                         {{"key_count.fail.every", "10"}, {"kafka.spout.retry.initial.delay.ms", "50"}});
    // The fails make the number of spout tuples unknown: the local run stops on time instead.
    expect_fails_replayed_and_counted(runs.run_local({"--seconds", "8"}), n, "kspout-local-topology");
    expect_fails_replayed_and_counted(
        runs.run_storm("vs-local-fail", [&](component_counts& c) { return c["kafka"]["acked"] >= n && c["log"]["acked"] >= n; }),
        n, "Storm");
}

TEST_F(storm_topology, kspout_local_topology_times_out_an_unanswered_tuple_as_storm_does)
{
    constexpr std::int64_t n = 120;
    auto options = fresh_topology("storm-vs-local-timeout", "static");
    produce_with_kcat(options["bootstrap"], options["topic"], static_cast<int>(n));

    local_and_storm runs(*cluster_, options, dir_.path(),
                         {{"key_count.hold.every", "10"}, {"topology.message.timeout.secs", "2"}});
    // Both count a spout tuple that timed out as failed. A held tuple was executed by the bolt
    // and never answered.
    auto check = [&](component_counts c, const char* who) {
        SCOPED_TRACE(who);
        std::int64_t held = c["count"]["executed"] - c["count"]["acked"] - c["count"]["failed"];
        EXPECT_GE(held, n / 10 - 2) << describe(c);
        EXPECT_EQ(c["kafka"]["failed"], held) << "every held tuple timed out at the spout";
        EXPECT_EQ(c["kafka"]["emitted"], n + held) << "and was replayed once";
        EXPECT_EQ(c["kafka"]["acked"], n);
        EXPECT_EQ(c["count"]["failed"], 0);
        EXPECT_EQ(c["count"]["acked"], n);
        EXPECT_EQ(c["log"]["executed"], n);
        EXPECT_EQ(c["log"]["acked"], n);
    };
    check(runs.run_local({"--seconds", "10"}), "kspout-local-topology");
    check(runs.run_storm("vs-local-timeout",
                         [&](component_counts& c) { return c["kafka"]["acked"] >= n && c["log"]["acked"] >= n; }),
          "Storm");
}

// Storm halts the worker when a spout subprocess dies (storm_kill_test.cpp); kspout-local-topology
// stops too, with the status for what Storm kills a worker for, and leaves no subprocess behind.
TEST_F(storm_topology, kspout_local_topology_stops_as_a_storm_worker_does_when_a_spout_subprocess_is_killed)
{
    auto options = fresh_topology("local-kill", "static");
    produce_with_kcat(options["bootstrap"], options["topic"], 50);
    local_and_storm runs(*cluster_, options, dir_.path(), {});
    auto running = std::async(std::launch::async, [&] { return runs.run_local_process({"--seconds", "90"}); });

    std::vector<pid_t> spouts;
    for (auto deadline = std::chrono::steady_clock::now() + 30s;
         (spouts = runs.local_spout_pids()).size() < 2 && std::chrono::steady_clock::now() < deadline;)
        std::this_thread::sleep_for(100ms); // polling for both spout tasks
    ASSERT_EQ(spouts.size(), 2u);
    ::kill(spouts[0], SIGKILL);

    ASSERT_EQ(running.wait_for(60s), std::future_status::ready) << "kspout-local-topology ran on";
    auto result = running.get();
    std::cout << "[ info ] kspout-local-topology after a SIGKILL: " << result.describe() << "\n";
    EXPECT_EQ(result.exit_code, 1) << result.describe();
    EXPECT_NE(result.err.find("kafka"), std::string::npos) << "names the component: " << result.err;
    EXPECT_TRUE(runs.local_spout_pids().empty()) << "the other spout task was stopped and reaped";
}

} // namespace
} // namespace kspout::testing
