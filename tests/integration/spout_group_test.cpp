// kafka-spout tasks in one balanced group: at-least-once across a SIGKILL, scaling up and down, odd acks.
#include "tests/integration/spout_harness.hpp"
#include "tests/integration/zookeeper_server.hpp"

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
using offset_key = std::pair<std::int32_t, std::int64_t>;
using clock = std::chrono::steady_clock;

// One spout process of the group and the tuples of its last next that are not yet acked or failed.
struct group_member {
    std::int64_t task = 0;
    std::unique_ptr<spout_task> spout;
    std::vector<std::string> in_flight;
    std::size_t emitted = 0;
    bool alive = true;
};

// Plays Storm's acker for several tasks of one component. The tuples of each next are answered
// on the member's following turn, so a member dies or leaves with the tuples of its last next in flight.
// Every 7th offset (offset % 7 == 3) fails the first time it is emitted and is acked when replayed.
class group_driver {
public:
    group_driver(const mock_cluster& mock, const zookeeper_server& zk, std::string topic, std::string group,
                 int partitions)
        : mock_(mock), topic_(std::move(topic)), group_(std::move(group)), partitions_(partitions),
          conf_(balanced_spout_conf(mock, zk.connect_string(), topic_, group_))
    {
    }

    group_member& add(std::int64_t task, const std::vector<std::int64_t>& tasks)
    {
        auto m = std::make_unique<group_member>();
        m->task = task;
        m->spout = std::make_unique<spout_task>(pid_dir_, spout_task_options{conf_, task, tasks});
        m->spout->storm().open();
        m->spout->storm().activate();
        members_.push_back(std::move(m));
        return *members_.back();
    }

    // Every live member: answer its in-flight tuples, then one next.
    void round()
    {
        for (auto& m : members_) {
            if (!m->alive) continue;
            answer(*m);
            auto reply = m->spout->storm().next();
            for (const auto& l : reply.logs) {
                if (l.level == multilang::log_level::error) errors_.push_back(l.msg);
            }
            for (const auto& e : reply.emits) {
                ASSERT_TRUE(e.id.has_value());
                auto key = parse_emit_id(e);
                ASSERT_EQ(e.tuple.at(1), key.first);
                ASSERT_EQ(e.tuple.at(2), key.second);
                pending_.insert(key);
                ++emissions_[key];
                ++m->emitted;
                m->in_flight.push_back(*e.id);
            }
        }
    }

    void kill(group_member& m)
    {
        for (const auto& id : m.in_flight) lost_in_flight_.insert(parse_id(id));
        m.spout->process().signal(SIGKILL);
        auto status = m.spout->process().wait(10s);
        EXPECT_TRUE(status && WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL);
        m.in_flight.clear();
        m.alive = false;
    }

    // A clean leave: Storm closes stdin; the spout commits what was acked, leaves the group, exits 0.
    // Its unanswered tuples stay pending until a new owner emits them again.
    void leave(group_member& m)
    {
        m.spout->storm().deactivate();
        EXPECT_TRUE(exits_zero_after_stdin_closes(*m.spout)) << "task " << m.task;
        m.in_flight.clear();
        m.alive = false;
    }

    // No committed offset may pass a tuple that was emitted and is still unacked. The pending set
    // is copied before the read: nothing is acked while the read runs, so every offset in the copy
    // is still unacked at the moment the committed offsets are read.
    std::map<std::int32_t, std::int64_t> check_commits()
    {
        std::map<std::int32_t, std::int64_t> lowest_pending;
        for (const auto& [p, o] : pending_) {
            if (!lowest_pending.contains(p)) lowest_pending[p] = o;
        }
        auto committed = committed_offsets(mock_, group_, topic_, partitions_);
        for (const auto& [p, o] : lowest_pending) {
            EXPECT_LE(committed[p], o) << "partition " << p << " committed past unacked offset " << o;
            if (committed[p] >= 0) ++compared_;
        }
        for (const auto& [p, o] : committed) {
            auto [last, first_read] = last_committed_.try_emplace(p, o);
            if (o < last->second) {
                regressions_.push_back("partition " + std::to_string(p) + ": " + std::to_string(last->second) +
                                       " -> " + std::to_string(o));
            }
            last->second = std::max(last->second, o);
        }
        ++checks_;
        return committed;
    }

    // Every offset below the end offsets was acked at least once and nothing is pending.
    bool all_acked(const std::map<std::int32_t, std::int64_t>& ends) const
    {
        if (!pending_.empty()) return false;
        for (const auto& [p, end] : ends) {
            for (std::int64_t o = 0; o < end; ++o) {
                if (!acked_.contains({p, o})) return false;
            }
        }
        return true;
    }

    // Drives rounds until every offset is acked and the committed offsets reach the end offsets.
    // Checks the commit invariant every `check_every` rounds. Returns whether it got there in time.
    bool drive_to_end(const std::map<std::int32_t, std::int64_t>& ends, clock::duration limit, int check_every = 5)
    {
        auto deadline = clock::now() + limit;
        for (int r = 1; clock::now() < deadline; ++r) {
            round();
            if (::testing::Test::HasFatalFailure()) return false;
            bool done = all_acked(ends);
            if (done || r % check_every == 0) {
                auto committed = check_commits();
                if (done && committed == ends) return true;
            }
        }
        return false;
    }

