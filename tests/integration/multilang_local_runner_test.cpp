// The local runner against real subprocesses: acks, fails, timeouts, max-spout-pending, zero
// ackers, fatal components; every test also checks that no subprocess outlives the run.
#include "multilang/local/runner.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <cerrno>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace kspout::multilang::local {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

component_def spout(std::string id, int tasks, json config = json::object())
{
    component_def c;
    c.id = std::move(id);
    c.command = {KSPOUT_COUNTING_SPOUT_BIN};
    c.streams["default"] = {"n"};
    c.parallelism = tasks;
    c.config = std::move(config);
    return c;
}

subscription from(std::string source)
{
    subscription s;
    s.source = std::move(source);
    return s;
}

component_def bolt(std::string id, std::vector<std::string> command, int tasks, std::vector<subscription> inputs,
                   json config = json::object())
{
    component_def c;
    c.id = std::move(id);
    c.kind = component_kind::bolt;
    c.command = std::move(command);
    c.streams["default"] = {"word"};
    c.parallelism = tasks;
    c.inputs = std::move(inputs);
    c.config = std::move(config);
    return c;
}

component_def test_bolt(std::string id, const std::string& mode, std::string source = "counter", int tasks = 1)
{
    return bolt(std::move(id), {KSPOUT_LOCAL_TEST_BOLT_BIN}, tasks, {from(std::move(source))}, {{"local.bolt.mode", mode}});
}

// Records what the runner did, and checks afterwards that every subprocess is gone.
class LocalRunnerTest : public ::testing::Test {
protected:
    run_options options(long max_tuples)
    {
        run_options o;
        o.max_tuples = max_tuples;
        o.duration = 60s; // a backstop: every test ends long before by max_tuples
        o.pid_dir = (dir_ / "pids").string();
        o.log = [this](const std::string& line) { logs_.push_back(line); };
        o.on_emit = [this](const emitted_tuple& t) {
            if (t.id) emitted_at_[{t.task, *t.id}] = std::chrono::steady_clock::now();
            if (t.id) peak_pending_ = std::max(peak_pending_, ++in_flight_[t.task]);
        };
        o.on_outcome = [this](const spout_outcome& out) {
            auto key = std::pair{out.task, out.message_id.get<std::string>()};
            outcomes_[key].push_back(out.kind);
            --in_flight_[out.task];
            if (out.kind == outcome_kind::timed_out) {
                timeout_after_.push_back(std::chrono::steady_clock::now() - emitted_at_.at(key));
            }
        };
        return o;
    }

    void TearDown() override
    {
        // Every pid that wrote a pid file has been reaped: kill(pid, 0) finds no such process.
        int pids = 0;
        for (const auto& entry : std::filesystem::directory_iterator(dir_ / "pids")) {
            pid_t pid = std::stoi(entry.path().filename().string());
            ++pids;
            int rc = ::kill(pid, 0);
            int error = errno;
            EXPECT_EQ(rc, -1) << "pid " << pid << " is still running";
            EXPECT_EQ(error, ESRCH);
        }
        EXPECT_GT(pids, 0);
    }

    std::size_t count(outcome_kind kind) const
    {
        std::size_t n = 0;
        for (const auto& [key, kinds] : outcomes_) n += static_cast<std::size_t>(std::count(kinds.begin(), kinds.end(), kind));
        return n;
    }

    const component_counts& counts(const run_summary& s, const std::string& id)
    {
        for (const auto& c : s.components) {
            if (c.id == id) return c;
        }
        throw std::runtime_error("no component " + id);
    }

    testing::temp_dir dir_;
    std::vector<std::string> logs_;
    std::map<std::pair<std::int64_t, std::string>, std::chrono::steady_clock::time_point> emitted_at_;
    std::map<std::pair<std::int64_t, std::string>, std::vector<outcome_kind>> outcomes_;
    std::map<std::int64_t, long> in_flight_;
    long peak_pending_ = 0;
    std::vector<std::chrono::steady_clock::duration> timeout_after_;
};

