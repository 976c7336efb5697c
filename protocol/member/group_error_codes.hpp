// The broker error codes a group member acts on by name (Kafka's protocol error table).
#pragma once

#include <cstdint>

namespace kspout::member::group_error {

inline constexpr std::int16_t none = 0;
inline constexpr std::int16_t coordinator_load_in_progress = 14;
inline constexpr std::int16_t coordinator_not_available = 15;
inline constexpr std::int16_t not_coordinator = 16;
inline constexpr std::int16_t illegal_generation = 22;
inline constexpr std::int16_t unknown_member_id = 25;
inline constexpr std::int16_t rebalance_in_progress = 27;
inline constexpr std::int16_t unsupported_version = 35;
inline constexpr std::int16_t member_id_required = 79;
inline constexpr std::int16_t fenced_instance_id = 82;
inline constexpr std::int16_t fenced_member_epoch = 110;
inline constexpr std::int16_t unreleased_instance_id = 111;
inline constexpr std::int16_t stale_member_epoch = 113;

} // namespace kspout::member::group_error
