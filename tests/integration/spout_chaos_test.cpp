// Chaos soak: kafka-spout tasks of one balanced group consume a topic while, at random, tasks are
// SIGKILLed and restarted, stalled past their ZooKeeper session, brokers go down and come back,
// leaders move, errors are injected, ZooKeeper restarts, and tuples fail or time out. At the end
// every offset was acked at least once and committed == end; sampled all along, no commit passed
// an unacked tuple. The short run is a test; scripts/chaos-soak.sh runs the long one (200k
// messages over 64 partitions) through the same code with KSPOUT_CHAOS_* settings.
#include "protocol/wire/api_key.hpp"
#include "tests/integration/group_driver.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <string>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;
using multilang::json;

int setting(const char* name, int fallback)
{
    const char* v = std::getenv(name);
    return v && *v ? std::atoi(v) : fallback;
}

struct chaos_settings {
    int tasks = setting("KSPOUT_CHAOS_TASKS", 4);
    int partitions = setting("KSPOUT_CHAOS_PARTITIONS", 16);
    int messages = setting("KSPOUT_CHAOS_MESSAGES", 20000);
    int faults = setting("KSPOUT_CHAOS_FAULTS", 10);
    unsigned seed = seed_setting();

    // KSPOUT_CHAOS_SEED replays a run: the report prints the seed it used.
    static unsigned seed_setting()
    {
        const char* v = std::getenv("KSPOUT_CHAOS_SEED");
        return v && *v ? static_cast<unsigned>(std::strtoul(v, nullptr, 10)) : std::random_device{}();
    }
};

enum class fault { kill, stall, broker_down, leader_move, errors, zookeeper_restart };
constexpr fault all_faults[] = {fault::kill,        fault::stall,  fault::broker_down,
                                fault::leader_move, fault::errors, fault::zookeeper_restart};

const char* name(fault f)
{
    switch (f) {
    case fault::kill: return "task SIGKILLed and restarted";
    case fault::stall: return "task stalled past its ZooKeeper session";
    case fault::broker_down: return "broker down and up";
    case fault::leader_move: return "partition leader moved";
    case fault::errors: return "broker errors injected";
    case fault::zookeeper_restart: return "ZooKeeper restarted";
    }
    return "?";
}

class chaos_run {
public:
    explicit chaos_run(const chaos_settings& s)
        : s_(s), rng_(s.seed), mock_(3), driver_(mock_.bootstrap(), zk_, "chaos", "g-chaos", s.partitions, chaos_conf())
    {
        mock_.create_topic("chaos", s.partitions);
        produce_with_kcat(mock_, "chaos", s.messages);
        ends_ = end_offsets(mock_, "chaos", s.partitions);
        std::vector<std::int64_t> tasks;
        for (int t = 1; t <= s.tasks; ++t) tasks.push_back(t);
        for (auto t : tasks) driver_.add(t, tasks);
        driver_.enable_timeouts(25);
    }

    // Faults while the first 80% of the messages are acked, one per step of that range.
    void run_faults()
    {
        auto deadline = clock::now() + std::chrono::seconds(60 + 20 * s_.faults);
        for (int done = 0; done < s_.faults && clock::now() < deadline;) {
            driver_.round();
            if (::testing::Test::HasFatalFailure()) return;
            if (++rounds_ % 10 == 0) driver_.check_commits();
            auto due = static_cast<std::size_t>(0.8 * s_.messages * (done + 1) / (s_.faults + 1));
            if (driver_.acked_count() < due) continue;
            inject(all_faults[std::uniform_int_distribution<std::size_t>(0, std::size(all_faults) - 1)(rng_)]);
            ++done;
        }
    }

    bool drive_to_end() { return driver_.drive_to_end(ends_, std::chrono::seconds(120), 10); }

    void leave_all()
    {
        for (auto* m : driver_.members()) {
            if (m->alive) driver_.leave(*m);
        }
    }

    std::int64_t total() const
    {
        std::int64_t sum = 0;
        for (const auto& [p, end] : ends_) sum += end;
        return sum;
    }

    void print_report(std::ostream& out) const
    {
        out << "chaos soak (seed " << s_.seed << "): " << s_.tasks << " tasks, " << s_.partitions << " partitions\n"
            << "  messages             " << total() << "\n"
            << "  acked                " << driver_.acked_count() << "\n"
            << "  failed once (bolt)   " << driver_.failed_count() << "\n"
            << "  timed out once       " << driver_.timed_out_count() << "\n"
            << "  duplicates           " << driver_.duplicates() << " (of offsets below a commit already made: "
            << driver_.emitted_below_commit() << ")\n"
            << "  lost                 " << driver_.missing(ends_) << "\n"
            << "  commit checks        " << driver_.checks() << " (" << driver_.compared() << " comparisons)\n"
            << "  peak RSS of a task   " << driver_.peak_rss_kib() / 1024 << " MiB\n"
            << "  faults injected      " << injected_total() << "\n";
        for (const auto& [f, n] : injected_) out << "    " << name(f) << ": " << n << "\n";
    }

