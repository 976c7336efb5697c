// The cases of storm-multilang.md §5 that the other spout tests leave out, run against the
// kafka-spout executable: pid dir (5), unknown commands (19), task-id arrays (20), a nested ack
// (23), a long idle in a group (26), SIGTERM (27), EPIPE on stdout (28), stderr per command (29).
#include "tests/integration/process.hpp"
#include "tests/integration/spout_harness.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <memory>
#include <set>
#include <thread>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using multilang::json;

bool exited_with(std::optional<int> status, int code)
{
    return status && WIFEXITED(*status) && WEXITSTATUS(*status) == code;
}

// The messages the subprocess writes up to the next sync (not included), read as Storm reads them.
std::vector<multilang::component_message> read_until_sync(multilang::shell_process& p)
{
    std::vector<multilang::component_message> out;
    for (;;) {
        auto parsed = multilang::parse_component_message(p.read_message(5s));
        if (!parsed.message) throw multilang::shell_error(parsed.error);
        if (std::holds_alternative<multilang::sync_message>(*parsed.message)) return out;
        out.push_back(std::move(*parsed.message));
    }
}

// No sync, emit or metrics arrives on stdout within a short wait (one sync per command, none
// extra); log lines may (the consumer's, about its partitions).
bool stdout_stays_quiet(multilang::shell_process& p)
{
    try {
        for (;;) {
            auto parsed = multilang::parse_component_message(p.read_message(500ms));
            if (!parsed.message || !std::holds_alternative<multilang::log_message>(*parsed.message)) return false;
        }
    } catch (const multilang::shell_error&) {
        return true;
    }
}

std::size_t count_emits(const std::vector<multilang::component_message>& messages)
{
    return static_cast<std::size_t>(std::count_if(messages.begin(), messages.end(), [](const auto& m) {
        return std::holds_alternative<multilang::emit_message>(m);
    }));
}

// Acks every emitted tuple until `want` were emitted; returns their ids.
std::vector<std::string> emit_and_ack(spout_task& task, std::size_t want)
{
    auto emits = task.next_until(want, 30s);
    std::vector<std::string> ids;
    for (const auto& e : emits) {
        task.storm().ack(*e.id);
        ids.push_back(*e.id);
    }
    return ids;
}

// 5: a pid directory that cannot be written: no pid reply, a clear line on stderr, exit non-zero.
TEST(SpoutConformance, UnwritablePidDirFailsFast)
{
    mock_cluster mock(1);
    temp_dir dir;
    std::ofstream(dir / "file") << "not a directory";
    multilang::shell_command command;
    command.argv = {KSPOUT_SPOUT_BIN};
    multilang::shell_spout_options o;
    o.conf = static_spout_conf(mock, "t", "g");
    o.context = spout_context(1, {1});
    o.pid_dir = (dir / "file" / "pids").string();
    o.handshake_timeout = 30s;
    multilang::shell_spout storm(command, o);
    EXPECT_THROW(storm.open(), multilang::shell_error);
    auto status = storm.process().wait(20s);
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) != 0);
    std::string err = storm.process().drain_stderr();
    EXPECT_NE(err.find("pids"), std::string::npos) << err;
}

// 19, 20, 23: an unknown command gets one sync; task-id arrays are read and dropped; an ack that
// arrives while a next is still out (zero ackers) gets its own sync, after the next's.
TEST(SpoutConformance, UnknownCommandsTaskIdArraysAndANestedAck)
{
    mock_cluster mock(1);
    mock.create_topic("nested", 1);
    produce_with_kcat(mock, "nested", 30);
    temp_dir pid_dir;
    json conf = static_spout_conf(mock, "nested", "g-nested");
    conf["kafka.spout.batch.size"] = 5; // so that tuples are left for later nexts
    spout_task task(pid_dir, {conf});
    auto& p = task.process();
    task.storm().open();

    p.write_message(R"({"command":"bogus","id":""})");
    EXPECT_EQ(count_emits(read_until_sync(p)), 0u);
    p.write_message("[3,5]");
    p.write_message("[]");
    p.write_message(R"({"command":"activate","id":""})");
    EXPECT_EQ(count_emits(read_until_sync(p)), 0u);
    EXPECT_TRUE(stdout_stays_quiet(p)) << "a task-id array was answered";

    // Send next until it emits; ack the first emit before reading on, as Storm does with zero
    // ackers. Expected: the next's emits, its sync, then the ack's sync.
    std::optional<std::string> first;
    for (int i = 0; i < 200 && !first; ++i) {
        p.write_message(R"({"command":"next","id":""})");
        for (;;) {
            auto parsed = multilang::parse_component_message(p.read_message(5s));
            ASSERT_TRUE(parsed.message) << parsed.error;
            if (std::holds_alternative<multilang::sync_message>(*parsed.message)) break;
            auto* emit = std::get_if<multilang::emit_message>(&*parsed.message);
            if (emit && !first) {
                first = emit->id;
                p.write_message(json{{"command", "ack"}, {"id", *first}}.dump());
            }
        }
    }
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(count_emits(read_until_sync(p)), 0u); // the ack's own sync
    EXPECT_TRUE(stdout_stays_quiet(p)) << "more than one sync per command";

    // The spout goes on: the other tuples come and are acked.
    std::size_t more = 0;
    for (const auto& e : task.next_until(25, 30s)) {
        if (e.id != first) ++more;
    }
    EXPECT_EQ(more, 25u);
    EXPECT_TRUE(exits_zero_after_stdin_closes(task));
}

