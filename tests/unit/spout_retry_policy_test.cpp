// retry_policy: the backoff formula, schedules, exhaustion with each policy, due lists, forget.
#include "spout/retry_policy.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace kspout::spout {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

const clock_type::time_point t0 = clock_type::time_point(1000s);

retry_options options(std::int32_t max_retries, retries_exhausted exhausted = retries_exhausted::give_up)
{
    retry_options o;
    o.initial_delay = 100ms;
    o.max_delay = 10s;
    o.max_retries = max_retries;
    o.exhausted = exhausted;
    return o;
}

TEST(SpoutRetryPolicy, DelayDoublesFromTheInitialDelayUpToTheCap)
{
    auto o = options(10);
    EXPECT_EQ(retry_delay(o, 1), 100ms);
    EXPECT_EQ(retry_delay(o, 2), 200ms);
    EXPECT_EQ(retry_delay(o, 3), 400ms);
    EXPECT_EQ(retry_delay(o, 7), 6400ms);
    EXPECT_EQ(retry_delay(o, 8), 10s); // 12.8 s capped
    EXPECT_EQ(retry_delay(o, 63), 10s);
    EXPECT_EQ(retry_delay(o, 64), 10s);
    EXPECT_EQ(retry_delay(o, 1'000'000), 10s); // no overflow

    o.initial_delay = 0ms;
    EXPECT_EQ(retry_delay(o, 1), 0ms);
    EXPECT_EQ(retry_delay(o, 50), 0ms);

    o.initial_delay = 20s; // above the cap
    EXPECT_EQ(retry_delay(o, 1), 10s);

    o.initial_delay = 1ms;
    o.max_delay = std::chrono::milliseconds(std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(retry_delay(o, 11), 1024ms);
    EXPECT_EQ(retry_delay(o, 63), std::chrono::milliseconds(std::int64_t(1) << 62));
    EXPECT_EQ(retry_delay(o, 64), o.max_delay);
}

TEST(SpoutRetryPolicy, FailureSchedulesAReplayThatBecomesDue)
{
    retry_policy p(options(10));
    topic_partition tp{"t", 0};
    auto d = p.on_fail(tp, 42, t0);
    EXPECT_EQ(d.what, retry_decision::action::retry);
    EXPECT_EQ(d.at, t0 + 100ms);
    EXPECT_EQ(d.failures, 1);
    EXPECT_FALSE(d.exhausted);

    EXPECT_TRUE(p.scheduled(tp.ref(), 42));
    EXPECT_FALSE(p.ready(tp.ref(), 42, t0 + 99ms));
    EXPECT_TRUE(p.ready(tp.ref(), 42, t0 + 100ms));
    EXPECT_TRUE(p.due(t0 + 99ms).empty());
    EXPECT_EQ(p.next_due(), t0 + 100ms);

    auto due = p.due(t0 + 100ms);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].partition, tp);
    EXPECT_EQ(due[0].offsets, std::vector<std::int64_t>{42});
    EXPECT_EQ(p.due(t0 + 100ms).size(), 1u); // still due until replayed

    p.replayed(tp.ref(), 42);
    EXPECT_FALSE(p.scheduled(tp.ref(), 42));
    EXPECT_TRUE(p.due(t0 + 1h).empty());
    EXPECT_EQ(p.next_due(), std::nullopt);
    EXPECT_EQ(p.failures(tp.ref(), 42), 1);

    d = p.on_fail(tp, 42, t0 + 1s);
    EXPECT_EQ(d.failures, 2);
    EXPECT_EQ(d.at, t0 + 1s + 200ms);
}

TEST(SpoutRetryPolicy, GivesUpAfterMaxRetries)
{
    retry_policy p(options(2));
    topic_partition tp{"t", 3};
    auto now = t0;
    for (int i = 1; i <= 2; ++i) {
        auto d = p.on_fail(tp, 7, now);
        ASSERT_EQ(d.what, retry_decision::action::retry) << i;
        EXPECT_FALSE(d.exhausted);
        p.replayed(tp.ref(), 7);
        now = d.at;
    }
    auto d = p.on_fail(tp, 7, now);
    EXPECT_EQ(d.what, retry_decision::action::give_up);
    EXPECT_TRUE(d.exhausted);
    EXPECT_EQ(d.failures, 3); // emitted three times: max_retries + 1
    EXPECT_EQ(p.failures(tp.ref(), 7), 0);
    EXPECT_EQ(p.tracked_count(), 0u);
    EXPECT_EQ(p.scheduled_count(), 0u);
}

