// The chaos soak inside Storm's LocalCluster on three real Kafka nodes: spouts killed and stalled, ZooKeeper and leaders down.
#include "tests/integration/chaos_run.hpp"
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/spout_harness.hpp"
#include "tests/integration/storm_local_cluster.hpp"
#include "tests/integration/storm_records.hpp"
#include "tests/integration/temp_dir.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

const std::string spout_killed = "spout subprocess SIGKILLed (LocalCluster restarted)";
const std::string spout_stalled = "spout subprocess stalled past its ZooKeeper session";
const std::string zookeeper_restarted = "the group's ZooKeeper restarted";
const std::string leader_killed = "leader node SIGKILLed and restarted";
const std::string leader_shut_down = "leader node shut down cleanly and restarted";

class storm_chaos {
public:
    explicit storm_chaos(const chaos_settings& settings) : s_(settings), rng_(settings.seed)
    {
        kafka_.create_topic(topic, s_.partitions, 3, {{"min.insync.replicas", "2"}});
        produce_with_kcat(kafka_.bootstrap(), topic, s_.messages);
        ends_ = end_offsets(kafka_.bootstrap(), topic, s_.partitions);
        start_storm();
    }

    ~storm_chaos()
    {
        if (storm_) storm_->stop();
    }

    // One fault per step of the first 80% of the messages acked, kinds in shuffled rounds so a
    // short run still meets each.
    void run_faults()
    {
        std::vector<std::string> kinds = {spout_killed, spout_stalled, zookeeper_restarted, leader_killed,
                                          leader_shut_down};
        std::vector<std::string> order;
        for (int done = 0; done < s_.faults; ++done) {
            if (order.empty()) {
                order = kinds;
                std::shuffle(order.begin(), order.end(), rng_);
            }
            auto due = static_cast<std::size_t>(0.8 * s_.messages * (done + 1) / (s_.faults + 1));
            ASSERT_TRUE(wait_until([&] { return acked().size() >= due; }, 180s))
                << acked().size() << " of " << due << " acked before fault " << done + 1 << "\n"
                << storm_->log();
            inject(order.back());
            order.pop_back();
            if (::testing::Test::HasFatalFailure()) return;
            sample_commits();
        }
    }

    // Every record acked at least once and committed == end, within the limit.
    bool drive_to_end()
    {
        auto all = all_offsets(ends_);
        return wait_until(
            [&] {
                auto got = acked();
                if (!std::includes(got.begin(), got.end(), all.begin(), all.end())) return false;
                sample_commits();
                return last_committed_ == ends_;
            },
            240s);
    }

    void stop()
    {
        // Not `kill` first: after a ZooKeeper restart Nimbus may refuse it for a while as "not a
        // leader", naming itself as the leader. Shutting LocalCluster down ends the topology too.
        if (storm_->exit_status()) return; // it died: the checks above say why
        EXPECT_EQ(storm_->stop(), 0) << storm_->log();
    }

    void print_report(std::ostream& out) const
    {
        auto records = all_records();
        std::map<std::string, std::size_t> outcomes;
        std::map<partition_offset, int> emissions;
        for (const auto& r : records) {
            ++emissions[{r.partition, r.offset}];
            ++outcomes[r.outcome];
        }
        std::size_t duplicates = 0;
        for (const auto& [record, times] : emissions) duplicates += static_cast<std::size_t>(times - 1);
        auto got = acked();
        auto all = all_offsets(ends_);
        std::size_t lost = 0;
        for (const auto& r : all) lost += got.count(r) ? 0 : 1;
        out << "[ storm chaos ] seed " << s_.seed << ", " << s_.tasks << " spout tasks, " << s_.partitions
            << " partitions, " << runs_ << " LocalCluster runs\n"
            << "[ storm chaos ] messages " << all.size() << ", acked " << got.size() << ", lost " << lost
            << ", tuples the bolt got " << records.size() << " (acked " << outcomes["acked"] << ", failed "
            << outcomes["failed"] << ", held to time out " << outcomes["held"] << "), duplicates " << duplicates
            << "\n"
            << "[ storm chaos ] commit samples " << samples_ << ", past an unacked tuple "
            << commits_past_unacked_.size() << ", peak RSS of a spout task " << peak_rss_kib_ / 1024 << " MiB\n";
        for (const auto& [fault, count] : injected_) out << "[ storm chaos ] fault " << fault << ": " << count << "\n";
    }