// A static task over a topic of two partitions whose 40 records were all emitted and acked, and
// none committed yet: the periodic commit is far off, so only an exit commits.
class acked_task {
public:
    explicit acked_task(std::string topic) : topic_(std::move(topic)), group_("g-" + topic_)
    {
        mock_.create_topic(topic_, 2);
        produce_with_kcat(mock_, topic_, 40);
    }

    void start()
    {
        json conf = static_spout_conf(mock_, topic_, group_);
        conf["kafka.spout.commit.interval.ms"] = 600000;
        task_ = std::make_unique<spout_task>(pid_dir_, spout_task_options{conf});
        task_->storm().open();
        ASSERT_EQ(emit_and_ack(*task_, 40).size(), 40u);
        ends_ = end_offsets(mock_, topic_, 2);
    }

    spout_task& task() { return *task_; }
    const mock_cluster& mock() const { return mock_; }
    const std::map<std::int32_t, std::int64_t>& acked_ends() const { return ends_; }
    std::map<std::int32_t, std::int64_t> committed() const { return committed_offsets(mock_, group_, topic_, 2); }

private:
    mock_cluster mock_{1};
    temp_dir pid_dir_;
    std::string topic_;
    std::string group_;
    std::unique_ptr<spout_task> task_;
    std::map<std::int32_t, std::int64_t> ends_;
};

// 27: SIGTERM commits what was acked, leaves, exits 0, and leaves no partial message on stdout.
TEST(SpoutConformance, SigtermCommitsWhatWasAckedAndExitsZero)
{
    acked_task t("term");
    ASSERT_NO_FATAL_FAILURE(t.start());
    auto& task = t.task();
    EXPECT_EQ(t.committed(), (std::map<std::int32_t, std::int64_t>{{0, -1}, {1, -1}}));

    task.process().signal(SIGTERM);
    EXPECT_TRUE(exited_with(task.process().wait(30s), 0)) << task.process().drain_stderr();
    EXPECT_EQ(t.committed(), t.acked_ends());
    // Whatever was written after the last sync is whole messages (read_message throws on EOF
    // in the middle of one).
    try {
        for (;;) task.process().read_message(2s);
    } catch (const multilang::shell_error& e) {
        EXPECT_NE(std::string(e.what()).find("No output read"), std::string::npos) << e.what();
    }
}

// 28: the host stops reading stdout. The spout's next write fails with EPIPE (not SIGPIPE): it
// commits what was acked and exits 0, as when stdin closes, instead of looping or dying.
TEST(SpoutConformance, EpipeOnStdoutCommitsWhatWasAckedAndExits)
{
    acked_task t("epipe");
    ASSERT_NO_FATAL_FAILURE(t.start());
    auto& task = t.task();
    produce_with_kcat(t.mock(), "epipe", 20, 40); // so the next next has tuples to write

    task.process().close_stdout();
    task.process().write_message(R"({"command":"next","id":""})");
    auto status = task.process().wait(30s);
    ASSERT_TRUE(status.has_value()) << "still running after its stdout broke";
    EXPECT_FALSE(WIFSIGNALED(*status)) << "killed by signal " << WTERMSIG(*status);
    std::string err = task.process().drain_stderr();
    EXPECT_TRUE(exited_with(status, 0)) << err;
    EXPECT_NE(err.find("Storm stopped reading stdout"), std::string::npos) << err;
    EXPECT_LT(err.size(), 16u * 1024);
    // The 40 acked tuples are committed; none of the 20 whose emits were lost is.
    EXPECT_EQ(t.committed(), t.acked_ends());
}

