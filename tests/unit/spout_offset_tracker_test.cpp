// offset_tracker: out-of-order acks, gaps, duplicates, stale acks, fails, give_up, and a shuffled run.
#include "spout/offset_tracker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <set>
#include <vector>

namespace kspout::spout {
namespace {

offset_tracker emitted_range(std::int64_t start, std::int64_t first, std::int64_t last)
{
    offset_tracker t(start);
    for (auto o = first; o <= last; ++o) EXPECT_EQ(t.emitted(o), track_result::ok) << o;
    return t;
}

// The shape of modern-cpp-kafka's UnorderedOffsetCommitQueue test.
TEST(SpoutOffsetTracker, OutOfOrderAcksCommitOnlyTheContiguousPrefix)
{
    auto t = emitted_range(1, 1, 9);
    EXPECT_EQ(t.committable(), std::nullopt);

    for (auto o : {3, 2, 5}) EXPECT_EQ(t.acked(o), track_result::ok);
    EXPECT_EQ(t.committable(), std::nullopt);

    EXPECT_EQ(t.acked(1), track_result::ok);
    EXPECT_EQ(t.committable(), 4);
    EXPECT_TRUE(t.committed(4));
    EXPECT_EQ(t.committed_offset(), 4);
    EXPECT_EQ(t.committable(), std::nullopt);

    EXPECT_EQ(t.acked(4), track_result::ok);
    EXPECT_EQ(t.committable(), 6);
    for (auto o : {8, 7}) EXPECT_EQ(t.acked(o), track_result::ok);
    EXPECT_EQ(t.committable(), 6);
    EXPECT_EQ(t.acked(6), track_result::ok);
    EXPECT_EQ(t.committable(), 9);
    EXPECT_EQ(t.acked(9), track_result::ok);
    EXPECT_EQ(t.committable(), 10);
    EXPECT_TRUE(t.committed(10));
    EXPECT_EQ(t.uncommitted_count(), 0u);
    EXPECT_EQ(t.counters().acked, 9u);
}

TEST(SpoutOffsetTracker, NeverEmittedOffsetsDoNotBlockTheCommit)
{
    offset_tracker t(0);
    for (auto o : {2, 3, 7}) ASSERT_EQ(t.emitted(o), track_result::ok); // 0, 1, 4-6: compacted away
    // Nothing emitted below 2, so 2 is already a valid commit point.
    EXPECT_EQ(t.committable(), 2);
    EXPECT_EQ(t.acked(3), track_result::ok);
    EXPECT_EQ(t.committable(), 2);
    EXPECT_EQ(t.acked(2), track_result::ok);
    EXPECT_EQ(t.committable(), 7); // skips the 4-6 gap, stops at the in-flight 7
    EXPECT_EQ(t.acked(7), track_result::ok);
    EXPECT_EQ(t.committable(), 8);
}

// Markers and aborted records after the last tuple reach the spout only as the consumer's
// position: the commit moves up to it, but never while an emitted tuple is unanswered.
TEST(SpoutOffsetTracker, TheDeliveredPositionCarriesTheCommitPastTrailingMarkers)
{
    offset_tracker t(0);
    for (auto o : {0, 1, 2}) ASSERT_EQ(t.emitted(o), track_result::ok);
    t.delivered(6); // 3: a marker; 4-5: aborted records
    EXPECT_EQ(t.committable(), std::nullopt) << "0-2 are in flight";
    EXPECT_EQ(t.acked(0), track_result::ok);
    EXPECT_EQ(t.acked(2), track_result::ok);
    EXPECT_EQ(t.committable(), 1) << "1 is in flight";
    EXPECT_EQ(t.failed(1), track_result::ok);
    EXPECT_EQ(t.committable(), 1) << "1 failed and waits for its replay";
    EXPECT_EQ(t.emitted(1), track_result::replayed);
    EXPECT_EQ(t.acked(1), track_result::ok);
    EXPECT_EQ(t.committable(), 6);
    ASSERT_TRUE(t.committed(6));
    t.delivered(4); // a position behind (a rewind) never moves the commit back
    EXPECT_EQ(t.committable(), std::nullopt);
    ASSERT_EQ(t.emitted(7), track_result::ok);
    t.delivered(9);
    EXPECT_EQ(t.committable(), 7) << "nothing emitted below 7, 7 in flight";
    t.reset(3);
    EXPECT_EQ(t.committable(), std::nullopt) << "reset forgets the delivered position";
}

TEST(SpoutOffsetTracker, StaleDuplicateAndUnknownCallsAreCountedAndIgnored)
{
    auto t = emitted_range(10, 10, 14);
    EXPECT_EQ(t.acked(10), track_result::ok);
    EXPECT_EQ(t.acked(10), track_result::duplicate);
    EXPECT_EQ(t.acked(20), track_result::not_emitted);
    EXPECT_EQ(t.failed(20), track_result::not_emitted);
    EXPECT_EQ(t.give_up(20), track_result::not_emitted);
    EXPECT_EQ(t.acked(9), track_result::stale);
    EXPECT_EQ(t.emitted(9), track_result::stale);
    EXPECT_EQ(t.emitted(12), track_result::duplicate); // in flight
    EXPECT_EQ(t.emitted(10), track_result::duplicate); // acked
    ASSERT_TRUE(t.committed(11));
    EXPECT_EQ(t.acked(10), track_result::stale);
    EXPECT_EQ(t.failed(10), track_result::stale);

    const auto& c = t.counters();
    EXPECT_EQ(c.acked, 1u);
    EXPECT_EQ(c.duplicate, 3u);
    EXPECT_EQ(c.not_emitted, 3u);
    EXPECT_EQ(c.stale, 4u);
    EXPECT_EQ(t.committable(), std::nullopt);
    EXPECT_EQ(t.in_flight_count(), 4u);
}

TEST(SpoutOffsetTracker, FailedOffsetHoldsTheCommitUntilReplayedAndAcked)
{
    auto t = emitted_range(0, 0, 4);
    EXPECT_EQ(t.failed(1), track_result::ok);
    EXPECT_EQ(t.failed(1), track_result::duplicate);
    for (auto o : {0, 2, 3, 4}) EXPECT_EQ(t.acked(o), track_result::ok);
    EXPECT_EQ(t.failed(3), track_result::duplicate); // acked already
    EXPECT_EQ(t.committable(), 1);
    EXPECT_TRUE(t.pending(1));

    EXPECT_EQ(t.emitted(1), track_result::replayed);
    EXPECT_EQ(t.emitted(1), track_result::duplicate);
    EXPECT_EQ(t.committable(), 1);
    EXPECT_EQ(t.acked(1), track_result::ok);
    EXPECT_EQ(t.committable(), 5);
    EXPECT_FALSE(t.pending(1));
    EXPECT_EQ(t.counters().replayed, 1u);
}

TEST(SpoutOffsetTracker, AckOfAFailedOffsetBeforeItsReplayCompletesIt)
{
    auto t = emitted_range(0, 0, 1);
    ASSERT_EQ(t.failed(0), track_result::ok);
    EXPECT_EQ(t.acked(0), track_result::ok);
    EXPECT_EQ(t.emitted(0), track_result::duplicate); // must not go out again
    EXPECT_EQ(t.committable(), 1);
}

TEST(SpoutOffsetTracker, GiveUpCountsAsDone)
{
    auto t = emitted_range(0, 0, 2);
    ASSERT_EQ(t.failed(1), track_result::ok);
    for (auto o : {0, 2}) ASSERT_EQ(t.acked(o), track_result::ok);
    EXPECT_EQ(t.committable(), 1);
    EXPECT_EQ(t.give_up(1), track_result::ok);
    EXPECT_EQ(t.give_up(1), track_result::duplicate);
    EXPECT_EQ(t.acked(1), track_result::duplicate);
    EXPECT_EQ(t.committable(), 3);
    EXPECT_EQ(t.counters().given_up, 1u);

    // An in-flight offset can be given up as well (e.g. a record that cannot be mapped).
    ASSERT_EQ(t.emitted(3), track_result::ok);
    EXPECT_EQ(t.give_up(3), track_result::ok);
    EXPECT_EQ(t.committable(), 4);
}

// What a revoke drain waits for: tuples with no ack or fail yet; failed ones wait for a replay.
TEST(SpoutOffsetTracker, UnansweredCountsOnlyTuplesWithoutAnAckOrFail)
{
    auto t = emitted_range(0, 0, 5);
    EXPECT_EQ(t.unanswered_count(), 6u);
    EXPECT_EQ(t.acked(1), track_result::ok);
    EXPECT_EQ(t.failed(2), track_result::ok);
    EXPECT_EQ(t.failed(4), track_result::ok);
    EXPECT_EQ(t.unanswered_count(), 3u);
    EXPECT_EQ(t.in_flight_count(), 5u);
    EXPECT_EQ(t.emitted(2), track_result::replayed); // back in flight
    EXPECT_EQ(t.unanswered_count(), 4u);
    EXPECT_EQ(t.acked(4), track_result::ok); // a late ack of a failed offset
    EXPECT_EQ(t.give_up(5), track_result::ok);
    EXPECT_EQ(t.unanswered_count(), 3u); // 0, 2 and 3
    EXPECT_TRUE(t.committed(3)); // pops 0..2, leaving 3 in flight and 4, 5 done
    EXPECT_EQ(t.unanswered_count(), 1u);
    EXPECT_EQ(t.failed(3), track_result::ok);
    EXPECT_TRUE(t.committed(6)); // a commit past the failed offset drops it
    EXPECT_EQ(t.unanswered_count(), 0u);
    EXPECT_EQ(t.emitted(6), track_result::ok);
    t.reset(10);
    EXPECT_EQ(t.unanswered_count(), 0u);
}

TEST(SpoutOffsetTracker, AckedOffsetsCountAsUncommittedUntilTheCommit)
{
    auto t = emitted_range(0, 0, 9);
    for (auto o = 0; o < 6; ++o) ASSERT_EQ(t.acked(o), track_result::ok);
    EXPECT_EQ(t.uncommitted_count(), 10u);
    EXPECT_EQ(t.in_flight_count(), 4u);
    ASSERT_TRUE(t.committed(*t.committable()));
    EXPECT_EQ(t.uncommitted_count(), 4u);
    EXPECT_EQ(t.in_flight_count(), 4u);
}

TEST(SpoutOffsetTracker, CommitAboveCommittableDropsInFlightOffsets)
{
    auto t = emitted_range(0, 0, 5);
    ASSERT_EQ(t.acked(0), track_result::ok);
    ASSERT_EQ(t.acked(3), track_result::ok);
    EXPECT_TRUE(t.committed(4)); // e.g. another component moved the group's offset
    EXPECT_EQ(t.acked(2), track_result::stale);
    EXPECT_EQ(t.uncommitted_count(), 2u);
    EXPECT_EQ(t.committable(), std::nullopt);
    EXPECT_FALSE(t.committed(2));
    EXPECT_EQ(t.committed_offset(), 4);
    ASSERT_EQ(t.acked(4), track_result::ok);
    EXPECT_EQ(t.committable(), 5);
}

TEST(SpoutOffsetTracker, LateFirstEmitBelowTheNewestIsInsertedInOrder)
{
    offset_tracker t(0);
    ASSERT_EQ(t.emitted(1), track_result::ok);
    ASSERT_EQ(t.emitted(5), track_result::ok);
    ASSERT_EQ(t.acked(1), track_result::ok);
    ASSERT_EQ(t.acked(5), track_result::ok);
    EXPECT_EQ(t.committable(), 6);

    EXPECT_EQ(t.emitted(3), track_result::ok); // below the done prefix's end
    EXPECT_EQ(t.committable(), 3);
    EXPECT_EQ(t.acked(3), track_result::ok);
    EXPECT_EQ(t.committable(), 6);
    EXPECT_EQ(t.latest_emitted(), 5);
}

TEST(SpoutOffsetTracker, ResetForgetsEverything)
{
    auto t = emitted_range(0, 0, 3);
    ASSERT_EQ(t.acked(0), track_result::ok);
    t.reset(100);
    EXPECT_EQ(t.committed_offset(), 100);
    EXPECT_EQ(t.uncommitted_count(), 0u);
    EXPECT_EQ(t.latest_emitted(), std::nullopt);
    EXPECT_EQ(t.acked(1), track_result::stale);
    EXPECT_EQ(t.acked(100), track_result::not_emitted);
    EXPECT_EQ(t.committable(), std::nullopt);
}

TEST(SpoutOffsetTracker, LatestEmittedSurvivesCommits)
{
    auto t = emitted_range(0, 0, 2);
    for (auto o = 0; o < 3; ++o) ASSERT_EQ(t.acked(o), track_result::ok);
    ASSERT_TRUE(t.committed(3));
    EXPECT_EQ(t.latest_emitted(), 2);
}

// A long run against a model: offsets with random gaps, acks in random order, some failures
// that are replayed later and some given up. At every step committable() must equal the smallest
// pending emitted offset (or the newest emitted + 1), so it never passes an unacked offset and is
// never lower than it could be.
TEST(SpoutOffsetTracker, ShuffledAcksNeverCommitPastAPendingOffset)
{
    std::mt19937_64 rng(20240611);
    std::bernoulli_distribution gap(0.1), fail(0.05), replay(0.2), give_up(0.1), commit(0.01);

    const std::int64_t start = 1000;
    offset_tracker t(start);
    std::vector<std::int64_t> to_ack;
    std::int64_t o = start;
    while (to_ack.size() < 100'000) {
        if (!gap(rng)) {
            ASSERT_EQ(t.emitted(o), track_result::ok);
            to_ack.push_back(o);
        }
        ++o;
    }
    const std::int64_t newest = to_ack.back();
    std::shuffle(to_ack.begin(), to_ack.end(), rng);

    std::set<std::int64_t> pending(to_ack.begin(), to_ack.end());
    std::vector<std::int64_t> failed;
    std::int64_t committed = start;
    std::size_t steps = 0;

    auto check = [&] {
        std::int64_t expected = pending.empty() ? newest + 1 : *pending.begin();
        auto c = t.committable();
        if (expected > committed) {
            ASSERT_EQ(c, expected) << "step " << steps;
        } else {
            ASSERT_EQ(c, std::nullopt) << "step " << steps;
        }
        if (c && !pending.empty()) {
            ASSERT_LE(*c, *pending.begin());
        }
        ASSERT_EQ(t.in_flight_count(), pending.size());
    };

    while (!to_ack.empty() || !failed.empty()) {
        ++steps;
        if (!failed.empty() && (to_ack.empty() || replay(rng))) {
            std::uniform_int_distribution<std::size_t> pick(0, failed.size() - 1);
            auto i = pick(rng);
            auto offset = failed[i];
            failed[i] = failed.back();
            failed.pop_back();
            if (give_up(rng)) {
                ASSERT_EQ(t.give_up(offset), track_result::ok);
                pending.erase(offset);
            } else {
                ASSERT_EQ(t.emitted(offset), track_result::replayed);
                to_ack.push_back(offset);
                std::uniform_int_distribution<std::size_t> slot(0, to_ack.size() - 1);
                std::swap(to_ack.back(), to_ack[slot(rng)]);
            }
        } else {
            auto offset = to_ack.back();
            to_ack.pop_back();
            if (fail(rng)) {
                ASSERT_EQ(t.failed(offset), track_result::ok);
                failed.push_back(offset);
            } else {
                ASSERT_EQ(t.acked(offset), track_result::ok);
                pending.erase(offset);
                ASSERT_EQ(t.acked(offset), track_result::duplicate);
            }
        }
        check();
        if (HasFatalFailure()) return;
        if (commit(rng)) {
            if (auto c = t.committable()) {
                ASSERT_TRUE(t.committed(*c));
                committed = *c;
                ASSERT_EQ(t.committed_offset(), committed);
            }
        }
    }
    EXPECT_EQ(t.committable().value_or(committed), newest + 1);
    EXPECT_TRUE(t.committed(newest + 1));
    EXPECT_EQ(t.uncommitted_count(), 0u);
}

} // namespace
} // namespace kspout::spout
