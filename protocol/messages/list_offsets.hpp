// ListOffsets (ListOffsetsRequest.json / ListOffsetsResponse.json) v0-5: offsets by time, earliest, latest.
#pragma once

#include "protocol/messages/isolation_level.hpp"
#include "protocol/messages/versions.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kspout::messages {

inline constexpr version_range list_offsets_versions{0, 5};

// Special request timestamps.
inline constexpr std::int64_t latest_offset_timestamp = -1;
inline constexpr std::int64_t earliest_offset_timestamp = -2;

struct list_offsets_partition {
    std::int32_t partition_index = 0;
    std::int32_t current_leader_epoch = -1; // v4+
    std::int64_t timestamp = latest_offset_timestamp;
    std::int32_t max_num_offsets = 1; // v0 only
    friend bool operator==(const list_offsets_partition&, const list_offsets_partition&) = default;
};

struct list_offsets_topic {
    std::string name;
    std::vector<list_offsets_partition> partitions;
    friend bool operator==(const list_offsets_topic&, const list_offsets_topic&) = default;
};

struct list_offsets_request {
    std::int32_t replica_id = -1; // -1 for a consumer
    isolation_level isolation = isolation_level::read_uncommitted; // v2+
    std::vector<list_offsets_topic> topics;
    friend bool operator==(const list_offsets_request&, const list_offsets_request&) = default;
};

struct list_offsets_partition_response {
    std::int32_t partition_index = 0;
    std::int16_t error_code = 0;
    std::vector<std::int64_t> old_style_offsets; // v0 only, newest first
    std::int64_t timestamp = -1;                 // v1+
    std::int64_t offset = -1;                    // v1+
    std::int32_t leader_epoch = -1;              // v4+
    friend bool operator==(const list_offsets_partition_response&,
                           const list_offsets_partition_response&) = default;
};

struct list_offsets_topic_response {
    std::string name;
    std::vector<list_offsets_partition_response> partitions;
    friend bool operator==(const list_offsets_topic_response&, const list_offsets_topic_response&) = default;
};

struct list_offsets_response {
    std::int32_t throttle_time_ms = 0; // v2+
    std::vector<list_offsets_topic_response> topics;
    friend bool operator==(const list_offsets_response&, const list_offsets_response&) = default;
};

// Encoding requires a version inside list_offsets_versions; decoding checks it.
void encode(wire::writer& w, const list_offsets_request& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, list_offsets_request& out, std::int16_t version);
void encode(wire::writer& w, const list_offsets_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, list_offsets_response& out, std::int16_t version);

} // namespace kspout::messages
