// kafka-spout's Storm metrics (conformance case 30): none by default; when configured, only the
// registered names, as counter deltas that add up to what happened and a lag gauge.
#include "tests/integration/spout_harness.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using multilang::json;

// What Storm's registered metrics would hold: counters summed, the gauge's values in order.
struct storm_metrics {
    std::map<std::string, std::int64_t> sums;
    std::vector<std::int64_t> lags;
    std::size_t messages = 0;

    multilang::spout_reply add(multilang::spout_reply reply)
    {
        for (const auto& m : reply.metrics) {
            ++messages;
            EXPECT_TRUE(m.params.is_number_integer()) << m.name << ": " << m.params.dump();
            if (m.name == "kafka-spout.lag") {
                lags.push_back(m.params.get<std::int64_t>());
            } else {
                EXPECT_GT(m.params.get<std::int64_t>(), 0) << m.name << ": a counter that did not move is not sent";
                sums[m.name] += m.params.get<std::int64_t>();
            }
        }
        return reply;
    }
};

TEST(SpoutMetrics, RegisteredCountersAddUpToWhatHappenedAndLagFallsToZero)
{
    mock_cluster mock(1);
    mock.create_topic("counted", 2);
    constexpr int total = 100;
    produce_with_kcat(mock, "counted", total);
    temp_dir pid_dir;
    json conf = static_spout_conf(mock, "counted", "g-counted");
    conf["kafka.spout.metrics"] = "emitted,acked=storm.acks,failed,replayed,committed,lag";
    conf["kafka.spout.metrics.interval.ms"] = 0;
    spout_task_options o{conf};
    o.registered_metrics = {"kafka-spout.emitted", "storm.acks",           "kafka-spout.failed",
                            "kafka-spout.replayed", "kafka-spout.committed", "kafka-spout.lag"};
    spout_task task(pid_dir, o);
    auto& storm = task.storm();
    storm_metrics seen;
    storm.open();
    seen.add(storm.activate());

    std::vector<std::string> ids;
    for (int i = 0; i < 300 && ids.size() < total; ++i) {
        for (const auto& e : seen.add(storm.next()).emits) ids.push_back(*e.id);
    }
    ASSERT_EQ(ids.size(), std::size_t(total));
    // Everything is emitted and nothing acked: the reply to one more command shows the whole topic as lag.
    seen.add(storm.ack("counted:7:0")); // a stray ack: answered, not counted
    ASSERT_FALSE(seen.lags.empty());
    EXPECT_EQ(seen.lags.back(), total);

    // Every 10th fails once and is acked when it comes back.
    std::set<std::string> failed;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i % 10 == 0) {
            failed.insert(ids[i]);
            seen.add(storm.fail(ids[i]));
        } else {
            seen.add(storm.ack(ids[i]));
        }
    }
    std::set<std::string> replayed;
    for (int i = 0; i < 300 && replayed.size() < failed.size(); ++i) {
        for (const auto& e : seen.add(storm.next()).emits) {
            EXPECT_TRUE(failed.contains(*e.id)) << *e.id;
            replayed.insert(*e.id);
            seen.add(storm.ack(*e.id));
        }
    }
    ASSERT_EQ(replayed, failed);

    // The commits reach the end; their count is reported with a later reply.
    auto ends = end_offsets(mock, "counted", 2);
    const auto give_up = std::chrono::steady_clock::now() + 30s; // only ends a hung test
    while (seen.sums["kafka-spout.committed"] < total && std::chrono::steady_clock::now() < give_up) {
        seen.add(storm.next()); // each next waits a little for records, so this loop does not spin
    }
    EXPECT_EQ(committed_offsets(mock, "g-counted", "counted", 2), ends);

    const auto n = static_cast<std::int64_t>(failed.size());
    EXPECT_EQ(seen.sums["kafka-spout.emitted"], total + n);
    EXPECT_EQ(seen.sums["storm.acks"], total);
    EXPECT_EQ(seen.sums["kafka-spout.failed"], n);
    EXPECT_EQ(seen.sums["kafka-spout.replayed"], n);
    EXPECT_EQ(seen.sums["kafka-spout.committed"], total);
    EXPECT_EQ(seen.lags.back(), 0);
    EXPECT_EQ(*std::max_element(seen.lags.begin(), seen.lags.end()), total);

    // Metrics are due with every reply here, yet none is written while no command is out:
    // Storm would not read them, and a pipe that fills up stalls the spout. The half second of
    // silence with metrics due all along is the scenario, not a wait for something to happen.
    std::this_thread::sleep_for(500ms);
    try {
        for (;;) {
            auto parsed = multilang::parse_component_message(task.process().read_message(300ms));
            ASSERT_TRUE(parsed.message) << parsed.error;
            EXPECT_FALSE(std::holds_alternative<multilang::metrics_message>(*parsed.message))
                << "a metrics message was written while no command was outstanding";
        }
    } catch (const multilang::shell_error&) {
        // nothing more to read
    }

    EXPECT_TRUE(exits_zero_after_stdin_closes(task));
}

TEST(SpoutMetrics, NoneAreSentByDefault)
{
    mock_cluster mock(1);
    mock.create_topic("quiet", 2);
    produce_with_kcat(mock, "quiet", 40);
    temp_dir pid_dir;
    // Nothing is registered, so the harness fails the test on any metrics message, as Storm
    // would kill the worker.
    spout_task task(pid_dir, {static_spout_conf(mock, "quiet", "g-quiet")});
    auto& storm = task.storm();
    storm.open();
    std::size_t replies = 0;
    auto count = [&](const multilang::spout_reply& r) {
        EXPECT_TRUE(r.metrics.empty());
        ++replies;
        return r;
    };
    count(storm.activate());
    std::vector<std::string> ids;
    for (int i = 0; i < 300 && ids.size() < 40; ++i) {
        for (const auto& e : count(storm.next()).emits) ids.push_back(*e.id);
    }
    ASSERT_EQ(ids.size(), 40u);
    count(storm.fail(ids.front()));
    for (std::size_t i = 1; i < ids.size(); ++i) count(storm.ack(ids[i]));
    for (int i = 0; i < 20; ++i) count(storm.next());
    count(storm.deactivate());
    EXPECT_GE(replies, 63u);
}

} // namespace
} // namespace kspout::testing
