// session_lease: how long an answer from ZooKeeper proves the session alive.
#include "protocol/balanced/session_lease.hpp"

#include <gtest/gtest.h>

namespace kspout::balanced {
namespace {

using namespace std::chrono_literals;
using clock = session_lease::clock;

TEST(SessionLease, NothingIsKnownBeforeTheFirstAnswer)
{
    session_lease lease;
    EXPECT_FALSE(lease.valid(clock::now()));
}

TEST(SessionLease, AnAnswerCoversHalfTheTimeoutFromWhenItsRequestWasSent)
{
    session_lease lease;
    clock::time_point sent{10s};
    lease.confirmed(sent, 6000ms);
    EXPECT_TRUE(lease.valid(sent));
    EXPECT_TRUE(lease.valid(sent + 2999ms));
    EXPECT_FALSE(lease.valid(sent + 3000ms));
    EXPECT_FALSE(lease.valid(sent + 1h)); // a process stopped for long learns it on its first look
}

TEST(SessionLease, AnOlderRequestAnsweredLateDoesNotShortenIt)
{
    session_lease lease;
    clock::time_point t{10s};
    lease.confirmed(t + 1s, 6000ms);
    lease.confirmed(t, 6000ms);
    EXPECT_EQ(lease.valid_until(), t + 4s);
}

TEST(SessionLease, ResetForgetsEverything)
{
    session_lease lease;
    clock::time_point t{10s};
    lease.confirmed(t, 6000ms);
    lease.reset();
    EXPECT_FALSE(lease.valid(t));
}

} // namespace
} // namespace kspout::balanced