    void expect_at_least_once(bool reached)
    {
        EXPECT_TRUE(reached) << "not every record was acked and committed in time\n" << storm_->log();
        auto got = acked();
        for (const auto& r : all_offsets(ends_)) EXPECT_TRUE(got.count(r)) << "lost " << r.first << ":" << r.second;
        EXPECT_EQ(last_committed_, ends_);
        EXPECT_TRUE(commits_past_unacked_.empty()) << ::testing::PrintToString(commits_past_unacked_);
        EXPECT_GT(peak_rss_kib_, 0) << "no spout subprocess was ever sampled";
        auto history = commit_history(kafka_.bootstrap(), group, topic);
        EXPECT_TRUE(commits_moving_back(history).empty()) << ::testing::PrintToString(commits_moving_back(history));
        for (const auto& [partition, end] : ends_) {
            ASSERT_FALSE(history[partition].empty()) << "no commit stored for partition " << partition;
            EXPECT_EQ(history[partition].back(), end) << "partition " << partition;
        }
    }

    std::string logs() const { return (storm_ ? storm_->log() : std::string()) + "\n" + kafka_.log(); }

private:
    static constexpr const char* topic = "storm-chaos";
    static constexpr const char* group = "storm-chaos-group";

    std::string topology_name() const { return "chaos-" + std::to_string(runs_); }

    // A LocalCluster of its own for each run (a killed spout subprocess ends the one it was in),
    // the bolt writing to a file of the run.
    void start_storm()
    {
        ++runs_;
        outs_.push_back(dir_ / ("bolt-" + std::to_string(runs_) + ".txt"));
        storm_ = std::make_unique<storm_local_cluster>(storm_zookeeper_.connect_string());
        storm_->submit(topology_name(), {{"bootstrap", kafka_.bootstrap()},
                                         {"zookeeper", group_zookeeper_.connect_string()},
                                         {"topic", topic},
                                         {"group", group},
                                         {"out", outs_.back().string()},
                                         {"parallelism", std::to_string(s_.tasks)},
                                         {"mode", "balanced"},
                                         {"fail.every", "7"},
                                         {"hold.every", "11"},
                                         {"timeout.secs", "5"}});
        ASSERT_TRUE(wait_until(
            [&] { return shell_subprocess_pids(storm_->tmp_dir()).size() == static_cast<std::size_t>(s_.tasks); },
            120s))
            << "the spout subprocesses of run " << runs_ << " did not start\n"
            << storm_->log();
    }

    void inject(const std::string& fault)
    {
        ++injected_[fault];
        if (fault == spout_killed || fault == spout_stalled) {
            auto pids = shell_subprocess_pids(storm_->tmp_dir());
            ASSERT_FALSE(pids.empty()) << storm_->log();
            pid_t pid = pids[std::uniform_int_distribution<std::size_t>(0, pids.size() - 1)(rng_)];
            if (fault == spout_stalled) {
                ASSERT_EQ(::kill(pid, SIGSTOP), 0);
                std::this_thread::sleep_for(6s); // the fault itself: past the 4 s ZooKeeper session
                ASSERT_EQ(::kill(pid, SIGCONT), 0);
                return;
            }
            ASSERT_EQ(::kill(pid, SIGKILL), 0);
            // Storm halts the worker, and in local mode LocalCluster's JVM (topology-examples/README.md).
            ASSERT_TRUE(wait_until([&] { return storm_->exit_status().has_value(); }, 120s))
                << "LocalCluster still runs after a spout subprocess was killed\n"
                << storm_->log();
            storm_.reset();
            start_storm();
        } else if (fault == zookeeper_restarted) {
            group_zookeeper_.stop();
            std::this_thread::sleep_for(300ms); // the outage
            group_zookeeper_.restart();
        } else {
            int node = kafka_.busiest_leader(topic);
            ASSERT_GT(node, 0);
            if (fault == leader_killed) {
                kafka_.kill(node);
                kafka_.wait_for_leaders_off(topic, node);
            } else {
                kafka_.shut_down(node);
            }
            kafka_.restart(node);
        }
    }

