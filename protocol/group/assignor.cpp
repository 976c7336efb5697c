// Assignor names, the dispatch over them, and the by-topic payload form.
#include "protocol/group/assignor.hpp"

#include "protocol/group/cooperative_sticky_assignor.hpp"
#include "protocol/group/range_assignor.hpp"
#include "protocol/group/round_robin_assignor.hpp"

#include <algorithm>

namespace kspout::group {

std::string_view assignor_name(assignor_kind kind) noexcept
{
    switch (kind) {
    case assignor_kind::range: return "range";
    case assignor_kind::round_robin: return "roundrobin";
    case assignor_kind::cooperative_sticky: return "cooperative-sticky";
    }
    return "range";
}

std::optional<assignor_kind> parse_assignor(std::string_view name) noexcept
{
    for (assignor_kind kind : {assignor_kind::range, assignor_kind::round_robin, assignor_kind::cooperative_sticky}) {
        if (assignor_name(kind) == name) return kind;
    }
    return std::nullopt;
}

bool is_cooperative(assignor_kind kind) noexcept
{
    return kind == assignor_kind::cooperative_sticky;
}

group_assignment assign(assignor_kind kind, std::span<const group_member> members, const partition_counts& partitions)
{
    switch (kind) {
    case assignor_kind::range: return assign_range(members, partitions);
    case assignor_kind::round_robin: return assign_round_robin(members, partitions);
    case assignor_kind::cooperative_sticky: return assign_cooperative_sticky(members, partitions);
    }
    return assign_range(members, partitions);
}

std::vector<topic_partitions> group_by_topic(std::span<const topic_partition> partitions)
{
    std::vector<topic_partition> sorted(partitions.begin(), partitions.end());
    std::ranges::sort(sorted);
    std::vector<topic_partitions> out;
    for (const topic_partition& tp : sorted) {
        if (out.empty() || out.back().topic != tp.topic) out.push_back({tp.topic, {}});
        out.back().partitions.push_back(tp.partition);
    }
    return out;
}

std::vector<topic_partition> flatten(std::span<const topic_partitions> topics)
{
    std::vector<topic_partition> out;
    for (const topic_partitions& t : topics) {
        for (std::int32_t p : t.partitions) out.push_back({t.topic, p});
    }
    std::ranges::sort(out);
    return out;
}

} // namespace kspout::group
