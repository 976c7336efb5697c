// Metadata (MetadataRequest.json / MetadataResponse.json) v0-12: brokers, topics and their ids, partition leaders.
#pragma once

#include "protocol/messages/topic_id.hpp"
#include "protocol/messages/versions.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace kspout::messages {

// v9 is flexible, v10 adds topic ids (what KIP-848 assignments name topics by), v11 drops the
// cluster's authorized operations, v12 may answer a topic asked for by id with a null name.
inline constexpr version_range metadata_versions{0, 12};

// The "not requested / not known" value of the authorized-operations bit fields.
inline constexpr std::int32_t authorized_operations_unknown = std::numeric_limits<std::int32_t>::min();

struct metadata_request {
    // nullopt asks for every topic. v0 has no null array; there an empty array means "all", so
    // nullopt is written as empty. From v1 an empty array means "no topics".
    std::optional<std::vector<std::string>> topics;
    bool allow_auto_topic_creation = true;            // v4+
    bool include_cluster_authorized_operations = false; // v8-10
    bool include_topic_authorized_operations = false;   // v8
    friend bool operator==(const metadata_request&, const metadata_request&) = default;
};

struct metadata_broker {
    std::int32_t node_id = 0;
    std::string host;
    std::int32_t port = 0;
    std::optional<std::string> rack; // v1+
    friend bool operator==(const metadata_broker&, const metadata_broker&) = default;
};

struct metadata_partition {
    std::int16_t error_code = 0;
    std::int32_t partition_index = 0;
    std::int32_t leader_id = -1;
    std::int32_t leader_epoch = -1; // v7+
    std::vector<std::int32_t> replica_nodes;
    std::vector<std::int32_t> isr_nodes;
    std::vector<std::int32_t> offline_replicas; // v5+
    friend bool operator==(const metadata_partition&, const metadata_partition&) = default;
};

struct metadata_topic {
    std::int16_t error_code = 0;
    std::string name; // empty for a v12 null name
    bool is_internal = false; // v1+
    std::vector<metadata_partition> partitions;
    std::int32_t topic_authorized_operations = authorized_operations_unknown; // v8
    messages::topic_id topic_id{}; // v10+ (on the wire after the name)
    friend bool operator==(const metadata_topic&, const metadata_topic&) = default;
};

struct metadata_response {
    std::int32_t throttle_time_ms = 0; // v3+
    std::vector<metadata_broker> brokers;
    std::optional<std::string> cluster_id; // v2+
    std::int32_t controller_id = -1;       // v1+
    std::vector<metadata_topic> topics;
    std::int32_t cluster_authorized_operations = authorized_operations_unknown; // v8-10
    friend bool operator==(const metadata_response&, const metadata_response&) = default;
};

// Encoding requires a version inside metadata_versions; decoding checks it.
void encode(wire::writer& w, const metadata_request& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, metadata_request& out, std::int16_t version);
void encode(wire::writer& w, const metadata_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, metadata_response& out, std::int16_t version);

} // namespace kspout::messages
