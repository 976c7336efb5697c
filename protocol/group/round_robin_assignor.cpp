// Round-robin assignment over all subscribed partitions.
#include "protocol/group/round_robin_assignor.hpp"

#include "protocol/group/member_order.hpp"

namespace kspout::group {

group_assignment assign_round_robin(std::span<const group_member> members, const partition_counts& partitions)
{
    group_assignment out = empty_assignment(members);
    const std::vector<const group_member*> order = ordered_members(members);
    std::size_t next = 0;
    for (const topic_partition& tp : subscribed_partitions(members, partitions)) {
        // Some member subscribes to every topic subscribed_partitions lists, so this ends.
        while (!subscribes_to(*order[next % order.size()], tp.topic)) ++next;
        out[order[next % order.size()]->member_id].assigned.push_back(tp);
        ++next;
    }
    return out;
}

} // namespace kspout::group
