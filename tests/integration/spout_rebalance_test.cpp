// A rebalance takes partitions from a member with tuples in flight: with the revoke drain their acks
// still reach the commit, so the next owner does not emit them again; without it, it does.
#include "tests/integration/spout_harness.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using multilang::json;
using clock = std::chrono::steady_clock;

json member_conf(const mock_cluster& mock, const zookeeper_server& zk, const std::string& topic,
                 const std::string& group, int drain_ms)
{
    json conf = balanced_spout_conf(mock, zk.connect_string(), topic, group);
    conf["kafka.zookeeper.session.timeout.ms"] = 8000; // the drain must stay below it
    conf["kafka.spout.revoke.drain.ms"] = drain_ms;
    return conf;
}

// Member 1 emits every record and holds all acks. Member 2 joins; once member 1 says it is
// revoking partitions, every held tuple is acked. Returns the offsets member 2 then emits from
// the records member 1 had already emitted (none are expected with a drain).
std::set<std::string> reemitted_after_join(int drain_ms, const std::string& name)
{
    zookeeper_server zk;
    mock_cluster mock(1);
    mock.create_topic(name, 4);
    produce_with_kcat(mock, name, 80);
    temp_dir pid_dir;
    const json conf = member_conf(mock, zk, name, "g-" + name, drain_ms);

    spout_task first(pid_dir, {conf, 1, {1, 2}});
    first.storm().open();
    first.storm().activate();
    auto held = first.next_until(80, 20s);
    EXPECT_EQ(held.size(), 80u);
    std::set<std::string> held_ids;
    for (const auto& e : held) held_ids.insert(*e.id);

    spout_task second(pid_dir, {conf, 2, {1, 2}});
    second.storm().open();
    second.storm().activate();
    // Member 2 may start consuming, and emit, in the round in which member 1 says it is revoking.
    bool revoking = false;
    bool second_consuming = false;
    std::set<std::string> reemitted;
    auto answer_second = [&](const multilang::spout_reply& reply) {
        for (const auto& log : reply.logs) {
            second_consuming = second_consuming || log.msg.find("consuming partitions") != std::string::npos;
        }
        for (const auto& e : reply.emits) {
            if (held_ids.contains(*e.id)) reemitted.insert(*e.id);
            second.storm().ack(*e.id);
        }
    };
    for (auto deadline = clock::now() + 20s; !revoking && clock::now() < deadline;) {
        auto reply = first.storm().next();
        EXPECT_TRUE(reply.emits.empty()) << "nothing new was produced";
        for (const auto& log : reply.logs) revoking = revoking || log.msg.find("revoking partitions") != std::string::npos;
        answer_second(second.storm().next());
    }
    EXPECT_TRUE(revoking) << "member 1 never revoked a partition";
    for (const auto& e : held) first.storm().ack(*e.id);

    // Member 2 owns half the partitions once member 1 lets them go; it has read them when every
    // partition's committed offset reaches its end (from member 1's drain or member 2's own acks).
    const auto ends = end_offsets(mock, name, 4);
    bool all_committed = false;
    for (auto deadline = clock::now() + 30s; !all_committed && clock::now() < deadline;) {
        first.storm().next();
        answer_second(second.storm().next());
        all_committed = second_consuming && committed_offsets(mock, "g-" + name, name, 4) == ends;
    }
    EXPECT_TRUE(second_consuming) << "member 2 never got partitions";
    EXPECT_TRUE(all_committed) << "the group never committed every partition's end";
    EXPECT_TRUE(exits_zero_after_stdin_closes(first));
    EXPECT_TRUE(exits_zero_after_stdin_closes(second));
    return reemitted;
}

// Sends next to `task` and the others, acking whatever they emit, until `task`'s reply logs `text`.
bool until_logged(spout_task& task, const std::string& text, std::vector<spout_task*> others)
{
    for (auto deadline = clock::now() + 20s; clock::now() < deadline;) {
        auto reply = task.storm().next();
        for (const auto& e : reply.emits) task.storm().ack(*e.id);
        for (const auto& log : reply.logs) {
            if (log.msg.find(text) != std::string::npos) return true;
        }
        for (auto* other : others) {
            for (const auto& e : other->storm().next().emits) other->storm().ack(*e.id);
        }
    }
    return false;
}

TEST(SpoutRebalance, DrainLetsInFlightAcksReachTheCommitBeforeTheRelease)
{
    auto reemitted = reemitted_after_join(6000, "drain");
    EXPECT_TRUE(reemitted.empty()) << reemitted.size() << " acked tuples were emitted again, e.g. "
                                   << *reemitted.begin();
}

// The control: without the drain the same acks come too late for the revoke commit.
TEST(SpoutRebalance, WithoutTheDrainTheNextOwnerEmitsTheHeldTuplesAgain)
{
    auto reemitted = reemitted_after_join(0, "nodrain");
    EXPECT_FALSE(reemitted.empty());
}

// The drain ends on a fail: the failed tuples' partitions go to the newcomer, and when they come
// back to the first member (the newcomer leaves) nothing of the earlier ownership holds them up.
TEST(SpoutRebalance, PartitionsReleasedOnAFailComeBackWithoutStaleReplays)
{
    zookeeper_server zk;
    mock_cluster mock(1);
    mock.create_topic("failback", 4);
    produce_with_kcat(mock, "failback", 80);
    auto ends = end_offsets(mock, "failback", 4);
    temp_dir pid_dir;
    const json conf = member_conf(mock, zk, "failback", "g-failback", 6000);

    spout_task first(pid_dir, {conf, 1, {1, 2}});
    first.storm().open();
    first.storm().activate();
    auto held = first.next_until(80, 20s);
    ASSERT_EQ(held.size(), 80u);
    {
        spout_task second(pid_dir, {conf, 2, {1, 2}});
        second.storm().open();
        second.storm().activate();
        bool revoking = false;
        for (auto deadline = clock::now() + 20s; !revoking && clock::now() < deadline;) {
            for (const auto& log : first.storm().next().logs) {
                revoking = revoking || log.msg.find("revoking partitions") != std::string::npos;
            }
            second.storm().next();
        }
        ASSERT_TRUE(revoking);
        for (const auto& e : held) first.storm().fail(*e.id);
        // The newcomer reads its half and acks it, then leaves.
        ASSERT_TRUE(until_logged(second, "consuming partitions", {&first}));
        for (auto deadline = clock::now() + 3s; clock::now() < deadline;) {
            for (const auto& e : second.storm().next().emits) second.storm().ack(*e.id);
            for (const auto& e : first.storm().next().emits) first.storm().ack(*e.id);
        }
        EXPECT_TRUE(exits_zero_after_stdin_closes(second));
    }
    // All four partitions are the first member's again; it reads and acks to the end.
    auto deadline = clock::now() + 30s;
    while (committed_offsets(mock, "g-failback", "failback", 4) != ends && clock::now() < deadline) {
        for (int i = 0; i < 20; ++i) {
            for (const auto& e : first.storm().next().emits) first.storm().ack(*e.id);
        }
    }
    EXPECT_EQ(committed_offsets(mock, "g-failback", "failback", 4), ends);
    EXPECT_TRUE(exits_zero_after_stdin_closes(first));
}

} // namespace
} // namespace kspout::testing
