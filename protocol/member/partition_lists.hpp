// Sorted partition lists as the group members' machines compare them: what one has and the other lacks, and both together.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <vector>

namespace kspout::member {

// The partitions of sorted `a` that sorted `b` lacks.
inline std::vector<std::int32_t> minus(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b)
{
    std::vector<std::int32_t> out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

// Sorted `a` and `b` merged, each partition once.
inline std::vector<std::int32_t> sorted_union(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b)
{
    std::vector<std::int32_t> out;
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

} // namespace kspout::member
