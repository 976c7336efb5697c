// The kafka-spout executable driven like Storm's ShellSpout, with static partition assignment.
#include "tests/integration/process.hpp"
#include "tests/integration/spout_harness.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <filesystem>
#include <set>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using multilang::json;

// Run once per engine (KSPOUT_TEST_ENGINE): the task says which one reads for it.
TEST(SpoutStatic, TheFirstLogLineNamesTheEngine)
{
    mock_cluster mock(1);
    mock.create_topic("hello", 1);
    temp_dir pid_dir;
    spout_task task(pid_dir, {static_spout_conf(mock, "hello", "g-hello")});
    task.storm().open();
    std::string hello;
    auto look = [&](const multilang::spout_reply& reply) {
        for (const auto& log : reply.logs) {
            if (log.msg.find("kafka-spout: task") != std::string::npos) hello = log.msg;
        }
    };
    look(task.storm().activate());
    for (int i = 0; i < 20 && hello.empty(); ++i) look(task.storm().next());
    EXPECT_NE(hello.find("(static assignment, " + test_engine() + " engine)"), std::string::npos) << hello;
    EXPECT_TRUE(exits_zero_after_stdin_closes(task));
}

TEST(SpoutStatic, EmitsAckReplaysAndCommitsOnlyAckedOffsets)
{
    mock_cluster mock(3);
    mock.create_topic("events", 4);
    produce_with_kcat(mock, "events", 200);
    temp_dir pid_dir;
    spout_task task(pid_dir, {static_spout_conf(mock, "events", "g-static")});

    std::int64_t pid = task.storm().open();
    EXPECT_EQ(pid, task.process().pid());
    EXPECT_TRUE(std::filesystem::exists(pid_dir / std::to_string(pid)));
    task.storm().activate();

    auto emits = task.next_until(200, 60s);
    ASSERT_EQ(emits.size(), 200u);
    std::map<std::int32_t, std::set<std::int64_t>> unacked;
    for (const auto& e : emits) {
        ASSERT_TRUE(e.id.has_value());
        EXPECT_FALSE(e.need_task_ids);
        EXPECT_FALSE(e.task.has_value());
        ASSERT_EQ(e.tuple.size(), 5u);
        EXPECT_EQ(e.tuple[0], "events");
        auto [p, o] = parse_emit_id(e);
        EXPECT_EQ(e.tuple[1], p);
        EXPECT_EQ(e.tuple[2], o);
        EXPECT_TRUE(unacked[p].insert(o).second) << "emitted twice: " << *e.id;
        EXPECT_EQ(e.tuple[4].get<std::string>().substr(0, 6), "value-");
    }

    // Ack all but the first tuple of each partition, which fails instead.
    std::vector<std::string> failed;
    for (const auto& e : emits) {
        auto [p, o] = parse_emit_id(e);
        if (o == *unacked[p].begin()) {
            failed.push_back(*e.id);
            task.storm().fail(*e.id);
        } else {
            task.storm().ack(*e.id);
            unacked[p].erase(o);
        }
    }
    // Give the periodic commit time to run, then check it did not pass the failed tuples.
    auto replays = task.next_until(failed.size(), 1s); // replays may come back already
    auto committed = committed_offsets(mock, "g-static", "events", 4);
    for (const auto& [p, offsets] : unacked) {
        if (!offsets.empty()) {
            EXPECT_LE(committed[p], *offsets.begin()) << "partition " << p;
        }
    }

    // The failed tuples are replayed; acking them lets the commit reach the end of each partition.
    auto more = task.next_until(failed.size() - replays.size(), 30s);
    replays.insert(replays.end(), more.begin(), more.end());
    std::set<std::string> replayed_ids;
    for (const auto& e : replays) {
        replayed_ids.insert(*e.id);
        task.storm().ack(*e.id);
    }
    EXPECT_EQ(replayed_ids, std::set<std::string>(failed.begin(), failed.end()));
    auto ends = end_offsets(mock, "events", 4);
    bool reached = false;
    for (int i = 0; i < 20 && !reached; ++i) {
        task.next_until(1000, 300ms);
        reached = committed_offsets(mock, "g-static", "events", 4) == ends;
    }
    EXPECT_TRUE(reached);

    task.storm().deactivate();
    EXPECT_TRUE(exits_zero_after_stdin_closes(task));
}

