// Kafka's "roundrobin" assignor: every partition in topic order dealt to the members in turn.
#pragma once

#include "protocol/group/assignor.hpp"

namespace kspout::group {

// Partitions sorted by topic then number; members in member order, dealt in a circle that
// skips a member not subscribed to the partition's topic (the Java RoundRobinAssignor).
group_assignment assign_round_robin(std::span<const group_member> members, const partition_counts& partitions);

} // namespace kspout::group