TEST_F(LocalRunnerTest, EveryTupleThroughTwoBoltsIsAckedExactlyOnce)
{
    // counting_spout -> stringify (anchored) -> upper_bolt (anchored): trees three levels deep.
    topology_def t;
    t.config["topology.message.timeout.secs"] = 30;
    t.components = {spout("counter", 2), test_bolt("text", "string", "counter", 2),
                    bolt("upper", {KSPOUT_UPPER_BOLT_BIN}, 3, {{"text", "default", grouping_type::fields, {"word"}}})};
    auto summary = run_local_topology(t, options(40));

    EXPECT_EQ(counts(summary, "counter").emitted, 40);
    EXPECT_EQ(counts(summary, "counter").acked, 40);
    EXPECT_EQ(counts(summary, "counter").failed, 0);
    EXPECT_EQ(counts(summary, "upper").acked, 40);
    ASSERT_EQ(outcomes_.size(), 40u); // one entry per (task, id) emitted
    for (const auto& [key, kinds] : outcomes_) {
        EXPECT_EQ(kinds, std::vector<outcome_kind>{outcome_kind::acked}) << "task " << key.first << " id " << key.second;
    }
    EXPECT_TRUE(summary.notes.empty()) << summary.notes.front();
}

TEST_F(LocalRunnerTest, StormPyStyleBoltWaitsForTaskIdsAndAcks)
{
    topology_def t;
    t.components = {spout("counter", 1),
                    bolt("py", {"/usr/bin/python3", KSPOUT_LOCAL_STORM_BOLT_PY}, 2, {from("counter")}),
                    bolt("upper", {KSPOUT_UPPER_BOLT_BIN}, 1, {from("py")})};
    auto summary = run_local_topology(t, options(20));
    EXPECT_EQ(counts(summary, "counter").acked, 20);
    EXPECT_EQ(counts(summary, "py").emitted, 20);
    EXPECT_EQ(counts(summary, "upper").acked, 20);
    EXPECT_EQ(count(outcome_kind::acked), 20u);
}

TEST_F(LocalRunnerTest, BoltFailFailsTheSpoutTuple)
{
    topology_def t;
    t.components = {spout("counter", 1), test_bolt("b", "fail_odd")};
    auto summary = run_local_topology(t, options(10));
    // counting_spout's ids and values are the same counter: odd ones fail.
    for (const auto& [key, kinds] : outcomes_) {
        bool odd = std::stoi(key.second) % 2 != 0;
        EXPECT_EQ(kinds, std::vector<outcome_kind>{odd ? outcome_kind::failed : outcome_kind::acked}) << key.second;
    }
    EXPECT_EQ(outcomes_.size(), 10u);
    EXPECT_EQ(counts(summary, "counter").failed, 5);
    EXPECT_EQ(counts(summary, "counter").timed_out, 0);
    EXPECT_EQ(counts(summary, "b").failed, 5);
    EXPECT_THAT(logs_, ::testing::Contains(HasSubstr("failed \"1\""))); // the spout saw the fail
}

TEST_F(LocalRunnerTest, UnackedTuplesTimeOutAfterTheMessageTimeout)
{
    topology_def t;
    t.config["topology.message.timeout.secs"] = 1;
    t.components = {spout("counter", 1), test_bolt("b", "never_ack")};
    auto summary = run_local_topology(t, options(5));
    EXPECT_EQ(count(outcome_kind::timed_out), 5u);
    EXPECT_EQ(count(outcome_kind::acked), 0u);
    EXPECT_EQ(counts(summary, "counter").timed_out, 5);
    for (auto after : timeout_after_) EXPECT_GE(after, 1s); // never before T
}

TEST_F(LocalRunnerTest, MaxSpoutPendingStopsNext)
{
    // Nothing is acked, so pending only falls by timeouts: the spout must stop at 3.
    topology_def t;
    t.config["topology.message.timeout.secs"] = 1;
    t.config["topology.max.spout.pending"] = 3;
    t.components = {spout("counter", 1), test_bolt("b", "never_ack")};
    auto summary = run_local_topology(t, options(6));
    EXPECT_EQ(peak_pending_, 3);
    EXPECT_EQ(counts(summary, "counter").emitted, 6);
    EXPECT_EQ(counts(summary, "counter").timed_out, 6);
}

TEST_F(LocalRunnerTest, ZeroAckersAckInsideTheEmit)
{
    topology_def t;
    t.config["topology.acker.executors"] = 0;
    t.config["topology.max.spout.pending"] = 1; // ignored: nothing is pending without ackers
    t.components = {spout("counter", 1, {{"test.emit.per.next", 3}}), test_bolt("b", "string")};
    auto summary = run_local_topology(t, options(9));
    EXPECT_EQ(count(outcome_kind::acked), 9u);
    EXPECT_EQ(counts(summary, "counter").acked, 9);
    // The spout answered each nested ack (its log says so) without losing a sync.
    EXPECT_EQ(std::count_if(logs_.begin(), logs_.end(), [](auto& l) { return l.find("acked") != std::string::npos; }),
              9);
}