TEST(SpoutStatic, TasksSplitPartitionsByIndex)
{
    mock_cluster mock(2);
    mock.create_topic("split", 6);
    produce_with_kcat(mock, "split", 120);
    temp_dir pid_dir;
    auto ends = end_offsets(mock, "split", 6);
    std::map<std::int32_t, int> owner;
    int total = 0;
    for (std::int64_t t : {7, 3}) { // task ids sort to 3 (index 0), 7 (index 1)
        spout_task_options o{static_spout_conf(mock, "split", "g-split"), t, {3, 7}};
        spout_task task(pid_dir, o);
        task.storm().open();
        std::size_t expected = 0;
        for (const auto& [p, end] : ends) {
            if (p % 2 == (t == 3 ? 0 : 1)) expected += static_cast<std::size_t>(end);
        }
        auto emits = task.next_until(expected, 30s);
        EXPECT_EQ(emits.size(), expected);
        for (const auto& e : emits) {
            auto [p, offset] = parse_emit_id(e);
            EXPECT_EQ(p % 2, t == 3 ? 0 : 1) << "task " << t << " got partition " << p;
            owner[p] = static_cast<int>(t);
            ++total;
        }
    }
    EXPECT_EQ(total, 120);
    EXPECT_EQ(owner.size(), 6u);
}

TEST(SpoutStatic, RepliesStayWithinTheSubprocessTimeoutWhileBrokersAreSlow)
{
    mock_cluster mock(1);
    mock.create_topic("slow", 2);
    produce_with_kcat(mock, "slow", 10);
    mock.set_rtt(1, 2500ms); // every broker reply takes longer than Storm's 2 s timeout
    temp_dir pid_dir;
    spout_task_options o{static_spout_conf(mock, "slow", "g-slow")};
    o.timeout = 2s;
    spout_task task(pid_dir, o);
    task.storm().open();
    // shell_spout throws if any command goes unanswered for the timeout, as Storm would kill us.
    std::size_t got = 0;
    for (int i = 0; i < 40; ++i) got += task.storm().next().emits.size();
    task.storm().ack("slow:0:0");
    task.storm().deactivate();
    task.storm().activate();
    EXPECT_LE(got, 10u);
}

TEST(SpoutStatic, MalformedInputExitsNonZeroWithAClearError)
{
    mock_cluster mock(1);
    mock.create_topic("bad", 1);
    temp_dir pid_dir;
    spout_task task(pid_dir, {static_spout_conf(mock, "bad", "g-bad")});
    task.storm().open();
    task.process().write_raw("{\"command\": \"next\", \"id\": \nend\n");
    auto status = task.process().wait(20s);
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) != 0);
    EXPECT_NE(task.process().drain_stderr().find("malformed JSON"), std::string::npos);
}

TEST(SpoutStatic, BadSettingsAreNamedAndTheHandshakeIsRefused)
{
    mock_cluster mock(1);
    temp_dir pid_dir;
    json conf = static_spout_conf(mock, "t", "g");
    conf["kafka.fetch.min.bytes"] = "lots";
    conf["kafka.no.such.key"] = 1;
    spout_task task(pid_dir, {conf});
    EXPECT_THROW(task.storm().open(), multilang::shell_error);
    auto status = task.process().wait(20s);
    ASSERT_TRUE(status.has_value());
    EXPECT_NE(WEXITSTATUS(*status), 0);
    std::string err = task.process().drain_stderr();
    EXPECT_NE(err.find("kafka.fetch.min.bytes"), std::string::npos) << err;
    EXPECT_NE(err.find("kafka.no.such.key"), std::string::npos) << err;
}

} // namespace
} // namespace kspout::testing
