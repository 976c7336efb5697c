// Test helper: plays Storm's acker for several kafka-spout tasks of one balanced group and checks at-least-once.
#pragma once

#include "tests/integration/spout_harness.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <csignal>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace kspout::testing {

// (partition, offset) of one tuple.
using offset_key = std::pair<std::int32_t, std::int64_t>;

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
    group_driver(std::string bootstrap, const zookeeper_server& zk, std::string topic, std::string group,
                 int partitions)
        : bootstrap_(std::move(bootstrap)), topic_(std::move(topic)), group_(std::move(group)),
          partitions_(partitions), conf_(balanced_spout_conf(bootstrap_, zk.connect_string(), topic_, group_))
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
        auto status = m.spout->process().wait(std::chrono::seconds(10));
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
        auto committed = committed_offsets(bootstrap_, group_, topic_, partitions_);
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
    bool drive_to_end(const std::map<std::int32_t, std::int64_t>& ends, std::chrono::steady_clock::duration limit,
                      int check_every = 5)
    {
        auto deadline = std::chrono::steady_clock::now() + limit;
        for (int r = 1; std::chrono::steady_clock::now() < deadline; ++r) {
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

    std::string bootstrap_;
    std::string topic_;
    std::string group_;
    int partitions_;
    multilang::json conf_;
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

inline void expect_every_offset_acked(const group_driver& d, const std::map<std::int32_t, std::int64_t>& ends)
{
    std::size_t missing = 0;
    for (const auto& [p, end] : ends) {
        for (std::int64_t o = 0; o < end; ++o) missing += d.acks().contains({p, o}) ? 0 : 1;
    }
    EXPECT_EQ(missing, 0u);
}

} // namespace kspout::testing
