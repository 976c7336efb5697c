// Range assignment, topic by topic.
#include "protocol/group/range_assignor.hpp"

#include "protocol/group/member_order.hpp"
#include "protocol/group/range_share.hpp"

namespace kspout::group {

group_assignment assign_range(std::span<const group_member> members, const partition_counts& partitions)
{
    group_assignment out = empty_assignment(members);
    const std::vector<const group_member*> order = ordered_members(members);
    for (const auto& [topic, count] : partitions) {
        std::vector<const group_member*> subscribers;
        for (const group_member* m : order) {
            if (subscribes_to(*m, topic)) subscribers.push_back(m);
        }
        if (subscribers.empty() || count <= 0) continue;
        for (std::size_t i = 0; i < subscribers.size(); ++i) {
            const range_slice slice = range_share(static_cast<std::size_t>(count), subscribers.size(), i);
            auto& assigned = out[subscribers[i]->member_id].assigned;
            for (std::size_t p = slice.start; p < slice.start + slice.count; ++p) {
                assigned.push_back({topic, static_cast<std::int32_t>(p)});
            }
        }
    }
    return out;
}

} // namespace kspout::group