    // The committed offsets against what the bolt had acked by then: read after the offsets, the
    // bolt's files hold every line written before those commits (a line precedes its ack).
    void sample_commits()
    {
        auto committed = committed_offsets(kafka_.bootstrap(), group, topic, s_.partitions);
        auto got = acked();
        ++samples_;
        for (pid_t pid : shell_subprocess_pids(storm_->tmp_dir())) {
            peak_rss_kib_ = std::max(peak_rss_kib_, process_peak_rss_kib(pid));
        }
        for (const auto& [partition, offset] : committed) {
            for (std::int64_t o = 0; o < offset; ++o) {
                if (!got.count({partition, o})) {
                    commits_past_unacked_.push_back(std::to_string(partition) + ": committed " +
                                                    std::to_string(offset) + " with " + std::to_string(o) +
                                                    " unacked");
                    break;
                }
            }
        }
        last_committed_ = committed;
    }

    std::vector<bolt_record> all_records() const
    {
        std::vector<bolt_record> out;
        for (const auto& file : outs_) {
            auto records = read_bolt_records(file);
            out.insert(out.end(), records.begin(), records.end());
        }
        return out;
    }

    std::set<partition_offset> acked() const { return with_outcome(all_records(), "acked"); }

    template <typename Condition>
    bool wait_until(Condition done, clock::duration limit)
    {
        for (auto deadline = clock::now() + limit; clock::now() < deadline;) {
            if (done()) return true;
            if (storm_->exit_status()) return false; // LocalCluster died without being asked
            std::this_thread::sleep_for(300ms); // polling the bolt's files and the broker
        }
        return false;
    }

    chaos_settings s_;
    std::mt19937 rng_;
    kafka_cluster kafka_;
    // Storm's own, and the group's: a restart of the one LocalCluster uses can take Nimbus's
    // leadership away for good (it then shut the worker down and never assigned it again).
    zookeeper_server storm_zookeeper_;
    zookeeper_server group_zookeeper_;
    temp_dir dir_;
    std::unique_ptr<storm_local_cluster> storm_;
    int runs_ = 0;
    std::vector<std::filesystem::path> outs_;
    std::map<std::int32_t, std::int64_t> ends_;
    std::map<std::int32_t, std::int64_t> last_committed_;
    std::map<std::string, int> injected_;
    std::vector<std::string> commits_past_unacked_;
    int samples_ = 0;
    long peak_rss_kib_ = 0; // of any spout subprocess, sampled with the commits
};

TEST(StormChaos, NothingIsLostAndNoCommitPassesAnUnackedTupleUnderFaults)
{
    chaos_settings small;
    small.tasks = 3;
    small.partitions = 12;
    small.messages = 6000;
    small.faults = 5;
    storm_chaos run(small.with_environment());
    run.run_faults();
    bool reached = !::testing::Test::HasFatalFailure() && run.drive_to_end();
    run.print_report(std::cerr);
    run.expect_at_least_once(reached);
    run.stop();
    if (::testing::Test::HasFailure()) std::cerr << "--- LocalCluster and Kafka nodes ---\n" << run.logs();
}

} // namespace
} // namespace kspout::testing
