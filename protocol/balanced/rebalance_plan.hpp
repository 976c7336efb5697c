// Pure decisions of the balanced consumer: static assignment, what to release and claim, which of
// two claims on one partition stands, backoff steps, option checks. No I/O, so unit tests cover them.
#pragma once

#include "protocol/balanced/balanced_options.hpp"
#include "protocol/group/assignment.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kspout::balanced {

// Static mode: partition p belongs to member p % count == index.
std::vector<std::int32_t> static_assignment(std::span<const group::partition_info> partitions, static_member member);

struct rebalance_plan {
    std::vector<std::int32_t> release; // held but no longer ours: revoke, then delete the owner node
    std::vector<std::int32_t> claim;   // ours now but not held: create the owner node
};

// Both inputs in any order; the outputs are sorted.
rebalance_plan plan_rebalance(std::span<const std::int32_t> held, std::span<const std::int32_t> target);

// One owner node of a partition as read back after claiming: its name and creation zxid.
struct claim_node {
    std::string name;
    std::int64_t czxid = 0;
};

// Of several owner nodes claiming one partition (under different leader prefixes), the one
// created first stands; every member that checks reaches the same verdict. nullopt when empty.
std::optional<std::string> standing_claim(std::span<const claim_node> nodes);

// Partitions with their leaders, as the assignment sees them; true when the lists differ in ids
// or leaders (order ignored).
bool partitions_changed(std::span<const group::partition_info> before, std::span<const group::partition_info> after);

// backoff, 2*backoff, ... capped at max; `previous` zero gives the first step.
std::chrono::milliseconds next_backoff(std::chrono::milliseconds previous, std::chrono::milliseconds backoff,
                                       std::chrono::milliseconds max);

// Why the options cannot work, or empty when they can.
std::string check_options(const balanced_options& options);

// "0,1,5" for log lines and error messages.
std::string partition_list(std::span<const std::int32_t> partitions);

group::assignment_strategy to_group_strategy(assignment_strategy strategy) noexcept;

} // namespace kspout::balanced