    int injected_total() const
    {
        int n = 0;
        for (const auto& [f, count] : injected_) n += count;
        return n;
    }

    group_driver& driver() { return driver_; }
    const mock_cluster& mock() const { return mock_; }
    const std::map<std::int32_t, std::int64_t>& ends() const { return ends_; }

private:
    static json chaos_conf()
    {
        return {{"kafka.spout.batch.size", 50}, {"kafka.spout.revoke.drain.ms", 500}};
    }

    template <typename T>
    T& pick(std::vector<T>& items)
    {
        return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(rng_)];
    }

    // Keeps the live members busy for `length`; with every broker up, the commit check goes on.
    void drive_for(clock::duration length, bool brokers_up = true)
    {
        auto until = clock::now() + length;
        while (clock::now() < until && !::testing::Test::HasFatalFailure()) {
            driver_.round();
            if (brokers_up && ++rounds_ % 10 == 0) driver_.check_commits();
        }
    }

    void inject(fault f)
    {
        ++injected_[f];
        std::vector<group_member*> live;
        for (auto* m : driver_.members()) {
            if (m->alive && !m->paused) live.push_back(m);
        }
        switch (f) {
        case fault::kill: {
            group_member& m = *pick(live);
            driver_.kill(m);
            driver_.restart(m);
            break;
        }
        case fault::stall: {
            group_member& m = *pick(live);
            driver_.pause(m);
            drive_for(3s); // past the 2 s session timeout: the others take its partitions
            driver_.resume(m);
            break;
        }
        case fault::broker_down: {
            int broker = std::uniform_int_distribution<int>(1, 3)(rng_);
            mock_.broker_down(broker);
            drive_for(1s, false);
            mock_.broker_up(broker);
            break;
        }
        case fault::leader_move: {
            for (int i = 0; i < s_.partitions / 4 + 1; ++i) {
                mock_.set_leader("chaos", std::uniform_int_distribution<int>(0, s_.partitions - 1)(rng_),
                                 std::uniform_int_distribution<int>(1, 3)(rng_));
            }
            break;
        }
        case fault::errors:
            mock_.push_errors(wire::api_key::fetch, 6, 5);          // NOT_LEADER_OR_FOLLOWER
            mock_.push_errors(wire::api_key::offset_commit, 16, 3); // NOT_COORDINATOR
            mock_.push_errors(wire::api_key::list_offsets, 7, 2);   // REQUEST_TIMED_OUT
            break;
        case fault::zookeeper_restart:
            zk_.stop();
            drive_for(300ms);
            zk_.restart();
            break;
        }
    }

    chaos_settings s_;
    std::mt19937 rng_;
    zookeeper_server zk_;
    mock_cluster mock_;
    group_driver driver_;
    std::map<std::int32_t, std::int64_t> ends_;
    std::map<fault, int> injected_;
    int rounds_ = 0;
};

TEST(SpoutChaos, NothingIsLostAndNoCommitPassesAnUnackedTupleUnderFaults)
{
    chaos_settings settings;
    chaos_run run(settings);
    run.run_faults();
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    bool reached = run.drive_to_end();
    run.leave_all();
    run.print_report(std::cerr);

    EXPECT_TRUE(reached) << run.driver().errors();
    EXPECT_EQ(run.injected_total(), settings.faults);
    EXPECT_EQ(run.driver().missing(run.ends()), 0u) << "lost";
    for (const auto& key : run.driver().lost_in_flight()) {
        EXPECT_TRUE(run.driver().acks().contains(key)) << "lost in flight: " << key.first << ":" << key.second;
    }
    EXPECT_EQ(committed_offsets(run.mock(), "g-chaos", "chaos", settings.partitions), run.ends());
    EXPECT_TRUE(run.driver().regressions().empty()) << run.driver().regressions().front();
    EXPECT_GT(run.driver().compared(), 0);
    EXPECT_EQ(run.driver().emitted_below_commit(), 0u);
    EXPECT_GT(run.driver().peak_rss_kib(), 0);
}

} // namespace
} // namespace kspout::testing
