// The order Kafka's assignors visit members in: static members first by group.instance.id, then the others by member id.
#pragma once

#include "protocol/group/assignor.hpp"

#include <span>
#include <vector>

namespace kspout::group {

// As the Java client's MemberInfo orders them, so that our leader and theirs pick the same
// member for the same share.
bool member_before(const group_member& a, const group_member& b) noexcept;

// Pointers into `members`, sorted by member_before.
std::vector<const group_member*> ordered_members(std::span<const group_member> members);

bool subscribes_to(const group_member& member, std::string_view topic) noexcept;

// The partitions of every topic some member subscribes to, topics by name, each 0..count-1.
std::vector<topic_partition> subscribed_partitions(std::span<const group_member> members,
                                                   const partition_counts& partitions);

// An entry per member with nothing assigned: the assignors' starting point.
group_assignment empty_assignment(std::span<const group_member> members);

} // namespace kspout::group
