// pykafka's partition assignment (range and round-robin), so our members and its agree on who owns what.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::group {

// A partition of the topic with the broker id of its current leader, which pykafka puts in the
// sort key and in the owner node name.
struct partition_info {
    std::int32_t id = 0;
    std::int32_t leader = -1;

    friend bool operator==(const partition_info&, const partition_info&) = default;
};

enum class assignment_strategy { range, round_robin };

// "<topic>-<leader>-<id>", compared as a string, so "t-1-10" sorts before "t-1-2". (pykafka
// under Python 3 puts "b'<topic>'" first instead; a prefix shared by every key leaves the order
// unchanged.) Because the leader is in the key, members only agree when they see the same leaders.
std::string partition_sort_key(std::string_view topic, const partition_info& partition);

// The partitions in sort-key order.
std::vector<partition_info> sort_partitions(std::string_view topic, std::span<const partition_info> partitions);

// pykafka's decide_partitions_range: with P partitions in key order and C participants sorted as
// byte strings, the member at index i takes P/C partitions starting at i*(P/C) + min(i, P%C),
// plus one more when i < P%C. nullopt when `me` is not a participant (pykafka raises there).
std::optional<std::vector<partition_info>> decide_partitions_range(std::string_view topic,
                                                                   std::span<const partition_info> partitions,
                                                                   std::span<const std::string> participants,
                                                                   std::string_view me);

// pykafka's decide_partitions_roundrobin: the k-th partition in key order goes to participant
// k mod C. nullopt when `me` is not a participant.
std::optional<std::vector<partition_info>> decide_partitions_round_robin(std::string_view topic,
                                                                         std::span<const partition_info> partitions,
                                                                         std::span<const std::string> participants,
                                                                         std::string_view me);

std::optional<std::vector<partition_info>> decide_partitions(assignment_strategy strategy, std::string_view topic,
                                                             std::span<const partition_info> partitions,
                                                             std::span<const std::string> participants,
                                                             std::string_view me);

// Claims are exclusive per PARTITION, not per owner node name. pykafka names owner nodes
// "<leader>-<partition>" and only fails on an existing node of that exact name, so after a
// leader change a stale "<old>-<p>" and a new "<new>-<p>" can both exist and two members consume
// p (reference notes, pykafka §1.2 and §2.6). Before creating "<leader>-<p>" we therefore look for
// any child of the owners directory that claims p under another leader prefix
// (claims_for_partition in paths.hpp) and treat one held by another member as "partition owned".

} // namespace kspout::group
