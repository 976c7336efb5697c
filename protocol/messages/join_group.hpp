// JoinGroup (JoinGroupRequest.json / JoinGroupResponse.json) v0-9: join a classic group, get its generation.
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

// v1 adds the rebalance timeout, v4 the MEMBER_ID_REQUIRED round trip, v5 group.instance.id
// (KIP-345), v6 is flexible, v7 returns the protocol type, v8 adds a reason, v9 skip_assignment.
inline constexpr version_range join_group_versions{0, 9};

// The first version that answers a join with an empty member id by MEMBER_ID_REQUIRED.
inline constexpr std::int16_t join_group_member_id_required_version = 4;
// The first version that carries group.instance.id (static membership).
inline constexpr std::int16_t join_group_static_membership_version = 5;

struct join_group_protocol {
    std::string name; // the assignor, e.g. "range"
    wire::byte_buffer metadata; // for protocol type "consumer", an encoded consumer_subscription
    friend bool operator==(const join_group_protocol&, const join_group_protocol&) = default;
};

// Fields a version does not have are left out when encoding: the caller chooses what to set
// from the negotiated version (join_group_static_membership_version, for one).
struct join_group_request {
    std::string group_id;
    std::int32_t session_timeout_ms = 0;
    std::int32_t rebalance_timeout_ms = -1; // v1+; v0 uses the session timeout
    std::string member_id;                  // empty on the first join
    std::optional<std::string> group_instance_id; // v5+
    std::string protocol_type;                    // "consumer"
    std::vector<join_group_protocol> protocols;   // in order of preference
    std::optional<std::string> reason;            // v8+
    friend bool operator==(const join_group_request&, const join_group_request&) = default;
};

struct join_group_member {
    std::string member_id;
    std::optional<std::string> group_instance_id; // v5+
    wire::byte_buffer metadata;
    friend bool operator==(const join_group_member&, const join_group_member&) = default;
};

struct join_group_response {
    std::int32_t throttle_time_ms = 0; // v2+
    std::int16_t error_code = 0;
    std::int32_t generation_id = -1;
    std::optional<std::string> protocol_type; // v7+
    std::optional<std::string> protocol_name; // null only from v7
    std::string leader;
    bool skip_assignment = false; // v9+: the leader must not compute an assignment
    std::string member_id;
    std::vector<join_group_member> members; // filled for the leader only
    friend bool operator==(const join_group_response&, const join_group_response&) = default;
};

// From v4 a first join (empty member id) is answered MEMBER_ID_REQUIRED with the member id the
// broker chose; the caller joins again with that id. nullopt for any other answer.
std::optional<std::string> member_id_to_rejoin_with(const join_group_response& response);

// Encoding requires a version inside join_group_versions; decoding checks it.
void encode(wire::writer& w, const join_group_request& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, join_group_request& out, std::int16_t version);
void encode(wire::writer& w, const join_group_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, join_group_response& out, std::int16_t version);

} // namespace kspout::messages