// 29: with debug logging and a log line for every record, stderr stays far below 16 KiB between
// two of Storm's drains: diagnostics go to Storm as log messages.
TEST(SpoutConformance, StderrStaysSmallPerCommandWithDebugLogging)
{
    mock_cluster mock(1);
    mock.create_topic("chatty", 2);
    produce_with_kcat(mock, "chatty", 300); // values are not JSON: each one logs a debug note
    temp_dir pid_dir;
    json conf = static_spout_conf(mock, "chatty", "g-chatty");
    conf["kafka.spout.log.level"] = "debug";
    conf["kafka.spout.value.format"] = "json";
    conf["kafka.spout.batch.size"] = 10;
    conf["kafka.spout.retry.initial.delay.ms"] = 0;
    conf["kafka.spout.commit.interval.ms"] = 50;
    spout_task_options o{conf};
    std::vector<std::size_t> drained;
    o.on_stderr = [&](const std::string& text) { drained.push_back(text.size()); };
    spout_task task(pid_dir, o);
    auto& storm = task.storm();
    storm.open();

    int commands = 0;
    std::size_t debug_logs = 0;
    auto count = [&](const multilang::spout_reply& r) {
        ++commands;
        for (const auto& l : r.logs) debug_logs += l.level == multilang::log_level::debug ? 1 : 0;
        return r;
    };
    count(storm.activate());
    std::size_t acked = 0;
    std::set<std::string> failed;
    // Past the last ack too, until enough commands went by: a faster engine needs fewer nexts.
    for (int i = 0; i < 2000 && (acked < 300 || commands <= 600); ++i) {
        for (const auto& e : count(storm.next()).emits) {
            if (parse_emit_id(e).second % 10 == 0 && failed.insert(*e.id).second) {
                count(storm.fail(*e.id)); // replayed, then acked
                continue;
            }
            count(storm.ack(*e.id));
            ++acked;
        }
        if (i % 50 == 0) {
            count(storm.ack("chatty:9:9"));
            count(storm.deactivate());
            count(storm.activate());
        }
    }
    EXPECT_GE(acked, 300u);
    EXPECT_GT(debug_logs, 0u) << "debug logging was not on";
    EXPECT_GT(commands, 600);
    for (std::size_t n : drained) EXPECT_LT(n, 16u * 1024);

    EXPECT_TRUE(exits_zero_after_stdin_closes(task));
    EXPECT_LT(task.process().drain_stderr().size(), 16u * 1024);
}

// Every ephemeral znode under the group, with the zxid that created it and its session: equal
// snapshots mean no member node was lost and made again.
std::string ephemeral_nodes(const zookeeper_server& zk, const std::string& group)
{
    static constexpr const char* script = R"(
import sys
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], timeout=10)
zk.start(timeout=30)
def walk(path):
    data, stat = zk.get(path)
    if stat.ephemeralOwner:
        print("%s %d %d" % (path, stat.czxid, stat.ephemeralOwner))
    for child in sorted(zk.get_children(path)):
        walk(path + "/" + child)
walk(sys.argv[2])
zk.stop()
)";
    auto r = run_process({KSPOUT_PYTHON, "-c", script, zk.connect_string(), "/consumers/" + group});
    if (!r.ok()) throw std::runtime_error("kazoo failed: " + r.describe());
    return r.out;
}

// 26: no commands for three ZooKeeper session timeouts. The member keeps its session and its
// znodes (the client library pings on its own threads), and the next next emits what was
// produced meanwhile.
TEST(SpoutConformance, LongIdleKeepsTheGroupMemberAndItsRecords)
{
    zookeeper_server zk;
    mock_cluster mock(1);
    mock.create_topic("idle", 2);
    produce_with_kcat(mock, "idle", 20);
    temp_dir pid_dir;
    json conf = balanced_spout_conf(mock, zk.connect_string(), "idle", "g-idle");
    spout_task task(pid_dir, {conf});
    task.storm().open();
    task.storm().activate();
    ASSERT_EQ(emit_and_ack(task, 20).size(), 20u);
    std::string before = ephemeral_nodes(zk, "g-idle");
    ASSERT_NE(before.find("/ids/"), std::string::npos) << before;
    ASSERT_NE(before.find("/owners/"), std::string::npos) << before;

    produce_with_kcat(mock, "idle", 20, 20);
    std::this_thread::sleep_for(6s); // three session timeouts without a command
    EXPECT_EQ(ephemeral_nodes(zk, "g-idle"), before);

    auto first = task.storm().next();
    EXPECT_FALSE(first.emits.empty()) << "the records produced while idle were not buffered";
    std::set<std::int64_t> fresh;
    auto record = [&](const multilang::emit_message& e) {
        auto [p, offset] = parse_emit_id(e);
        task.storm().ack(*e.id);
        fresh.insert(p * 1000 + offset);
    };
    for (const auto& e : first.emits) record(e);
    for (const auto& e : task.next_until(20 - first.emits.size(), 30s)) record(e);
    EXPECT_EQ(fresh.size(), 20u);
    for (const auto& l : first.logs) {
        EXPECT_EQ(l.msg.find("expired"), std::string::npos) << l.msg;
    }
    EXPECT_TRUE(exits_zero_after_stdin_closes(task));
}

} // namespace
} // namespace kspout::testing
