// kafka-spout fed what a broken or hostile Storm could send: JSON nested 100k deep, a 10 MB ack id,
// a line longer than the message cap, a NUL in pidDir. Each ends in a clean exit 1 with a short
// error (leaving its group) or a short log line, never a crash or a stall.
#include "tests/integration/process.hpp"
#include "tests/integration/spout_harness.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <filesystem>
#include <memory>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using multilang::json;
using ::testing::HasSubstr;

std::string nested_arrays(std::size_t depth)
{
    return std::string(depth, '[') + std::string(depth, ']');
}

::testing::AssertionResult exited_cleanly_with_one(multilang::shell_process& p)
{
    auto status = p.wait(30s);
    if (!status) return ::testing::AssertionFailure() << "still running 30 s later";
    if (WIFSIGNALED(*status)) return ::testing::AssertionFailure() << "killed by signal " << WTERMSIG(*status);
    if (WEXITSTATUS(*status) != 1) return ::testing::AssertionFailure() << "exit status " << WEXITSTATUS(*status);
    return ::testing::AssertionSuccess();
}

// How many members /consumers/<group>/ids holds, as kazoo sees it.
int group_members(const zookeeper_server& zk, const std::string& group)
{
    auto r = run_process({KSPOUT_PYTHON, "-c",
                          "import sys\n"
                          "from kazoo.client import KazooClient\n"
                          "zk = KazooClient(hosts=sys.argv[1], timeout=10)\n"
                          "zk.start(timeout=30)\n"
                          "p = '/consumers/%s/ids' % sys.argv[2]\n"
                          "print(len(zk.get_children(p)) if zk.exists(p) else 0)\n"
                          "zk.stop()\n",
                          zk.connect_string(), group});
    if (!r.ok()) throw std::runtime_error("kazoo failed: " + r.describe());
    return std::stoi(r.out);
}

// One ZooKeeper and one mock cluster for the whole suite: a JVM start costs seconds.
class SpoutHostileInput : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        zk_ = new zookeeper_server();
        mock_ = new mock_cluster(1);
        mock_->create_topic("hostile", 2);
        produce_with_kcat(*mock_, "hostile", 20);
    }
    static void TearDownTestSuite()
    {
        delete mock_;
        delete zk_;
    }

    static zookeeper_server* zk_;
    static mock_cluster* mock_;
    temp_dir pid_dir_;
};
zookeeper_server* SpoutHostileInput::zk_ = nullptr;
mock_cluster* SpoutHostileInput::mock_ = nullptr;

class SpoutDeepCommand : public SpoutHostileInput, public ::testing::WithParamInterface<std::string> {};

// The reproduced crash: a command nested 100k deep overflowed the stack, so the member neither
// committed nor left its group. Now: exit 1 naming the nesting, and the group is left at once.
TEST_P(SpoutDeepCommand, EndsTheTaskWithAShortErrorAndLeavesTheGroup)
{
    static int runs = 0;
    std::string group = "g-deep-" + std::to_string(++runs);
    spout_task task(pid_dir_, {balanced_spout_conf(*mock_, zk_->connect_string(), "hostile", group)});
    task.storm().open();
    for (const auto& e : task.next_until(20, 30s)) task.storm().ack(*e.id);
    ASSERT_EQ(group_members(*zk_, group), 1);

    task.process().write_raw(GetParam() + "\nend\n");
    ASSERT_TRUE(exited_cleanly_with_one(task.process()));
    std::string err = task.process().drain_stderr();
    EXPECT_THAT(err, HasSubstr("nested deeper than 128 levels"));
    EXPECT_LT(err.size(), 4096u) << "the input was echoed back";
    EXPECT_EQ(group_members(*zk_, group), 0) << "the member did not close its ZooKeeper session";
}

INSTANTIATE_TEST_SUITE_P(Commands, SpoutDeepCommand,
                         ::testing::Values(nested_arrays(100000), R"({"x":)" + nested_arrays(100000) + "}",
                                           R"({"command":"ack","id":)" + nested_arrays(100000) + "}"));

