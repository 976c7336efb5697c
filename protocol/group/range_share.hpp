// The range split shared by pykafka's and Kafka's range assignors: which slice of N items member i of M takes.
#pragma once

#include <algorithm>
#include <cstddef>

namespace kspout::group {

struct range_slice {
    std::size_t start = 0;
    std::size_t count = 0;
};

// Each member takes items / members; the first items % members take one more.
constexpr range_slice range_share(std::size_t items, std::size_t members, std::size_t index) noexcept
{
    const std::size_t each = items / members;
    const std::size_t extra = items % members;
    return {each * index + std::min(index, extra), each + (index < extra ? 1 : 0)};
}

} // namespace kspout::group
