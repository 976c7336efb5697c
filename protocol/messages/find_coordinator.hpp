// FindCoordinator (FindCoordinatorRequest.json / FindCoordinatorResponse.json) v0-2: a group's coordinator.
#pragma once

#include "protocol/messages/versions.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace kspout::messages {

inline constexpr version_range find_coordinator_versions{0, 2};

enum class coordinator_type : std::int8_t {
    group = 0,
    transaction = 1,
};

struct find_coordinator_request {
    std::string key; // the group id for group coordinators
    coordinator_type key_type = coordinator_type::group; // v1+
    friend bool operator==(const find_coordinator_request&, const find_coordinator_request&) = default;
};

struct find_coordinator_response {
    std::int32_t throttle_time_ms = 0; // v1+
    std::int16_t error_code = 0;
    std::optional<std::string> error_message; // v1+
    std::int32_t node_id = -1;
    std::string host;
    std::int32_t port = -1;
    friend bool operator==(const find_coordinator_response&, const find_coordinator_response&) = default;
};

// Encoding requires a version inside find_coordinator_versions; decoding checks it.
void encode(wire::writer& w, const find_coordinator_request& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, find_coordinator_request& out, std::int16_t version);
void encode(wire::writer& w, const find_coordinator_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, find_coordinator_response& out, std::int16_t version);

} // namespace kspout::messages
