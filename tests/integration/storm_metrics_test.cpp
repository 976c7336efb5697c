// KafkaShellSpout's metrics in LocalCluster: what kafka-spout sends reaches a Storm metrics consumer and adds up.
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/spout_harness.hpp"
#include "tests/integration/storm_records.hpp"
#include "tests/integration/storm_topology_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

// What FileMetricsConsumer wrote ("component task timestamp name value" per line): the sum of
// each counter over every task and bucket, and each task's last lag.
struct metrics_seen {
    std::map<std::string, std::int64_t> sums;
    std::map<int, std::int64_t> last_lag;
    std::set<std::string> components;
    std::set<int> tasks;
};

metrics_seen read_metrics(const std::filesystem::path& file)
{
    metrics_seen seen;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        std::string component, name, value;
        int task = 0;
        std::int64_t timestamp = 0;
        if (!(words >> component >> task >> timestamp >> name >> value)) continue;
        seen.components.insert(component);
        seen.tasks.insert(task);
        if (value == "null") continue; // the lag gauge before its first value
        if (name == "kafka-spout.lag")
            seen.last_lag[task] = std::stoll(value);
        else
            seen.sums[name] += std::stoll(value);
    }
    return seen;
}

std::string describe(const metrics_seen& seen)
{
    std::string text;
    for (const auto& [name, sum] : seen.sums) text += name + "=" + std::to_string(sum) + " ";
    for (const auto& [task, lag] : seen.last_lag) text += "lag[" + std::to_string(task) + "]=" + std::to_string(lag) + " ";
    return text;
}

TEST_F(storm_topology, kafka_shell_spout_metrics_reach_a_metrics_consumer_and_add_up)
{
    constexpr int records_produced = 200;
    auto options = fresh_topology("storm-metrics", "static");
    options["fail.every"] = "10"; // so that failed and replayed count something too
    options["metrics.out"] = (dir_ / "metrics.txt").string();
    options["metrics.bucket.secs"] = "1";
    options["metrics.interval.ms"] = "200";
    produce_with_kcat(options["bootstrap"], options["topic"], records_produced);
    cluster_->submit("metrics", options);
    ASSERT_TRUE(all_acked_and_committed(options)) << cluster_->log();

    // Everything is acked and committed; the last counts are on their way (the spout reports
    // with its next replies, Storm every bucket). Poll until the consumer got what the bolt saw.
    auto records = read_bolt_records(options["out"]);
    std::int64_t acks = 0, fails = 0;
    for (const auto& r : records) (r.outcome == "acked" ? acks : fails) += 1;
    auto complete = [&](const metrics_seen& seen) {
        auto sum = [&](const char* name) { return seen.sums.count(name) ? seen.sums.at(name) : 0; };
        bool lag_zero = seen.last_lag.size() == 3;
        for (const auto& [task, lag] : seen.last_lag) lag_zero = lag_zero && lag == 0;
        return sum("kafka-spout.acked") == acks && sum("kafka-spout.failed") == fails &&
               sum("kafka-spout.emitted") == acks + fails && sum("kafka-spout.replayed") == fails &&
               sum("kafka-spout.committed") == records_produced && lag_zero;
    };
    metrics_seen seen;
    for (auto deadline = std::chrono::steady_clock::now() + 60s; std::chrono::steady_clock::now() < deadline;) {
        seen = read_metrics(options["metrics.out"]);
        if (complete(seen)) break;
        std::this_thread::sleep_for(300ms); // polling the consumer's file
    }
    cluster_->kill("metrics");
    std::cout << "[ info ] bolt: " << acks << " acks, " << fails << " fails; metrics: " << describe(seen) << "\n";

    EXPECT_TRUE(complete(seen)) << "bolt: " << acks << " acks, " << fails << " fails; metrics: " << describe(seen);
    EXPECT_EQ(acks, records_produced) << "every record acked exactly once";
    EXPECT_GE(fails, records_produced / 10);
    EXPECT_EQ(seen.components, std::set<std::string>{"kafka"});
    EXPECT_EQ(seen.tasks.size(), 3u);
    // Nothing more comes once every count is in: the sums stay where they are.
    auto after = read_metrics(options["metrics.out"]);
    EXPECT_EQ(after.sums, seen.sums);
}

} // namespace
} // namespace kspout::testing
