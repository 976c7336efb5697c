// The bolt host side against a real subprocess: Storm's ShellBolt rules, fatal cases and clean exits.
#include "multilang/shell_bolt.hpp"
#include "tests/integration/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <filesystem>

namespace kspout::multilang {
namespace {

using namespace std::chrono_literals;

shell_command upper_bolt()
{
    shell_command command;
    command.argv = {KSPOUT_UPPER_BOLT_BIN};
    return command;
}

json bolt_context()
{
    return json::parse(R"({"taskid":5,"componentid":"upper","task->component":{"5":"upper","3":"words"},
        "stream->outputfields":{"default":["word"]}})");
}

bolt_tuple word(std::string text, std::string id = "")
{
    bolt_tuple t;
    t.id = std::move(id);
    t.component = "words";
    t.stream = "default";
    t.task = 3;
    t.values = json::array({std::move(text)});
    return t;
}

class ShellBoltTest : public ::testing::Test {
protected:
    testing::temp_dir pid_dir;

    shell_bolt_options options(json conf = json::object(), std::chrono::milliseconds timeout = 2s)
    {
        shell_bolt_options o;
        o.conf = std::move(conf);
        o.context = bolt_context();
        o.pid_dir = pid_dir.path().string();
        o.timeout = timeout;
        return o;
    }

    shell_bolt make(json conf = json::object(), std::chrono::milliseconds timeout = 2s)
    {
        return shell_bolt(upper_bolt(), options(std::move(conf), timeout));
    }
};

TEST_F(ShellBoltTest, HandshakeTupleEmitsAnchoredAndAcks)
{
    auto bolt = make();
    std::int64_t pid = bolt.open();
    EXPECT_EQ(pid, bolt.process().pid());
    EXPECT_TRUE(std::filesystem::exists(pid_dir / std::to_string(pid)));

    bolt_tuple input = word("héllo, world");
    auto out = bolt.process_tuple(input);
    ASSERT_EQ(out.emits.size(), 1u);
    ASSERT_EQ(out.acked.size(), 1u);
    const std::string id = out.acked[0];
    EXPECT_FALSE(id.empty());
    EXPECT_EQ(out.emits[0].tuple, json::array({"HéLLO, WORLD"}));
    EXPECT_EQ(out.emits[0].anchors, std::vector<std::string>{id});
    EXPECT_EQ(out.emits[0].stream, "default");
    EXPECT_FALSE(out.emits[0].id.has_value());
    EXPECT_FALSE(out.emits[0].need_task_ids);
    EXPECT_TRUE(out.failed.empty());
    EXPECT_EQ(bolt.pending_count(), 0u);
}

TEST_F(ShellBoltTest, HeartbeatIsAnsweredWithSync)
{
    auto bolt = make();
    bolt.open();
    auto out = bolt.heartbeat();
    EXPECT_EQ(out.syncs, 1u);
    EXPECT_EQ(out.messages, 1u);
    EXPECT_TRUE(out.emits.empty());
    EXPECT_EQ(bolt.pending_count(), 0u); // heartbeats are never pending
    EXPECT_EQ(bolt.heartbeat().syncs, 1u);
}

TEST_F(ShellBoltTest, ManyTuplesInFlightThenHeartbeat)
{
    auto bolt = make();
    bolt.open();
    std::vector<std::string> ids;
    for (std::string w : {"a", "bb", "ccc"}) ids.push_back(bolt.execute(word(w)));
    EXPECT_EQ(bolt.pending_count(), 3u);
    bolt.send_heartbeat();
    auto out = bolt.read_until([](const bolt_output& o) { return o.acked.size() == 3 && o.syncs == 1; });
    EXPECT_EQ(out.acked, ids);
    ASSERT_EQ(out.emits.size(), 3u);
    EXPECT_EQ(out.emits[1].tuple, json::array({"BB"}));
    EXPECT_EQ(out.emits[2].anchors, std::vector<std::string>{ids[2]});
    EXPECT_EQ(bolt.pending_count(), 0u);
}

TEST_F(ShellBoltTest, NonStringFieldIsFailedAndTickIsAcked)
{
    auto bolt = make();
    bolt.open();
    bolt_tuple number = word("x", "77");
    number.values = json::array({12});
    auto failed = bolt.process_tuple(number);
    EXPECT_EQ(failed.failed, std::vector<std::string>{"77"});
    EXPECT_TRUE(failed.emits.empty());
    ASSERT_EQ(failed.logs.size(), 1u);
    EXPECT_EQ(failed.logs[0].level, log_level::warn);

    bolt_tuple tick;
    tick.component = "__system";
    tick.stream = "__tick";
    tick.task = -1;
    tick.values = json::array({30});
    auto ticked = bolt.process_tuple(tick);
    EXPECT_EQ(ticked.acked.size(), 1u);
    EXPECT_TRUE(ticked.emits.empty());
}

TEST_F(ShellBoltTest, UnknownCommandIsIgnoredButRead)
{
    auto bolt = make({{"test.misbehave", "bogus_command"}});
    bolt.open();
    auto out = bolt.process_tuple(word("go"));
    EXPECT_EQ(out.ignored, std::vector<std::string>{"bogus"});
    EXPECT_EQ(out.emits.size(), 1u);
    EXPECT_EQ(out.acked.size(), 1u);
    EXPECT_EQ(out.messages, 3u); // the ignored command counts as a heartbeat like any message
}

TEST_F(ShellBoltTest, TaskIdsAreWrittenBackWhenAsked)
{
    auto o = options({{"test.misbehave", "need_ids"}});
    int asked = 0;
    o.task_ids_for = [&](const emit_message&) {
        ++asked;
        return std::vector<std::int64_t>{8, 9};
    };
    shell_bolt bolt(upper_bolt(), o);
    bolt.open();
    EXPECT_EQ(bolt.process_tuple(word("one")).emits.size(), 1u);
    EXPECT_EQ(bolt.process_tuple(word("two")).emits.size(), 1u); // the first array was dropped silently
    EXPECT_EQ(asked, 2);
    EXPECT_EQ(bolt.heartbeat().syncs, 1u);
}

TEST_F(ShellBoltTest, StdinEofEndsTheSubprocessCleanly)
{
    auto bolt = make();
    bolt.open();
    bolt.process_tuple(word("bye"));
    bolt.process().close_stdin();
    auto status = bolt.process().wait(5s);
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 0);
}

