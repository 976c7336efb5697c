// Which partitions a member handed to its fetcher can now be announced (on_assigned): those whose start offset is known.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>

namespace kspout::member {

struct ready_partitions {
    std::map<std::int32_t, std::int64_t> starts; // partition -> the offset it starts from
    bool waiting = false;                         // some start offsets are still being looked up
};

// position(p) gives the start offset once known (simple_consumer::position).
template <typename Position>
ready_partitions ready_to_announce(const std::set<std::int32_t>& assigned, const std::set<std::int32_t>& announced,
                                   Position position)
{
    ready_partitions out;
    for (std::int32_t p : assigned) {
        if (announced.contains(p))
            continue;
        if (std::optional<std::int64_t> at = position(p))
            out.starts[p] = *at;
        else
            out.waiting = true;
    }
    return out;
}

} // namespace kspout::member
