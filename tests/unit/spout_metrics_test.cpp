// metrics_reporter: counters as deltas that add up to the totals, lag as a gauge, the interval.
#include "spout/metrics.hpp"

#include <gtest/gtest.h>

namespace kspout::spout {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

std::map<std::string, std::int64_t> as_map(const std::vector<metric_value>& values)
{
    std::map<std::string, std::int64_t> out;
    for (const auto& v : values) EXPECT_TRUE(out.emplace(v.name, v.value).second) << "sent twice: " << v.name;
    return out;
}

TEST(SpoutMetrics, NothingIsSentWithoutNames)
{
    metrics_reporter r;
    EXPECT_FALSE(r.enabled());
    EXPECT_FALSE(r.due(clock::now()));
}

TEST(SpoutMetrics, CountersGoOutAsDeltasThatAddUpAndLagAsItIs)
{
    metrics_options o;
    o.names = {{metric_kind::emitted, "e"}, {metric_kind::acked, "a"}, {metric_kind::lag, "lag"}};
    o.interval = 0ms;
    metrics_reporter r(o);
    auto t0 = clock::now();
    ASSERT_TRUE(r.due(t0));

    metric_totals totals;
    totals.emitted = 10;
    totals.failed = 4; // not configured: never sent
    EXPECT_EQ(as_map(r.report(totals, 7, t0)), (std::map<std::string, std::int64_t>{{"e", 10}, {"lag", 7}}));

    totals.emitted = 15;
    totals.acked = 3;
    // A counter that did not move is left out; an unknown lag is left out.
    EXPECT_EQ(as_map(r.report(totals, std::nullopt, t0)), (std::map<std::string, std::int64_t>{{"e", 5}, {"a", 3}}));
    totals.acked = 10;
    EXPECT_EQ(as_map(r.report(totals, 0, t0)), (std::map<std::string, std::int64_t>{{"a", 7}, {"lag", 0}}));
    EXPECT_TRUE(r.report(totals, std::nullopt, t0).empty());
}

TEST(SpoutMetrics, ReportsAreDueOncePerInterval)
{
    metrics_options o;
    o.names = {{metric_kind::committed, "c"}};
    o.interval = 1000ms;
    metrics_reporter r(o);
    auto t0 = clock::now();
    EXPECT_TRUE(r.due(t0)); // the first reply reports
    metric_totals totals;
    totals.committed = 5;
    EXPECT_EQ(as_map(r.report(totals, std::nullopt, t0)), (std::map<std::string, std::int64_t>{{"c", 5}}));
    EXPECT_FALSE(r.due(t0 + 999ms));
    EXPECT_TRUE(r.due(t0 + 1000ms));
}

TEST(SpoutMetrics, KindNamesRoundTrip)
{
    for (auto kind : {metric_kind::emitted, metric_kind::acked, metric_kind::failed, metric_kind::replayed,
                      metric_kind::committed, metric_kind::lag}) {
        EXPECT_EQ(parse_metric_kind(to_string(kind)), kind);
    }
    EXPECT_FALSE(parse_metric_kind("lagging"));
}

} // namespace
} // namespace kspout::spout
