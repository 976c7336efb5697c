// pack_requests: ready batches grouped by leader, oldest first, cut at the request and in-flight limits.
#include "protocol/io/request_packing.hpp"

#include <algorithm>
#include <numeric>

namespace kspout::io {

std::vector<packed_request> pack_requests(std::span<const ready_batch> ready,
                                          const std::map<std::int32_t, std::size_t>& in_flight,
                                          const packing_limits& limits)
{
    std::vector<std::size_t> order(ready.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (ready[a].leader != ready[b].leader) return ready[a].leader < ready[b].leader;
        return ready[a].opened < ready[b].opened;
    });

    std::vector<packed_request> requests;
    std::size_t out = 0;       // the current leader's requests, awaiting an answer or packed here
    std::size_t open_bytes = 0; // of the request being filled
    for (std::size_t i : order) {
        const ready_batch& b = ready[i];
        const bool new_leader = requests.empty() || requests.back().leader != b.leader;
        if (new_leader) {
            auto it = in_flight.find(b.leader);
            out = it == in_flight.end() ? 0 : it->second;
        }
        const bool fits = !new_leader && open_bytes + b.bytes <= limits.max_request_bytes;
        if (!fits) {
            if (out >= limits.max_requests_per_broker) continue; // the leader's places are taken
            requests.push_back({b.leader, {}});
            ++out;
            open_bytes = 0;
        }
        requests.back().batches.push_back(i);
        open_bytes += b.bytes;
    }
    return requests;
}

} // namespace kspout::io
