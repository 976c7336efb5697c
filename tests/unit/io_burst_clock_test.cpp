// burst_clock: one wall-clock reading shared by a burst's records, a fresh one after expire().
#include "protocol/io/burst_clock.hpp"

#include <gtest/gtest.h>

namespace kspout::io {
namespace {

int reads = 0;

std::int64_t counting_clock()
{
    return 1000 + reads++;
}

TEST(BurstClock, ReadsOncePerSharedByRecordsAndAfreshAfterExpire)
{
    reads = 0;
    burst_clock clock(&counting_clock, 4);
    std::vector<std::int64_t> stamps;
    for (int i = 0; i < 9; ++i) stamps.push_back(clock.now_ms());
    EXPECT_EQ(stamps, (std::vector<std::int64_t>{1000, 1000, 1000, 1000, 1001, 1001, 1001, 1001, 1002}));
    EXPECT_EQ(reads, 3);

    clock.expire(); // the burst ended: the next record reads the clock even mid-share
    EXPECT_EQ(clock.now_ms(), 1003);
    clock.expire();
    clock.expire();
    EXPECT_EQ(clock.now_ms(), 1004);
    EXPECT_EQ(reads, 5);
}

TEST(BurstClock, TheWallClockReadsMillisecondsSinceTheEpoch)
{
    burst_clock clock;
    const std::int64_t before = burst_clock::wall_clock_ms();
    const std::int64_t stamp = clock.now_ms();
    EXPECT_GE(stamp, before);
    EXPECT_LE(stamp, burst_clock::wall_clock_ms());
    EXPECT_GT(stamp, 1'700'000'000'000); // after November 2023
}

} // namespace
} // namespace kspout::io