TEST_F(LocalRunnerTest, EmitToAStreamNobodySubscribesIsAckedPromptly)
{
    topology_def t;
    t.components = {spout("counter", 2)};
    auto summary = run_local_topology(t, options(10));
    EXPECT_EQ(count(outcome_kind::acked), 10u);
    EXPECT_EQ(counts(summary, "counter").failed, 0);
}

TEST_F(LocalRunnerTest, UndeclaredStreamFromABoltIsFatalAndNamesIt)
{
    topology_def t;
    t.components = {spout("counter", 1), test_bolt("b", "undeclared_stream", "counter", 2)};
    try {
        run_local_topology(t, options(10));
        FAIL() << "expected component_failure";
    } catch (const component_failure& e) {
        EXPECT_EQ(e.component, "b");
        EXPECT_TRUE(e.task == 2 || e.task == 3) << e.task; // task 1 is "__acker"
        EXPECT_THAT(e.what(), HasSubstr("component \"b\" task"));
        EXPECT_THAT(e.what(), HasSubstr("Unknown stream ID: undeclared"));
    }
}

TEST_F(LocalRunnerTest, WrongArityFromASpoutIsFatalAndNamesIt)
{
    topology_def t;
    t.components = {spout("counter", 1, {{"test.misbehave", "arity"}}), test_bolt("b", "string")};
    try {
        run_local_topology(t, options(10));
        FAIL() << "expected component_failure";
    } catch (const component_failure& e) {
        EXPECT_EQ(e.component, "counter");
        EXPECT_THAT(e.what(), HasSubstr("Tuple created with wrong number of fields"));
    }
}

TEST_F(LocalRunnerTest, UnanchoredBoltEmitsLeaveTheTree)
{
    // The bolt's emits carry no anchors: the spout's tree ends with the bolt's ack, whatever
    // happens downstream (here a bolt that never acks).
    topology_def t;
    t.config["topology.message.timeout.secs"] = 30;
    t.components = {spout("counter", 1), test_bolt("text", "unanchored"), test_bolt("sink", "never_ack", "text")};
    auto summary = run_local_topology(t, options(10));
    EXPECT_EQ(count(outcome_kind::acked), 10u);
    EXPECT_EQ(counts(summary, "counter").timed_out, 0);
    EXPECT_EQ(counts(summary, "sink").executed, 10);
    EXPECT_EQ(counts(summary, "sink").acked, 0);
}

TEST_F(LocalRunnerTest, SpoutSendingAckIsFatal)
{
    topology_def t;
    t.components = {spout("counter", 1, {{"test.misbehave", "ack"}})};
    try {
        run_local_topology(t, options(10));
        FAIL() << "expected component_failure";
    } catch (const component_failure& e) {
        EXPECT_EQ(e.component, "counter");
        EXPECT_THAT(e.what(), HasSubstr("Unknown command received: ack"));
    }
}

TEST_F(LocalRunnerTest, SilentBoltDiesOfHeartbeatTimeout)
{
    // upper_bolt's "hang" sleeps in its first tuple, so heartbeats go unanswered.
    topology_def t;
    t.config["topology.subprocess.timeout.secs"] = 1;
    t.components = {spout("counter", 1),
                    bolt("upper", {KSPOUT_UPPER_BOLT_BIN}, 1, {from("counter")}, {{"test.misbehave", "hang"}})};
    try {
        run_local_topology(t, options(10));
        FAIL() << "expected component_failure";
    } catch (const component_failure& e) {
        EXPECT_EQ(e.component, "upper");
        EXPECT_THAT(e.what(), HasSubstr("subprocess heartbeat timeout"));
    }
}

TEST_F(LocalRunnerTest, DurationStopsARunThatNeverEnds)
{
    topology_def t;
    t.config["topology.max.spout.pending"] = 5;
    t.components = {spout("counter", 1), test_bolt("b", "string")};
    auto o = options(0);
    o.duration = 500ms;
    auto summary = run_local_topology(t, o);
    EXPECT_GT(counts(summary, "counter").emitted, 0);
    // Stopped mid-flight: at most max-spout-pending trees were still open.
    EXPECT_LE(counts(summary, "counter").emitted - counts(summary, "counter").acked, 5);
}

