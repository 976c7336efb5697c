// Kafka's "cooperative-sticky" assignor: balanced, keeps what members own, and incremental (KIP-429).
#pragma once

#include "protocol/group/assignor.hpp"

namespace kspout::group {

// 1. Each partition stays with the member that owns it (by the owned partitions of the
//    subscriptions; of two claims the higher generation wins, equal ones leave it unowned).
// 2. Unowned partitions go to the least loaded subscriber, those with fewest subscribers first.
// 3. While a member holds two more than another subscriber of one of its topics, one partition
//    moves, unowned ones before owned ones: with equal subscriptions the loads end within one
//    and as few owned partitions move as that allows.
// 4. Incremental: a member is not given a partition any other member still claims; the owner
//    gets it in `revoked` instead, and the new owner receives it in the round after the revoke.
group_assignment assign_cooperative_sticky(std::span<const group_member> members, const partition_counts& partitions);

} // namespace kspout::group
