// pack_requests: batches per leader, oldest first, cut at max_request_bytes and max_requests_per_broker.
#include "protocol/io/request_packing.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace kspout::io {
namespace {

using namespace std::chrono_literals;

const auto t0 = std::chrono::steady_clock::time_point{} + 1h;

std::vector<std::vector<std::size_t>> batches_of(const std::vector<packed_request>& requests)
{
    std::vector<std::vector<std::size_t>> out;
    for (const auto& r : requests) out.push_back(r.batches);
    return out;
}

TEST(RequestPacking, BatchesShareARequestUpToItsBytesOldestFirst)
{
    std::vector<ready_batch> ready = {
        {1, t0 + 3ms, 400}, {1, t0 + 1ms, 400}, {1, t0 + 2ms, 400}, {1, t0 + 4ms, 400},
    };
    auto requests = pack_requests(ready, {}, {1000, 5});
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].leader, 1);
    EXPECT_EQ(batches_of(requests), (std::vector<std::vector<std::size_t>>{{1, 2}, {0, 3}}));
}

TEST(RequestPacking, ABatchLargerThanARequestTravelsAlone)
{
    std::vector<ready_batch> ready = {{1, t0, 100}, {1, t0 + 1ms, 5000}, {1, t0 + 2ms, 100}};
    auto requests = pack_requests(ready, {}, {1000, 5});
    EXPECT_EQ(batches_of(requests), (std::vector<std::vector<std::size_t>>{{0}, {1}, {2}}));
}

TEST(RequestPacking, EachLeaderGetsItsOwnRequests)
{
    std::vector<ready_batch> ready = {{2, t0, 100}, {1, t0 + 1ms, 100}, {2, t0 + 2ms, 100}, {1, t0 + 3ms, 100}};
    auto requests = pack_requests(ready, {}, {1000, 5});
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].leader, 1);
    EXPECT_EQ(requests[0].batches, (std::vector<std::size_t>{1, 3}));
    EXPECT_EQ(requests[1].leader, 2);
    EXPECT_EQ(requests[1].batches, (std::vector<std::size_t>{0, 2}));
}

TEST(RequestPacking, ALeaderWithItsPlacesTakenGetsNothingTheOldestGoFirst)
{
    std::vector<ready_batch> ready;
    for (int i = 0; i < 6; ++i) ready.push_back({1, t0 + std::chrono::milliseconds(6 - i), 800});
    ready.push_back({2, t0, 800});
    // Leader 1 has 3 of its 5 places taken: 2 requests of one batch each, the two oldest.
    auto requests = pack_requests(ready, {{1, 3}, {2, 5}}, {1000, 5});
    EXPECT_EQ(batches_of(requests), (std::vector<std::vector<std::size_t>>{{5}, {4}}));
    EXPECT_TRUE(pack_requests(ready, {{1, 5}, {2, 5}}, {1000, 5}).empty());
    EXPECT_EQ(pack_requests(ready, {{1, 5}}, {1000, 5}).size(), 1u) << "leader 2 is not held back by 1";
}

TEST(RequestPacking, NothingReadyNothingSent)
{
    EXPECT_TRUE(pack_requests({}, {}, {1000, 5}).empty());
}

} // namespace
} // namespace kspout::io
