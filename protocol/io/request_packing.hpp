// Which ready batches go out now, and in which Produce requests: oldest first, bounded per request and per broker.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace kspout::io {

// A partition's next batch, ready to go to its leader.
struct ready_batch {
    std::int32_t leader = -1;
    std::chrono::steady_clock::time_point opened; // when its first record came
    std::size_t bytes = 0;                        // estimated, header included
};

struct packing_limits {
    std::size_t max_request_bytes = 1 << 20;  // a larger batch travels alone
    std::size_t max_requests_per_broker = 5;  // awaiting an answer, those already out included
};

// One request: its leader, and indices into the ready batches it carries.
struct packed_request {
    std::int32_t leader = -1;
    std::vector<std::size_t> batches;
};

// Packs each leader's ready batches into requests, the longest-waiting first, while the leader
// has fewer than max_requests_per_broker requests out (`in_flight`, by leader). Batches left out
// wait for an answer to free a place.
std::vector<packed_request> pack_requests(std::span<const ready_batch> ready,
                                          const std::map<std::int32_t, std::size_t>& in_flight,
                                          const packing_limits& limits);

} // namespace kspout::io
