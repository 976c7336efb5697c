// kafka.rebalance.* to the balanced consumer's pacing: the backoff cap, its doubling, the report deadline.
#include "protocol/balanced/rebalance_plan.hpp"
#include "spout/settings.hpp"

#include <gtest/gtest.h>

namespace kspout::spout {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

json minimal_conf()
{
    return {{"kafka.topic", "events"},
            {"kafka.bootstrap.servers", "k1:9092"},
            {"kafka.group.id", "readers"},
            {"kafka.zookeeper.connect", "zk1:2181"}};
}

balanced::balanced_options loaded_group(const json& conf, const command_line& flags = {})
{
    auto r = load_settings(conf, flags);
    EXPECT_TRUE(r.value) << (r.errors.empty() ? "" : r.errors.front());
    return r.value ? r.value->group : balanced::balanced_options{};
}

// The waits between claim attempts the balanced consumer makes with these options.
std::vector<std::chrono::milliseconds> waits(const balanced::balanced_options& group, int attempts)
{
    std::vector<std::chrono::milliseconds> out;
    std::chrono::milliseconds previous{0};
    for (int i = 0; i < attempts; ++i) {
        previous = balanced::next_backoff(previous, group.rebalance_backoff, group.rebalance_backoff_max);
        out.push_back(previous);
    }
    return out;
}

TEST(SpoutRebalancePacing, DefaultsRetryFastAndReportAfterSessionTimeoutPlusRetriesTimesBackoff)
{
    auto group = loaded_group(minimal_conf());
    EXPECT_EQ(group.rebalance_backoff, 200ms); // kafka.rebalance.backoff.ms 2000, capped
    EXPECT_EQ(group.rebalance_backoff_max, 2s);
    EXPECT_EQ(group.rebalance_deadline, 6000ms + 5 * 2000ms);
    EXPECT_EQ(waits(group, 6), (std::vector<std::chrono::milliseconds>{200ms, 400ms, 800ms, 1600ms, 2s, 2s}));
}

TEST(SpoutRebalancePacing, ABackoffBelowTheCapIsTheFirstWait)
{
    auto conf = minimal_conf();
    conf["kafka.rebalance.backoff.ms"] = 50;
    conf["kafka.rebalance.max.retries"] = 3;
    conf["kafka.zookeeper.session.timeout.ms"] = 10000;
    auto group = loaded_group(conf);
    EXPECT_EQ(group.rebalance_backoff, 50ms);
    EXPECT_EQ(group.rebalance_deadline, 10150ms);
    EXPECT_EQ(waits(group, 7),
              (std::vector<std::chrono::milliseconds>{50ms, 100ms, 200ms, 400ms, 800ms, 1600ms, 2s}));

    conf["kafka.rebalance.backoff.ms"] = 0; // the consumer waits 1 ms at least
    group = loaded_group(conf);
    EXPECT_EQ(group.rebalance_backoff, 0ms);
    EXPECT_EQ(group.rebalance_deadline, 10000ms);
    EXPECT_EQ(waits(group, 2), (std::vector<std::chrono::milliseconds>{1ms, 2ms}));
}

// The deadline follows from three keys, whichever source gave each.
TEST(SpoutRebalancePacing, TheDeadlineUsesTheWinningValueOfEachKey)
{
    auto conf = minimal_conf();
    conf["kafka.zookeeper.session.timeout.ms"] = 4000;
    conf["kafka.rebalance.backoff.ms"] = 300;
    command_line flags;
    flags.overrides = {{"kafka.zookeeper.session.timeout.ms", "9000"}, {"kafka.rebalance.max.retries", "10"}};
    auto group = loaded_group(conf, flags);
    EXPECT_EQ(group.zookeeper_session_timeout, 9000ms);
    EXPECT_EQ(group.rebalance_backoff, 200ms);
    EXPECT_EQ(group.rebalance_deadline, 9000ms + 10 * 300ms);
}

TEST(SpoutRebalancePacing, SetRebalancePacing)
{
    balanced::balanced_options group;
    group.zookeeper_session_timeout = 1000ms;
    set_rebalance_pacing(group, rebalance_keys{2, 150ms});
    EXPECT_EQ(group.rebalance_backoff, 150ms);
    EXPECT_EQ(group.rebalance_deadline, 1300ms);
    set_rebalance_pacing(group, rebalance_keys{1, first_claim_backoff_cap + 1ms});
    EXPECT_EQ(group.rebalance_backoff, first_claim_backoff_cap);
    EXPECT_EQ(group.rebalance_deadline, 1201ms);
}

} // namespace
} // namespace kspout::spout