// The one running child of this process started from `exe`, once it is there (the limit only
// turns a hang into a failure).
pid_t running_child(const std::string& exe)
{
    for (auto deadline = std::chrono::steady_clock::now() + 60s; std::chrono::steady_clock::now() < deadline;) {
        auto pids = testing::children_running(::getpid(), exe);
        if (pids.size() == 1) return pids.front();
        if (pids.size() > 1) throw std::runtime_error("more than one child runs " + exe);
        std::this_thread::sleep_for(10ms); // polling /proc for the subprocess
    }
    throw std::runtime_error("no child runs " + exe);
}

TEST_F(LocalRunnerTest, KilledBoltTaskIsRestartedWithTheSameTaskAndTheRunGoesOn)
{
    topology_def t;
    t.config["topology.message.timeout.secs"] = 1;
    t.config["topology.max.spout.pending"] = 4;
    t.components = {spout("counter", 1), test_bolt("b", "string")};
    auto o = options(40);
    o.restart_dead_tasks = true;
    pid_t killed = 0;
    std::set<std::int64_t> bolt_tasks_before, bolt_tasks_after;
    o.on_emit = [&](const emitted_tuple& e) {
        if (e.component == "b") (killed ? bolt_tasks_after : bolt_tasks_before).insert(e.task);
        if (e.component == "counter" && e.id == "10") {
            killed = running_child(KSPOUT_LOCAL_TEST_BOLT_BIN);
            ::kill(killed, SIGKILL);
        }
        if (e.id) emitted_at_[{e.task, *e.id}] = std::chrono::steady_clock::now();
    };
    auto summary = run_local_topology(t, o);

    ASSERT_NE(killed, 0);
    ASSERT_EQ(summary.notes.size(), 1u);
    EXPECT_THAT(summary.notes[0], HasSubstr("b:" + std::to_string(*bolt_tasks_before.begin()) + " (pid " +
                                            std::to_string(killed) + ") killed by signal 9; restarted as pid"));
    // The new subprocess has the same task id (its context), and it emits and acks.
    EXPECT_EQ(bolt_tasks_after, bolt_tasks_before);
    EXPECT_GT(counts(summary, "b").acked, 10);
    // Every tuple ended once: acked, or (an input the dead bolt held) timed out at the spout.
    EXPECT_EQ(counts(summary, "counter").emitted, 40);
    EXPECT_EQ(count(outcome_kind::acked) + count(outcome_kind::timed_out), 40u);
    for (const auto& [key, kinds] : outcomes_) EXPECT_EQ(kinds.size(), 1u) << "id " << key.second;
}

TEST_F(LocalRunnerTest, KilledSpoutTaskIsRestartedAndItsPendingTreesAreDropped)
{
    topology_def t;
    t.config["topology.message.timeout.secs"] = 30; // nothing may time out: the run ends by acks
    t.components = {spout("counter", 1), test_bolt("b", "string")};
    auto o = options(30);
    o.restart_dead_tasks = true;
    pid_t killed = 0;
    std::vector<std::string> ids_after_kill;
    o.on_emit = [&](const emitted_tuple& e) {
        if (e.component != "counter") return;
        if (killed) ids_after_kill.push_back(*e.id);
        if (e.id == "10" && !killed) {
            killed = running_child(KSPOUT_COUNTING_SPOUT_BIN);
            ::kill(killed, SIGKILL);
        }
    };
    auto summary = run_local_topology(t, o);

    ASSERT_NE(killed, 0);
    ASSERT_EQ(summary.notes.size(), 1u);
    EXPECT_THAT(summary.notes[0], HasSubstr("(pid " + std::to_string(killed) + ") killed by signal 9; restarted"));
    // The run ended by its trees: the dead task's pending trees were dropped, not waited for.
    EXPECT_EQ(counts(summary, "counter").emitted, 30);
    // A new subprocess: counting_spout counts from 1 again, and the new one gets the acks.
    ASSERT_EQ(ids_after_kill.size(), 20u);
    EXPECT_EQ(ids_after_kill.front(), "1");
    EXPECT_EQ(ids_after_kill.back(), "20");
    EXPECT_EQ(count(outcome_kind::failed) + count(outcome_kind::timed_out), 0u);
}

TEST_F(LocalRunnerTest, WithoutRestartAKilledBoltStopsTheRun)
{
    topology_def t;
    t.components = {spout("counter", 1), test_bolt("b", "string")};
    auto o = options(1000);
    o.on_emit = [&](const emitted_tuple& e) {
        if (e.component == "counter" && e.id == "10") ::kill(running_child(KSPOUT_LOCAL_TEST_BOLT_BIN), SIGKILL);
    };
    EXPECT_THROW(run_local_topology(t, o), component_failure);
}

} // namespace
} // namespace kspout::multilang::local
