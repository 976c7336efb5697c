// The host side against a real subprocess: Storm's ShellSpout rules, fatal cases and clean exits.
#include "multilang/shell_spout.hpp"
#include "tests/integration/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <filesystem>

namespace kspout::multilang {
namespace {

using namespace std::chrono_literals;

shell_command counting_spout()
{
    shell_command command;
    command.argv = {KSPOUT_COUNTING_SPOUT_BIN};
    return command;
}

json spout_context()
{
    return json::parse(R"({"taskid":3,"componentid":"numbers","task->component":{"3":"numbers","1":"__acker"},
        "stream->outputfields":{"default":["n"]}})");
}

class ShellSpoutTest : public ::testing::Test {
protected:
    testing::temp_dir pid_dir;

    shell_spout make(json conf = json::object(), std::chrono::milliseconds timeout = 2s)
    {
        shell_spout_options options;
        options.conf = std::move(conf);
        options.context = spout_context();
        options.pid_dir = pid_dir.path().string();
        options.timeout = timeout;
        return shell_spout(counting_spout(), options);
    }
};

TEST_F(ShellSpoutTest, HandshakeNextAckFail)
{
    auto spout = make({{"test.emit.per.next", 3}});
    std::int64_t pid = spout.open();
    EXPECT_EQ(pid, spout.process().pid());
    EXPECT_TRUE(std::filesystem::exists(pid_dir / std::to_string(pid)));
    EXPECT_TRUE(spout.activate().emits.empty());
    auto reply = spout.next();
    ASSERT_EQ(reply.emits.size(), 3u);
    EXPECT_EQ(reply.emits[0].id, "1");
    EXPECT_EQ(reply.emits[2].tuple, json::array({3}));
    EXPECT_FALSE(reply.emits[0].need_task_ids);
    auto acked = spout.ack("2");
    ASSERT_EQ(acked.logs.size(), 1u);
    EXPECT_EQ(acked.logs[0].msg, "acked \"2\"");
    auto failed = spout.fail("3");
    ASSERT_EQ(failed.logs.size(), 1u);
    EXPECT_EQ(failed.logs[0].level, log_level::warn);
    EXPECT_TRUE(spout.deactivate().emits.empty());
}

TEST_F(ShellSpoutTest, StdinEofEndsTheSubprocessCleanly)
{
    auto spout = make();
    spout.open();
    spout.next();
    spout.process().close_stdin();
    auto status = spout.process().wait(5s);
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 0);
}

TEST_F(ShellSpoutTest, MalformedCommandMakesTheSubprocessExitNonZero)
{
    auto spout = make();
    spout.open();
    spout.process().write_raw("{\"command\":\"next\",\"id\":\nend\n");
    auto status = spout.process().wait(5s);
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status));
    EXPECT_NE(WEXITSTATUS(*status), 0);
    EXPECT_NE(spout.process().drain_stderr().find("malformed JSON"), std::string::npos);
}

TEST_F(ShellSpoutTest, TaskIdsAreWrittenBackWhenAsked)
{
    auto options_conf = json{{"test.misbehave", "need_ids"}, {"test.emit.per.next", 2}};
    shell_spout_options options;
    options.conf = options_conf;
    options.context = spout_context();
    options.pid_dir = pid_dir.path().string();
    int asked = 0;
    options.task_ids_for = [&](const emit_message&) {
        ++asked;
        return std::vector<std::int64_t>{7};
    };
    shell_spout spout(counting_spout(), options);
    spout.open();
    EXPECT_EQ(spout.next().emits.size(), 2u);
    EXPECT_EQ(asked, 2);
    EXPECT_EQ(spout.next().emits.size(), 2u); // the arrays were consumed silently
}

struct fatal_case {
    const char* misbehave;
    const char* expected;
};

class ShellSpoutFatal : public ShellSpoutTest, public ::testing::WithParamInterface<fatal_case> {};

TEST_P(ShellSpoutFatal, StormWouldKillTheWorker)
{
    auto spout = make({{"test.misbehave", GetParam().misbehave}}, 500ms);
    spout.open();
    try {
        spout.next();
        FAIL() << "no error for " << GetParam().misbehave;
    } catch (const shell_error& e) {
        EXPECT_NE(std::string(e.what()).find(GetParam().expected), std::string::npos) << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, ShellSpoutFatal,
                         ::testing::Values(fatal_case{"ack", "Unknown command received: ack"},
                                           fatal_case{"stream", "Unknown stream ID: undeclared"},
                                           fatal_case{"arity", "wrong number of fields"},
                                           fatal_case{"silence", "sent nothing within 500 ms"},
                                           fatal_case{"bad_json", "malformed JSON"}));

TEST_F(ShellSpoutTest, StderrIsDrainedAfterWrites)
{
    std::string seen;
    shell_spout_options options;
    options.conf = {{"test.misbehave", "stderr"}};
    options.context = spout_context();
    options.pid_dir = pid_dir.path().string();
    options.on_stderr = [&](const std::string& text) { seen += text; };
    shell_spout spout(counting_spout(), options);
    spout.open();
    spout.next();
    spout.next(); // the first next's stderr is drained after this write
    EXPECT_NE(seen.find("diagnostics on stderr"), std::string::npos);
}

} // namespace
} // namespace kspout::multilang
