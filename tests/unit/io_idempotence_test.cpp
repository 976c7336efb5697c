// idempotence_state: a retry keeps its identity, sequences run per partition, wrap, and restart under a new id.
#include "protocol/io/idempotence.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace kspout::io {
namespace {

TEST(IoIdempotence, OffStampsNothing)
{
    idempotence_state off(false);
    EXPECT_TRUE(off.may_send());
    EXPECT_FALSE(off.stamp("t", 0, {}, 3).stamped());
}

TEST(IoIdempotence, BatchesWaitForTheId)
{
    idempotence_state s(true);
    EXPECT_EQ(s.phase(), idempotence_phase::unknown);
    EXPECT_FALSE(s.may_send());
    s.requesting();
    EXPECT_FALSE(s.may_send());
    s.request_failed();
    EXPECT_EQ(s.phase(), idempotence_phase::unknown);
    s.got_id(42, 1);
    EXPECT_TRUE(s.may_send());
}

TEST(IoIdempotence, SequencesRunPerPartitionAndARetryKeepsItsOwn)
{
    idempotence_state s(true);
    s.got_id(42, 1);
    auto a = s.stamp("t", 0, {}, 3);
    EXPECT_EQ(a, (batch_identity{42, 1, 0}));
    EXPECT_EQ(s.stamp("t", 0, a, 3), a); // the same batch again: the broker sees a duplicate
    EXPECT_EQ(s.stamp("t", 0, {}, 2), (batch_identity{42, 1, 3}));
    EXPECT_EQ(s.stamp("t", 1, {}, 5), (batch_identity{42, 1, 0}));
    EXPECT_EQ(s.stamp("u", 0, {}, 1), (batch_identity{42, 1, 0}));
}

TEST(IoIdempotence, ANewIdRestampsAndRestartsEveryPartition)
{
    idempotence_state s(true);
    s.got_id(42, 1);
    auto old = s.stamp("t", 0, {}, 3);
    s.reset();
    EXPECT_FALSE(s.may_send());
    s.got_id(43, 0);
    EXPECT_EQ(s.stamp("t", 0, old, 3), (batch_identity{43, 0, 0}));
    EXPECT_EQ(s.stamp("t", 0, {}, 1), (batch_identity{43, 0, 3}));
}

TEST(IoIdempotence, SequencesWrapAtInt32Max)
{
    constexpr auto max = std::numeric_limits<std::int32_t>::max();
    idempotence_state s(true);
    s.got_id(1, 0);
    s.stamp("t", 0, {}, max - 1); // 0 .. max-2
    EXPECT_EQ(s.stamp("t", 0, {}, 3).base_sequence, max - 1); // max-1, max, 0
    EXPECT_EQ(s.stamp("t", 0, {}, 1).base_sequence, 1);
}

TEST(IoIdempotence, UnsupportedTurnsItOff)
{
    idempotence_state s(true);
    s.requesting();
    s.unsupported();
    EXPECT_TRUE(s.may_send());
    EXPECT_FALSE(s.stamp("t", 0, {}, 1).stamped());
    s.reset(); // stays off
    EXPECT_EQ(s.phase(), idempotence_phase::off);
}

} // namespace
} // namespace kspout::io
