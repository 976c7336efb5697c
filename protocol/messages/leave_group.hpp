// LeaveGroup (LeaveGroupRequest.json / LeaveGroupResponse.json) v0-5: members leave a classic group.
#pragma once

#include "protocol/messages/versions.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kspout::messages {

// v0-2 name one member by id; v3 names a batch of members with their group.instance.id, v4 is
// flexible, v5 adds a reason per member.
inline constexpr version_range leave_group_versions{0, 5};

struct leave_group_member {
    std::string member_id;
    std::optional<std::string> group_instance_id; // v3+
    std::optional<std::string> reason;            // v5+
    friend bool operator==(const leave_group_member&, const leave_group_member&) = default;
};

struct leave_group_request {
    std::string group_id;
    // Exactly one before v3 (only its member id is sent); decoding v0-2 gives one.
    std::vector<leave_group_member> members;
    friend bool operator==(const leave_group_request&, const leave_group_request&) = default;
};

struct leave_group_member_response {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::int16_t error_code = 0;
    friend bool operator==(const leave_group_member_response&, const leave_group_member_response&) = default;
};

struct leave_group_response {
    std::int32_t throttle_time_ms = 0; // v1+
    std::int16_t error_code = 0;
    std::vector<leave_group_member_response> members; // v3+
    friend bool operator==(const leave_group_response&, const leave_group_response&) = default;
};

// Encoding requires a version inside leave_group_versions; decoding checks it.
void encode(wire::writer& w, const leave_group_request& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, leave_group_request& out, std::int16_t version);
void encode(wire::writer& w, const leave_group_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, leave_group_response& out, std::int16_t version);

} // namespace kspout::messages
