// The "consumer" embedded protocol (ConsumerProtocolSubscription.json / ConsumerProtocolAssignment.json
// v0-3): what members put in JoinGroup metadata and the leader in SyncGroup assignments.
#pragma once

#include "protocol/wire/bytes.hpp"
#include "protocol/wire/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::group {

inline constexpr std::string_view consumer_protocol_type = "consumer";
// The highest version we write. Newer versions are read as this one, as the Java client does:
// the schema only ever appends fields.
inline constexpr std::int16_t consumer_protocol_version = 3;

struct topic_partitions {
    std::string topic;
    std::vector<std::int32_t> partitions;
    friend bool operator==(const topic_partitions&, const topic_partitions&) = default;
};

struct consumer_subscription {
    std::int16_t version = consumer_protocol_version;
    std::vector<std::string> topics;
    std::optional<wire::byte_buffer> user_data;
    std::vector<topic_partitions> owned_partitions; // v1+: what the member holds now (cooperative)
    std::int32_t generation_id = -1;                // v2+: the generation those were assigned in
    std::optional<std::string> rack_id;             // v3+
    friend bool operator==(const consumer_subscription&, const consumer_subscription&) = default;
};

struct consumer_assignment {
    std::int16_t version = consumer_protocol_version;
    std::vector<topic_partitions> assigned_partitions;
    std::optional<wire::byte_buffer> user_data;
    friend bool operator==(const consumer_assignment&, const consumer_assignment&) = default;
};

// Written in s.version's format (0..consumer_protocol_version), fields it lacks left out.
wire::byte_buffer encode(const consumer_subscription& s);
wire::byte_buffer encode(const consumer_assignment& a);

// Reads the whole buffer; bytes after the fields of the highest version we know are ignored
// (a newer peer's fields). A negative version is an error.
std::optional<wire::decode_error> decode(wire::bytes_view bytes, consumer_subscription& out);
// An empty buffer is an empty assignment: the broker sends one to a member the leader left out.
std::optional<wire::decode_error> decode(wire::bytes_view bytes, consumer_assignment& out);

} // namespace kspout::group
