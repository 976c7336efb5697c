// Kafka's "range" assignor: per topic, its subscribers in member order take consecutive slices.
#pragma once

#include "protocol/group/assignor.hpp"

namespace kspout::group {

// Topic by topic: with P partitions and C subscribers, the i-th takes P/C partitions starting at
// i*(P/C) + min(i, P%C), one more when i < P%C (the Java RangeAssignor without rack awareness).
group_assignment assign_range(std::span<const group_member> members, const partition_counts& partitions);

} // namespace kspout::group
