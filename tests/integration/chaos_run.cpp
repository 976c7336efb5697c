// chaos_run: the faults on tasks and ZooKeeper, the brokers' own faults, the report and the checks.
#include "tests/integration/chaos_run.hpp"

#include "tests/integration/test_engine.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

int environment_or(const char* name, int fallback)
{
    const char* v = std::getenv(name);
    return v && *v ? std::atoi(v) : fallback;
}

const std::vector<std::string> group_faults = {"task SIGKILLed and restarted",
                                               "task stalled past its ZooKeeper session", "ZooKeeper restarted"};

} // namespace

chaos_settings chaos_settings::with_environment() const
{
    chaos_settings s = *this;
    s.tasks = environment_or("KSPOUT_CHAOS_TASKS", tasks);
    s.partitions = environment_or("KSPOUT_CHAOS_PARTITIONS", partitions);
    s.messages = environment_or("KSPOUT_CHAOS_MESSAGES", messages);
    s.faults = environment_or("KSPOUT_CHAOS_FAULTS", faults);
    const char* v = std::getenv("KSPOUT_CHAOS_SEED");
    s.seed = v && *v ? static_cast<unsigned>(std::strtoul(v, nullptr, 10)) : seed;
    if (s.seed == 0) s.seed = std::random_device{}();
    return s;
}

chaos_run::chaos_run(const chaos_settings& settings, chaos_brokers& brokers, std::string topic)
    : s_(settings), brokers_(brokers), topic_(std::move(topic)), rng_(settings.seed),
      driver_(brokers.bootstrap(), zk_, topic_, "g-" + topic_, settings.partitions,
              {{"kafka.spout.batch.size", 50}, {"kafka.spout.revoke.drain.ms", 500}})
{
    brokers_.create_topic(topic_, s_.partitions);
    produce_with_kcat(brokers_.bootstrap(), topic_, s_.messages);
    ends_ = end_offsets(brokers_.bootstrap(), topic_, s_.partitions);
    std::vector<std::int64_t> tasks;
    for (int t = 1; t <= s_.tasks; ++t) tasks.push_back(t);
    for (auto t : tasks) driver_.add(t, tasks);
    driver_.enable_timeouts(25);
    if (test_engine() == "rdkafka") driver_.allow_late_commits_after_resume();
}

void chaos_run::run_faults()
{
    std::vector<std::string> kinds = group_faults;
    for (auto& f : brokers_.faults()) kinds.push_back(f);
    auto deadline = clock::now() + std::chrono::seconds(60 + 20 * s_.faults);
    for (int done = 0; done < s_.faults && clock::now() < deadline;) {
        driver_.round();
        if (::testing::Test::HasFatalFailure()) return;
        if (++rounds_ % 10 == 0) driver_.check_commits();
        auto due = static_cast<std::size_t>(0.8 * s_.messages * (done + 1) / (s_.faults + 1));
        if (driver_.acked_count() < due) continue;
        inject(kinds[std::uniform_int_distribution<std::size_t>(0, kinds.size() - 1)(rng_)]);
        ++done;
    }
}

void chaos_run::inject(const std::string& fault)
{
    ++injected_[fault];
    if (fault == group_faults[0]) {
        group_member& m = pick_live();
        driver_.kill(m);
        driver_.restart(m);
    } else if (fault == group_faults[1]) {
        group_member& m = pick_live();
        driver_.pause(m);
        drive_for(3s); // past the 2 s session timeout: the others take its partitions
        driver_.resume(m);
    } else if (fault == group_faults[2]) {
        zk_.stop();
        drive_for(300ms);
        zk_.restart();
    } else {
        brokers_.inject(fault, topic_, s_.partitions, rng_,
                        [this](clock::duration length, bool brokers_up) { drive_for(length, brokers_up); });
    }
}

group_member& chaos_run::pick_live()
{
    std::vector<group_member*> live;
    for (auto* m : driver_.members()) {
        if (m->alive && !m->paused) live.push_back(m);
    }
    return *live[std::uniform_int_distribution<std::size_t>(0, live.size() - 1)(rng_)];
}

void chaos_run::drive_for(clock::duration length, bool brokers_up)
{
    auto until = clock::now() + length;
    while (clock::now() < until && !::testing::Test::HasFatalFailure()) {
        driver_.round();
        if (brokers_up && ++rounds_ % 10 == 0) driver_.check_commits();
    }
}

bool chaos_run::drive_to_end()
{
    return driver_.drive_to_end(ends_, std::chrono::seconds(120), 10);
}

void chaos_run::leave_all()
{
    for (auto* m : driver_.members()) {
        if (m->alive) driver_.leave(*m);
    }
}

std::int64_t chaos_run::total() const
{
    std::int64_t sum = 0;
    for (const auto& [p, end] : ends_) sum += end;
    return sum;
}

int chaos_run::injected_total() const
{
    int n = 0;
    for (const auto& [f, count] : injected_) n += count;
    return n;
}

void chaos_run::print_report(std::ostream& out) const
{
    out << "chaos soak (seed " << s_.seed << "): " << s_.tasks << " tasks, " << s_.partitions << " partitions\n"
        << "  messages             " << total() << "\n"
        << "  acked                " << driver_.acked_count() << "\n"
        << "  failed once (bolt)   " << driver_.failed_count() << "\n"
        << "  timed out once       " << driver_.timed_out_count() << "\n"
        << "  duplicates           " << driver_.duplicates() << " (of offsets below a commit already made: "
        << driver_.emitted_below_commit() << ")\n"
        << "  lost                 " << driver_.missing(ends_) << "\n"
        << "  late commits         " << driver_.late_commits() << " (partitions a stalled task's commit moved back)\n"
        << "  commits moved back   " << driver_.regressions().size() << "\n"
        << "  commit checks        " << driver_.checks() << " (" << driver_.compared() << " comparisons)\n"
        << "  peak RSS of a task   " << driver_.peak_rss_kib() / 1024 << " MiB\n"
        << "  faults injected      " << injected_total() << "\n";
    for (const auto& [f, n] : injected_) out << "    " << f << ": " << n << "\n";
}

void chaos_run::expect_at_least_once(bool reached)
{
    EXPECT_TRUE(reached) << driver_.errors();
    EXPECT_EQ(injected_total(), s_.faults);
    EXPECT_EQ(driver_.missing(ends_), 0u) << "lost";
    for (const auto& key : driver_.lost_in_flight()) {
        EXPECT_TRUE(driver_.acks().contains(key)) << "lost in flight: " << key.first << ":" << key.second;
    }
    EXPECT_EQ(committed_offsets(brokers_.bootstrap(), "g-" + topic_, topic_, s_.partitions), ends_);
    EXPECT_TRUE(driver_.regressions().empty()) << driver_.regressions().front();
    EXPECT_GT(driver_.compared(), 0);
    EXPECT_EQ(driver_.emitted_below_commit(), 0u);
    EXPECT_GT(driver_.peak_rss_kib(), 0);
}

} // namespace kspout::testing
