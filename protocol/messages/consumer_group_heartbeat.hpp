// ConsumerGroupHeartbeat (ConsumerGroupHeartbeatRequest.json / ...Response.json) v0-1: KIP-848's
// next-generation group protocol, where the broker assigns and one heartbeat carries join, leave and assignment.
#pragma once

#include "protocol/messages/topic_id.hpp"
#include "protocol/messages/versions.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kspout::messages {

// Every version is flexible; v1 adds the subscription regex.
inline constexpr version_range consumer_group_heartbeat_versions{0, 1};

// Member epochs with a meaning of their own in the request.
inline constexpr std::int32_t member_epoch_join = 0;          // join (or rejoin after a fence)
inline constexpr std::int32_t member_epoch_leave = -1;        // leave the group
inline constexpr std::int32_t member_epoch_leave_static = -2; // a static member leaves for now, keeps its instance id

// Topics are named by id; Metadata v10+ (metadata_topic::topic_id) maps them to names.
struct consumer_group_topic_partitions {
    messages::topic_id topic_id{};
    std::vector<std::int32_t> partitions;
    friend bool operator==(const consumer_group_topic_partitions&, const consumer_group_topic_partitions&) = default;
};

// Fields left null mean "unchanged since the last heartbeat"; the first heartbeat of a member
// (epoch 0) sends them all.
struct consumer_group_heartbeat_request {
    std::string group_id;
    // The first heartbeat: empty for brokers before 4.0, which make the id; 4.0 expects a uuid the
    // client made (KIP-1082) and keeps for its lifetime.
    std::string member_id;
    std::int32_t member_epoch = member_epoch_join;
    std::optional<std::string> instance_id;
    std::optional<std::string> rack_id;
    std::int32_t rebalance_timeout_ms = -1;
    std::optional<std::vector<std::string>> subscribed_topic_names;
    std::optional<std::string> subscribed_topic_regex; // v1+
    std::optional<std::string> server_assignor;        // "uniform" or "range"; null for the broker's default
    // The partitions the member owns now: its acknowledgement of the assignment it has taken.
    std::optional<std::vector<consumer_group_topic_partitions>> topic_partitions;
    friend bool operator==(const consumer_group_heartbeat_request&, const consumer_group_heartbeat_request&) = default;
};

struct consumer_group_heartbeat_response {
    std::int32_t throttle_time_ms = 0;
    std::int16_t error_code = 0;
    std::optional<std::string> error_message;
    std::optional<std::string> member_id;
    std::int32_t member_epoch = 0;
    std::int32_t heartbeat_interval_ms = 0;
    // The member's whole target assignment, or null when it has not changed.
    std::optional<std::vector<consumer_group_topic_partitions>> assignment;
    friend bool operator==(const consumer_group_heartbeat_response&, const consumer_group_heartbeat_response&) = default;
};

// Encoding requires a version inside consumer_group_heartbeat_versions; decoding checks it.
void encode(wire::writer& w, const consumer_group_heartbeat_request& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, consumer_group_heartbeat_request& out, std::int16_t version);
void encode(wire::writer& w, const consumer_group_heartbeat_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, consumer_group_heartbeat_response& out, std::int16_t version);

} // namespace kspout::messages
