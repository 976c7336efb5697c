// The local runner's acker: XOR tuple trees complete exactly when every edge was acked.
#include "multilang/local/acker.hpp"

#include <gtest/gtest.h>

using namespace kspout::multilang::local;

TEST(LocalAcker, EmitToNoSubscriberCompletesAtInit)
{
    acker a;
    auto done = a.init(42, 0, 7);
    ASSERT_TRUE(done);
    EXPECT_EQ(done->root, 42u);
    EXPECT_EQ(done->spout_task, 7);
    EXPECT_TRUE(done->acked);
    EXPECT_EQ(a.size(), 0u);
}

TEST(LocalAcker, TreeCompletesWhenEveryEdgeIsAcked)
{
    // Spout -> two bolt tasks (edges e1, e2); the first bolt emits one tuple anchored to its
    // input (edge e3) and acks with e1 ^ e3; the second acks e2; the last bolt acks e3.
    acker a;
    const std::uint64_t e1 = 0x1111, e2 = 0x2222, e3 = 0x4444;
    EXPECT_FALSE(a.init(1, e1 ^ e2, 3));
    EXPECT_FALSE(a.ack(1, e1 ^ e3));
    EXPECT_FALSE(a.ack(1, e2));
    auto done = a.ack(1, e3);
    ASSERT_TRUE(done);
    EXPECT_TRUE(done->acked);
    EXPECT_EQ(done->spout_task, 3);
    EXPECT_EQ(a.size(), 0u);
}

TEST(LocalAcker, FailEndsTheTreeOnceAndLaterAcksAreDropped)
{
    acker a;
    EXPECT_FALSE(a.init(9, 0x10 ^ 0x20, 1));
    auto done = a.fail(9);
    ASSERT_TRUE(done);
    EXPECT_FALSE(done->acked);
    // The other branch acks afterwards: no second outcome for this root.
    EXPECT_FALSE(a.ack(9, 0x20));
    a.rotate();
    a.rotate();
    a.rotate();
    EXPECT_EQ(a.size(), 0u); // the leftover entry rotated out, as in Acker.java's 3 buckets
}

TEST(LocalAcker, AckOrFailBeforeInitWaitsForTheInit)
{
    acker a;
    EXPECT_FALSE(a.ack(5, 0xAB));
    auto done = a.init(5, 0xAB, 2);
    ASSERT_TRUE(done);
    EXPECT_TRUE(done->acked);

    EXPECT_FALSE(a.fail(6));
    auto failed = a.init(6, 0x1, 4);
    ASSERT_TRUE(failed);
    EXPECT_FALSE(failed->acked);
    EXPECT_EQ(failed->spout_task, 4);
}

TEST(LocalAcker, ForgottenRootIgnoresLateAcks)
{
    acker a;
    EXPECT_FALSE(a.init(8, 0x5, 1));
    a.forget(8);
    auto late = a.ack(8, 0x5);
    EXPECT_FALSE(late); // no init any more: the spout timed it out
}

TEST(LocalAcker, IdsAreNonZeroAndVary)
{
    id_source ids(1);
    std::uint64_t first = ids.next(), second = ids.next();
    EXPECT_NE(first, 0u);
    EXPECT_NE(second, 0u);
    EXPECT_NE(first, second);
}
