// Member order, subscriptions and the partitions they cover.
#include "protocol/group/member_order.hpp"

#include <algorithm>
#include <set>

namespace kspout::group {

bool member_before(const group_member& a, const group_member& b) noexcept
{
    if (a.group_instance_id && b.group_instance_id) return *a.group_instance_id < *b.group_instance_id;
    if (a.group_instance_id || b.group_instance_id) return a.group_instance_id.has_value();
    return a.member_id < b.member_id;
}

std::vector<const group_member*> ordered_members(std::span<const group_member> members)
{
    std::vector<const group_member*> out;
    out.reserve(members.size());
    for (const group_member& m : members) out.push_back(&m);
    std::stable_sort(out.begin(), out.end(), [](const group_member* a, const group_member* b) {
        return member_before(*a, *b);
    });
    return out;
}

bool subscribes_to(const group_member& member, std::string_view topic) noexcept
{
    return std::ranges::find(member.subscription.topics, topic) != member.subscription.topics.end();
}

std::vector<topic_partition> subscribed_partitions(std::span<const group_member> members,
                                                   const partition_counts& partitions)
{
    std::set<std::string> topics;
    for (const group_member& m : members) topics.insert(m.subscription.topics.begin(), m.subscription.topics.end());
    std::vector<topic_partition> out;
    for (const std::string& topic : topics) {
        auto count = partitions.find(topic);
        if (count == partitions.end()) continue;
        for (std::int32_t p = 0; p < count->second; ++p) out.push_back({topic, p});
    }
    return out;
}

group_assignment empty_assignment(std::span<const group_member> members)
{
    group_assignment out;
    for (const group_member& m : members) out[m.member_id];
    return out;
}

} // namespace kspout::group
