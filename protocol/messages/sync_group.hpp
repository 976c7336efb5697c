// SyncGroup (SyncGroupRequest.json / SyncGroupResponse.json) v0-5: the leader hands out assignments, every member gets its own.
#pragma once

#include "protocol/messages/versions.hpp"
#include "protocol/wire/bytes.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kspout::messages {

// v3 adds group.instance.id, v4 is flexible, v5 sends the protocol type and name (KIP-559).
inline constexpr version_range sync_group_versions{0, 5};

struct sync_group_assignment {
    std::string member_id;
    wire::byte_buffer assignment; // for protocol type "consumer", an encoded consumer_assignment
    friend bool operator==(const sync_group_assignment&, const sync_group_assignment&) = default;
};

struct sync_group_request {
    std::string group_id;
    std::int32_t generation_id = -1;
    std::string member_id;
    std::optional<std::string> group_instance_id; // v3+
    std::optional<std::string> protocol_type;     // v5+
    std::optional<std::string> protocol_name;     // v5+
    std::vector<sync_group_assignment> assignments; // the leader's; empty from the others
    friend bool operator==(const sync_group_request&, const sync_group_request&) = default;
};

struct sync_group_response {
    std::int32_t throttle_time_ms = 0; // v1+
    std::int16_t error_code = 0;
    std::optional<std::string> protocol_type; // v5+
    std::optional<std::string> protocol_name; // v5+
    wire::byte_buffer assignment;
    friend bool operator==(const sync_group_response&, const sync_group_response&) = default;
};

// Encoding requires a version inside sync_group_versions; decoding checks it.
void encode(wire::writer& w, const sync_group_request& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, sync_group_request& out, std::int16_t version);
void encode(wire::writer& w, const sync_group_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, sync_group_response& out, std::int16_t version);

} // namespace kspout::messages