    std::size_t acked_count() const { return acked_.size(); }
    std::size_t failed_count() const { return failed_once_.size(); }
    // Emissions beyond the first, not counting the replay each failed tuple asked for.
    std::size_t duplicates() const
    {
        std::size_t extra = 0;
        for (const auto& [key, n] : emissions_) {
            int asked = failed_once_.contains(key) ? 2 : 1;
            if (n > asked) extra += static_cast<std::size_t>(n - asked);
        }
        return extra;
    }
    int checks() const { return checks_; }
    const std::vector<std::string>& regressions() const { return regressions_; }
    // Comparisons of a real committed offset with a pending one: the checks were not vacuous.
    int compared() const { return compared_; }
    const std::set<offset_key>& lost_in_flight() const { return lost_in_flight_; }
    const std::map<offset_key, int>& acks() const { return acked_; }
    std::string errors() const
    {
        std::string out;
        for (const auto& e : errors_) out += e + "\n";
        return out;
    }

private:
    offset_key parse_id(const std::string& id) const
    {
        multilang::emit_message e;
        e.id = id;
        return parse_emit_id(e);
    }

    void answer(group_member& m)
    {
        for (const auto& id : m.in_flight) {
            auto key = parse_id(id);
            if (key.second % 7 == 3 && failed_once_.insert(key).second) {
                m.spout->storm().fail(id);
            } else {
                m.spout->storm().ack(id);
                ++acked_[key];
                pending_.erase(key);
            }
        }
        m.in_flight.clear();
    }

    const mock_cluster& mock_;
    std::string topic_;
    std::string group_;
    int partitions_;
    json conf_;
    temp_dir pid_dir_;
    std::vector<std::unique_ptr<group_member>> members_;
    std::set<offset_key> pending_;       // emitted, and not acked since the last emission
    std::map<offset_key, int> acked_;    // times acked
    std::map<offset_key, int> emissions_;
    std::set<offset_key> failed_once_;
    std::set<offset_key> lost_in_flight_; // in flight in a member when it was killed
    std::vector<std::string> errors_;
    int checks_ = 0;
    int compared_ = 0;
    std::map<std::int32_t, std::int64_t> last_committed_;
    std::vector<std::string> regressions_;
};

void expect_every_offset_acked(const group_driver& d, const std::map<std::int32_t, std::int64_t>& ends)
{
    std::size_t missing = 0;
    for (const auto& [p, end] : ends) {
        for (std::int64_t o = 0; o < end; ++o) missing += d.acks().contains({p, o}) ? 0 : 1;
    }
    EXPECT_EQ(missing, 0u);
}

TEST(SpoutGroup, AtLeastOnceWhenAMemberIsKilled)
{
    zookeeper_server zk;
    mock_cluster mock(3);
    mock.create_topic("kills", 6);
    constexpr int total = 600;
    produce_with_kcat(mock, "kills", total);
    auto ends = end_offsets(mock, "kills", 6);
    std::int64_t produced = 0;
    for (const auto& [p, end] : ends) produced += end;
    ASSERT_EQ(produced, total);

    group_driver d(mock, zk, "kills", "g-kills", 6);
    const std::vector<std::int64_t> tasks{1, 2, 3};
    std::vector<group_member*> members;
    for (auto t : tasks) members.push_back(&d.add(t, tasks));

    // Run until a third is acked and the victim holds tuples in flight, then SIGKILL it.
    group_member& victim = *members[1];
    auto deadline = clock::now() + 30s;
    for (int r = 1; clock::now() < deadline; ++r) {
        d.round();
        ASSERT_FALSE(::testing::Test::HasFatalFailure());
        if (r % 5 == 0) d.check_commits();
        if (d.acked_count() >= total / 3 && !victim.in_flight.empty()) break;
    }
    ASSERT_FALSE(victim.in_flight.empty()) << "the victim never held tuples in flight; " << d.errors();
    d.kill(victim);
    ASSERT_FALSE(d.lost_in_flight().empty());

    // The survivors take over the dead member's partitions after its session times out and
    // emit its unacked tuples again.
    EXPECT_TRUE(d.drive_to_end(ends, 45s)) << "acked " << d.acked_count() << " of " << total << "; " << d.errors();
    expect_every_offset_acked(d, ends);
    for (const auto& key : d.lost_in_flight()) {
        EXPECT_TRUE(d.acks().contains(key)) << "lost with the killed task: " << key.first << ":" << key.second;
    }
    EXPECT_GT(d.failed_count(), 0u);
    EXPECT_GT(d.compared(), 0);
    EXPECT_GT(members[0]->emitted, 0u);
    EXPECT_GT(members[2]->emitted, 0u);

    d.leave(*members[0]);
    d.leave(*members[2]);
    EXPECT_EQ(committed_offsets(mock, "g-kills", "kills", 6), ends);
    std::cerr << "[ info ] duplicates emitted: " << d.duplicates() << ", invariant checks: " << d.checks()
              << ", comparisons: " << d.compared() << ", regressions: " << d.regressions().size() << "\n";
    // A member releases a partition only after its revoke commit, and the next owner starts there.
    EXPECT_TRUE(d.regressions().empty()) << "committed offsets moved back: " << d.regressions().front();
}

TEST(SpoutGroup, ScalesFromOneToFourToTwoMembers)
{
    zookeeper_server zk;
    mock_cluster mock(2);
    mock.create_topic("scale", 6);
    produce_with_kcat(mock, "scale", 150);
    int produced = 150;

    group_driver d(mock, zk, "scale", "g-scale", 6);
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