TEST_F(SpoutHostileInput, ADeepConfInTheHandshakeIsRefused)
{
    multilang::shell_command command;
    command.argv = {KSPOUT_SPOUT_BIN};
    multilang::shell_spout_options so;
    so.pid_dir = pid_dir_.path().string();
    so.context = spout_context(1, {1});
    so.handshake_timeout = 30s;
    multilang::shell_spout storm(command, so);
    std::string handshake = R"({"pidDir":)" + json(so.pid_dir).dump() + R"(,"context":)" + so.context.dump() +
                            R"(,"conf":{"x":)" + nested_arrays(100000) + "}}";
    storm.process().write_raw(handshake + "\nend\n");
    ASSERT_TRUE(exited_cleanly_with_one(storm.process()));
    std::string err = storm.process().drain_stderr();
    EXPECT_THAT(err, HasSubstr("bad handshake: JSON nested deeper"));
    EXPECT_LT(err.size(), 4096u);
}

// The reproduced echo: a 10 MB id became two 10 MB log messages to Storm.
TEST_F(SpoutHostileInput, AHugeAckIdIsLoggedBrieflyAndTheTaskGoesOn)
{
    spout_task task(pid_dir_, {static_spout_conf(*mock_, "hostile", "g-huge-id")});
    task.storm().open();
    std::string id(10'000'000, 'i');
    id += "\x1b[2J";
    for (auto command : {&multilang::shell_spout::ack, &multilang::shell_spout::fail}) {
        auto reply = (task.storm().*command)(json(id));
        std::vector<std::string> about_id;
        for (const auto& log : reply.logs) {
            EXPECT_LT(log.msg.size(), 1024u);
            if (log.msg.find("ignoring") != std::string::npos) about_id.push_back(log.msg);
        }
        ASSERT_EQ(about_id.size(), 1u);
        EXPECT_THAT(about_id[0], HasSubstr("(10000004 bytes)"));
        EXPECT_EQ(about_id[0].find('\x1b'), std::string::npos);
    }
    EXPECT_EQ(task.next_until(20, 30s).size(), 20u);
    EXPECT_TRUE(exits_zero_after_stdin_closes(task));
}

// The reproduced stall: a line with no end was rescanned after every read and never reached the
// cap. Now the task reads to the cap at the speed of the pipe and exits 1 saying why.
TEST_F(SpoutHostileInput, ALineLongerThanTheCapEndsTheTask)
{
    ignore_sigpipe();
    spout_task task(pid_dir_, {static_spout_conf(*mock_, "hostile", "g-long-line")});
    task.storm().open();
    std::string chunk(1 << 20, 'x');
    std::size_t written = 0;
    try {
        while (written < 200u * chunk.size()) { // the task stops reading at 64 MiB
            task.process().write_raw(chunk);
            written += chunk.size();
        }
    } catch (const multilang::shell_error&) {
        // EPIPE: the task closed stdin, as it should past the cap
    }
    EXPECT_LT(written, 200u * chunk.size());
    ASSERT_TRUE(exited_cleanly_with_one(task.process()));
    std::string err = task.process().drain_stderr();
    EXPECT_THAT(err, HasSubstr("longer than 64 MiB"));
    EXPECT_LT(err.size(), 4096u);
}

// The reproduced cut: "dir\0x" opened "dir/<pid>" and the error stopped at the NUL.
TEST_F(SpoutHostileInput, ANulInPidDirIsRefusedAndNothingIsCreated)
{
    multilang::shell_command command;
    command.argv = {KSPOUT_SPOUT_BIN};
    multilang::shell_spout_options so;
    so.pid_dir = pid_dir_.path().string() + std::string("\0/elsewhere", 11);
    so.conf = static_spout_conf(*mock_, "hostile", "g-nul");
    so.context = spout_context(1, {1});
    so.handshake_timeout = 30s;
    multilang::shell_spout storm(command, so);
    EXPECT_THROW(storm.open(), multilang::shell_error);
    ASSERT_TRUE(exited_cleanly_with_one(storm.process()));
    std::string err = storm.process().drain_stderr();
    EXPECT_THAT(err, HasSubstr("pidDir holds a NUL character"));
    EXPECT_THAT(err, HasSubstr("\\x00/elsewhere"));
    EXPECT_TRUE(std::filesystem::is_empty(pid_dir_.path())) << "a pid file was written at the cut path";
}

} // namespace
} // namespace kspout::testing