TEST_F(ShellBoltTest, MalformedInputMakesTheSubprocessExitNonZero)
{
    auto bolt = make();
    bolt.open();
    bolt.process().write_raw("{\"id\":\"1\",\"tuple\":\nend\n");
    auto status = bolt.process().wait(5s);
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status));
    EXPECT_NE(WEXITSTATUS(*status), 0);
    EXPECT_NE(bolt.process().drain_stderr().find("malformed JSON"), std::string::npos);
}

struct fatal_case {
    const char* misbehave;
    const char* expected;
};

class ShellBoltFatal : public ShellBoltTest, public ::testing::WithParamInterface<fatal_case> {};

TEST_P(ShellBoltFatal, StormWouldKillTheWorker)
{
    auto bolt = make({{"test.misbehave", GetParam().misbehave}}, 500ms);
    bolt.open();
    bolt.execute(word("boom", "42"));
    bolt.send_heartbeat();
    try {
        bolt.read_until([](const bolt_output&) { return false; });
        FAIL() << "no error for " << GetParam().misbehave;
    } catch (const shell_error& e) {
        EXPECT_NE(std::string(e.what()).find(GetParam().expected), std::string::npos) << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ShellBoltFatal,
    ::testing::Values(fatal_case{"ack_twice", "Acked a non-existent or already acked/failed id: 42"},
                      fatal_case{"fail_unknown", "Failed a non-existent or already acked/failed id: no-such-id"},
                      fatal_case{"anchor_after_ack", "Anchored onto 42 after ack/fail"},
                      fatal_case{"stream", "Unknown stream ID: undeclared"},
                      fatal_case{"hang", "subprocess heartbeat timeout"}));

} // namespace
} // namespace kspout::multilang
