// kafka-spout tasks in one balanced group: at-least-once across a SIGKILL, scaling up and down, odd acks.
#include "tests/integration/group_driver.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using multilang::json;
using clock = std::chrono::steady_clock;

TEST(SpoutGroup, AtLeastOnceWhenAMemberIsKilled)
{
    zookeeper_server zk;
    mock_cluster mock(3);
    mock.create_topic("kills", 6);
    produce_with_kcat(mock, "kills", 600);
    expect_at_least_once_across_a_kill(mock.bootstrap(), zk, "kills", 6, 600);
}

TEST(SpoutGroup, ScalesFromOneToFourToTwoMembers)
{
    zookeeper_server zk;
    mock_cluster mock(2);
    mock.create_topic("scale", 6);
    produce_with_kcat(mock, "scale", 150);
    int produced = 150;

    group_driver d(mock.bootstrap(), zk, "scale", "g-scale", 6);
    const std::vector<std::int64_t> tasks{1, 2, 3, 4};
    group_member& first = d.add(1, tasks);
    auto deadline = clock::now() + 20s;
    while (d.acked_count() < 75 && clock::now() < deadline) {
        d.round();
        ASSERT_FALSE(::testing::Test::HasFatalFailure());
    }
    ASSERT_GE(d.acked_count(), 75u) << d.errors();

    // Three more join; keep producing until each of the four has emitted (the rebalance has
    // given every member partitions of its own).
    std::vector<group_member*> joined;
    for (std::int64_t t : {2, 3, 4}) joined.push_back(&d.add(t, tasks));
    std::size_t first_before = first.emitted;
    deadline = clock::now() + 30s;
    auto everyone_emitted = [&] {
        if (first.emitted == first_before) return false;
        for (auto* m : joined) {
            if (m->emitted == 0) return false;
        }
        return true;
    };
    for (int r = 1; !everyone_emitted() && clock::now() < deadline; ++r) {
        if (r % 10 == 1) {
            produce_with_kcat(mock, "scale", 30, produced);
            produced += 30;
        }
        d.round();
        ASSERT_FALSE(::testing::Test::HasFatalFailure());
        if (r % 15 == 0) d.check_commits();
    }
    ASSERT_TRUE(everyone_emitted()) << d.errors();

    // Two leave cleanly with tuples in flight; the remaining two take over their partitions.
    d.leave(*joined[0]);
    d.leave(*joined[1]);
    produce_with_kcat(mock, "scale", 150, produced);
    produced += 150;
    auto ends = end_offsets(mock, "scale", 6);
    std::int64_t sum = 0;
    for (const auto& [p, end] : ends) sum += end;
    ASSERT_EQ(sum, produced);

    EXPECT_TRUE(d.drive_to_end(ends, 40s)) << "acked " << d.acked_count() << " of " << produced << "; "
                                            << d.errors();
    expect_every_offset_acked(d, ends);
    EXPECT_GT(d.compared(), 0);
    EXPECT_TRUE(d.regressions().empty()) << "committed offsets moved back: " << d.regressions().front();

    d.leave(first);
    d.leave(*joined[2]);
    EXPECT_EQ(committed_offsets(mock, "g-scale", "scale", 6), ends);
}

// Acks Storm may deliver that match no tuple in flight: each gets its sync, and the spout goes on.
TEST(SpoutGroup, StrayAcksAreAnsweredAndIgnored)
{
    zookeeper_server zk;
    mock_cluster mock(1);
    mock.create_topic("odd", 4);
    produce_with_kcat(mock, "odd", 80);
    auto ends = end_offsets(mock, "odd", 4);
    temp_dir pid_dir;
    const std::vector<std::int64_t> tasks{1, 2};
    auto conf = balanced_spout_conf(mock, zk.connect_string(), "odd", "g-odd");
    spout_task a(pid_dir, {conf, 1, tasks});
    a.storm().open();
    a.storm().activate();
    auto first = a.next_until(80, 30s);
    ASSERT_EQ(first.size(), 80u);

    // B joins and takes some partitions from A; A's tuples on those are now from revoked partitions.
    spout_task b(pid_dir, {conf, 2, tasks});
    b.storm().open();
    b.storm().activate();
    std::vector<multilang::emit_message> from_b;
    std::vector<multilang::emit_message> a_again; // A emits its kept partitions again after the rebalance
    auto deadline = clock::now() + 30s;
    while (from_b.empty() && clock::now() < deadline) {
        auto again = a.storm().next();
        a_again.insert(a_again.end(), again.emits.begin(), again.emits.end());
        auto reply = b.storm().next();
        from_b.insert(from_b.end(), reply.emits.begin(), reply.emits.end());
    }
    ASSERT_FALSE(from_b.empty());
    std::int32_t moved = parse_emit_id(from_b.front()).first;

    std::vector<json> stray{"odd:0:999999", "garbage", 17, "other:0:1", "odd:99:0", json::object()};
    for (const auto& e : first) {
        if (parse_emit_id(e).first == moved) stray.push_back(*e.id); // revoked from A
    }
    for (const auto& id : stray) {
        auto reply = a.storm().ack(id);
        EXPECT_TRUE(reply.emits.empty()) << id.dump();
        EXPECT_TRUE(reply.errors.empty()) << id.dump();
    }
    for (const json& id : {json("garbage"), json("odd:99:0")}) {
        auto reply = a.storm().fail(id);
        EXPECT_TRUE(reply.emits.empty()) << id.dump();
    }
    // One sync per command: nothing more is waiting on A's stdout.
    EXPECT_THROW(a.process().read_message(500ms), multilang::shell_error);

    // Both still work: ack everything each emits until the commits reach the end.
    for (const auto& e : first) {
        if (parse_emit_id(e).first != moved) a.storm().ack(*e.id);
    }
    for (const auto& e : a_again) a.storm().ack(*e.id);
    for (const auto& e : from_b) b.storm().ack(*e.id);
    bool reached = false;
    for (int i = 0; i < 40 && !reached; ++i) {
        for (auto* t : {&a, &b}) {
            for (const auto& e : t->next_until(1000, 200ms)) t->storm().ack(*e.id);
        }
        reached = committed_offsets(mock, "g-odd", "odd", 4) == ends;
    }
    EXPECT_TRUE(reached);
    for (auto* t : {&a, &b}) EXPECT_TRUE(exits_zero_after_stdin_closes(*t));
}

} // namespace
} // namespace kspout::testing
