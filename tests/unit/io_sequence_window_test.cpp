// sequence_window: numbers handed out in order, settled in any order, and how far all are settled.
#include "protocol/io/sequence_window.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace kspout::io {
namespace {

TEST(SequenceWindow, NumbersComeInOrderAndTheLowestUnsettledWaitsForTheOldest)
{
    sequence_window w;
    EXPECT_EQ(w.lowest_unsettled(), 0u);
    EXPECT_EQ(w.open(), 0u);
    EXPECT_EQ(w.open(), 1u);
    EXPECT_EQ(w.open(), 2u);
    w.settle(1);
    w.settle(2);
    EXPECT_EQ(w.lowest_unsettled(), 0u) << "0 is still out";
    EXPECT_EQ(w.unsettled(), 1u);
    w.settle(0);
    EXPECT_EQ(w.lowest_unsettled(), 3u);
    EXPECT_EQ(w.next(), 3u);
    EXPECT_EQ(w.unsettled(), 0u);
}

TEST(SequenceWindow, SettlingTwiceOrAnUnknownNumberChangesNothing)
{
    sequence_window w;
    w.open();
    w.open();
    w.settle(1);
    w.settle(1);
    w.settle(7);
    EXPECT_EQ(w.unsettled(), 1u);
    EXPECT_EQ(w.lowest_unsettled(), 0u);
    w.settle(0);
    w.settle(0);
    EXPECT_EQ(w.unsettled(), 0u);
    EXPECT_EQ(w.lowest_unsettled(), 2u);
}

TEST(SequenceWindow, AnyOrderOfSettlingAgreesWithTheSmallestOutstandingNumber)
{
    std::mt19937 rng(42);
    sequence_window w;
    std::vector<std::uint64_t> out;
    for (int step = 0; step < 5000; ++step) {
        if (out.empty() || rng() % 3 != 0) {
            out.push_back(w.open());
        } else {
            auto i = rng() % out.size();
            w.settle(out[i]);
            out.erase(out.begin() + static_cast<std::ptrdiff_t>(i));
        }
        auto lowest = out.empty() ? w.next() : *std::min_element(out.begin(), out.end());
        ASSERT_EQ(w.lowest_unsettled(), lowest) << "step " << step;
        ASSERT_EQ(w.unsettled(), out.size());
    }
}

} // namespace
} // namespace kspout::io