TEST(SpoutRetryPolicy, ZeroRetriesGivesUpOnTheFirstFailure)
{
    retry_policy p(options(0));
    auto d = p.on_fail({"t", 0}, 1, t0);
    EXPECT_EQ(d.what, retry_decision::action::give_up);
    EXPECT_EQ(d.failures, 1);
}

TEST(SpoutRetryPolicy, KeepRetryingPastTheLimitFlagsExhaustion)
{
    retry_policy p(options(2, retries_exhausted::keep_retrying));
    topic_partition tp{"t", 0};
    retry_decision d;
    for (int i = 1; i <= 12; ++i) {
        d = p.on_fail(tp, 5, t0);
        ASSERT_EQ(d.what, retry_decision::action::retry) << i;
        EXPECT_EQ(d.exhausted, i > 2) << i;
        EXPECT_EQ(d.at, t0 + retry_delay(p.options(), i)) << i;
        p.replayed(tp.ref(), 5);
    }
    EXPECT_EQ(d.at, t0 + 10s);
    EXPECT_EQ(p.failures(tp.ref(), 5), 12);
}

TEST(SpoutRetryPolicy, UnlimitedRetriesNeverExhaust)
{
    retry_policy p(options(-1));
    for (int i = 1; i <= 200; ++i) {
        auto d = p.on_fail({"t", 0}, 5, t0);
        ASSERT_EQ(d.what, retry_decision::action::retry);
        ASSERT_FALSE(d.exhausted);
        ASSERT_LE(d.at, t0 + 10s);
    }
}

TEST(SpoutRetryPolicy, DueListsReadyOffsetsPerPartitionInOffsetOrder)
{
    retry_policy p(options(10));
    p.on_fail({"b", 0}, 9, t0);
    p.on_fail({"a", 1}, 30, t0 + 10ms);
    p.on_fail({"a", 1}, 20, t0 + 20ms);
    p.on_fail({"a", 1}, 10, t0 + 500ms); // not due yet at t0 + 200ms
    p.on_fail({"a", 0}, 4, t0 + 50ms);

    auto due = p.due(t0 + 200ms);
    ASSERT_EQ(due.size(), 3u);
    EXPECT_EQ(due[0].partition, (topic_partition{"a", 0}));
    EXPECT_EQ(due[0].offsets, std::vector<std::int64_t>{4});
    EXPECT_EQ(due[1].partition, (topic_partition{"a", 1}));
    EXPECT_EQ(due[1].offsets, (std::vector<std::int64_t>{20, 30}));
    EXPECT_EQ(due[2].partition, (topic_partition{"b", 0}));

    due = p.due(t0 + 600ms);
    ASSERT_EQ(due.size(), 3u);
    EXPECT_EQ(due[1].offsets, (std::vector<std::int64_t>{10, 20, 30}));
}

TEST(SpoutRetryPolicy, AckAndForgetClearState)
{
    retry_policy p(options(10));
    p.on_fail({"t", 0}, 1, t0);
    p.on_fail({"t", 0}, 2, t0);
    p.on_fail({"t", 1}, 1, t0);
    EXPECT_EQ(p.tracked_count(), 3u);

    p.acked({"t", 0}, 1);
    EXPECT_FALSE(p.scheduled({"t", 0}, 1));
    EXPECT_EQ(p.failures({"t", 0}, 1), 0);
    EXPECT_EQ(p.tracked_count(), 2u);
    p.acked({"t", 0}, 99); // never failed: nothing happens
    p.acked({"x", 0}, 1);
    EXPECT_EQ(p.tracked_count(), 2u);

    p.forget({"t", 0});
    EXPECT_EQ(p.tracked_count(), 1u);
    EXPECT_EQ(p.scheduled_count(), 1u);
    auto due = p.due(t0 + 1h);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].partition, (topic_partition{"t", 1}));

    // A failure counted again after forget starts from scratch.
    EXPECT_EQ(p.on_fail({"t", 0}, 2, t0).failures, 1);
}

TEST(SpoutRetryPolicy, FailingAScheduledOffsetAgainReschedulesIt)
{
    retry_policy p(options(10));
    p.on_fail({"t", 0}, 1, t0);
    auto d = p.on_fail({"t", 0}, 1, t0 + 1s); // a fail for an id that was never replayed
    EXPECT_EQ(d.failures, 2);
    EXPECT_EQ(p.scheduled_count(), 1u);
    EXPECT_EQ(p.next_due(), t0 + 1s + 200ms);
}

} // namespace
} // namespace kspout::spout
