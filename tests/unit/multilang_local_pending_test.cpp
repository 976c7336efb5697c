// Spout pending tuples: timeouts between one and two periods (fake clock), max-spout-pending.
#include "multilang/local/pending.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace kspout::multilang::local;
using namespace std::chrono_literals;

TEST(LocalPending, TickTimerCountsEachPeriodOnce)
{
    tick_timer::clock::time_point t0{};
    tick_timer ticks(2s, t0);
    EXPECT_EQ(ticks.due(t0 + 1999ms), 0);
    EXPECT_EQ(ticks.due(t0 + 2s), 1);
    EXPECT_EQ(ticks.due(t0 + 2s), 0);
    EXPECT_EQ(ticks.due(t0 + 7s), 2); // 4 s and 6 s
}

TEST(LocalPending, UnackedTupleExpiresBetweenOneAndTwoTimeouts)
{
    // Timeout T = 10 s. A tuple emitted just after a tick and one emitted just before the next.
    tick_timer::clock::time_point t0{};
    tick_timer ticks(10s, t0);
    pending_tuples pending;
    auto advance = [&](tick_timer::clock::time_point now) {
        std::vector<std::string> expired;
        for (int n = ticks.due(now); n > 0; --n) {
            for (auto& p : pending.rotate()) expired.push_back(p.message_id.get<std::string>());
        }
        return expired;
    };
    pending.add(1, "early"); // at t0 + 0
    EXPECT_TRUE(advance(t0 + 9s).empty());
    pending.add(2, "late"); // at t0 + 9 s
    EXPECT_TRUE(advance(t0 + 10s).empty()); // first tick: both move to the old bucket
    auto expired = advance(t0 + 20s);       // second tick: "early" at 20 s (2T), "late" at 11 s (> T)
    std::sort(expired.begin(), expired.end());
    EXPECT_EQ(expired, (std::vector<std::string>{"early", "late"}));
    EXPECT_EQ(pending.size(), 0u);
}

TEST(LocalPending, RemoveGivesTheIdOnceAndNothingAfterExpiry)
{
    pending_tuples pending;
    pending.add(1, "a");
    pending.add(2, "b");
    EXPECT_EQ(pending.remove(1), kspout::multilang::json("a"));
    EXPECT_FALSE(pending.remove(1));
    pending.rotate();
    EXPECT_EQ(pending.rotate().size(), 1u); // "b" expired
    EXPECT_FALSE(pending.remove(2));        // a late ack finds nothing: one outcome per emit
}

TEST(LocalPending, MaxSpoutPendingGatesNext)
{
    pending_tuples pending;
    EXPECT_TRUE(pending.may_call_next(std::nullopt));
    EXPECT_TRUE(pending.may_call_next(2));
    pending.add(1, "a");
    EXPECT_TRUE(pending.may_call_next(2));
    pending.add(2, "b");
    EXPECT_FALSE(pending.may_call_next(2)); // pending >= max: no next
    EXPECT_TRUE(pending.may_call_next(std::nullopt));
    pending.remove(1);
    EXPECT_TRUE(pending.may_call_next(2));
}

TEST(LocalPending, ClearDropsEveryBucketAndReturnsTheRoots)
{
    pending_tuples pending;
    pending.add(1, "a");
    pending.rotate();
    pending.add(2, "b");
    auto roots = pending.clear();
    std::sort(roots.begin(), roots.end());
    EXPECT_EQ(roots, (std::vector<std::uint64_t>{1, 2}));
    EXPECT_EQ(pending.size(), 0u);
    EXPECT_FALSE(pending.remove(2));     // the restarted spout never hears of it
    EXPECT_TRUE(pending.rotate().empty()); // nor does it time out
}
