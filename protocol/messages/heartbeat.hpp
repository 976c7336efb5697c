// Heartbeat (HeartbeatRequest.json / HeartbeatResponse.json) v0-4: keep a classic group member alive.
#pragma once

#include "protocol/messages/versions.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace kspout::messages {

// v3 adds group.instance.id, v4 is flexible.
inline constexpr version_range heartbeat_versions{0, 4};

struct heartbeat_request {
    std::string group_id;
    std::int32_t generation_id = -1;
    std::string member_id;
    std::optional<std::string> group_instance_id; // v3+
    friend bool operator==(const heartbeat_request&, const heartbeat_request&) = default;
};

// REBALANCE_IN_PROGRESS here tells the member to rejoin.
struct heartbeat_response {
    std::int32_t throttle_time_ms = 0; // v1+
    std::int16_t error_code = 0;
    friend bool operator==(const heartbeat_response&, const heartbeat_response&) = default;
};

// Encoding requires a version inside heartbeat_versions; decoding checks it.
void encode(wire::writer& w, const heartbeat_request& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, heartbeat_request& out, std::int16_t version);
void encode(wire::writer& w, const heartbeat_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, heartbeat_response& out, std::int16_t version);

} // namespace kspout::messages
