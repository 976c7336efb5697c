// OffsetFetch (OffsetFetchRequest.json / OffsetFetchResponse.json) v0-5: read a group's committed offsets.
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

// v0 reads offsets stored in ZooKeeper, v1+ those stored in Kafka; v0 and v1 share a wire format.
inline constexpr version_range offset_fetch_versions{0, 5};

struct offset_fetch_topic {
    std::string name;
    std::vector<std::int32_t> partition_indexes;
    friend bool operator==(const offset_fetch_topic&, const offset_fetch_topic&) = default;
};

struct offset_fetch_request {
    std::string group_id;
    // nullopt asks for every partition the group has offsets for (v2+); before v2 it is
    // written as an empty array.
    std::optional<std::vector<offset_fetch_topic>> topics;
    friend bool operator==(const offset_fetch_request&, const offset_fetch_request&) = default;
};

struct offset_fetch_partition_response {
    std::int32_t partition_index = 0;
    std::int64_t committed_offset = -1; // -1: nothing committed
    std::int32_t committed_leader_epoch = -1; // v5+
    std::optional<std::string> metadata;
    std::int16_t error_code = 0;
    friend bool operator==(const offset_fetch_partition_response&,
                           const offset_fetch_partition_response&) = default;
};

struct offset_fetch_topic_response {
    std::string name;
    std::vector<offset_fetch_partition_response> partitions;
    friend bool operator==(const offset_fetch_topic_response&, const offset_fetch_topic_response&) = default;
};

struct offset_fetch_response {
    std::int32_t throttle_time_ms = 0; // v3+
    std::vector<offset_fetch_topic_response> topics;
    std::int16_t error_code = 0; // v2+, group-level errors
    friend bool operator==(const offset_fetch_response&, const offset_fetch_response&) = default;
};

// Encoding requires a version inside offset_fetch_versions; decoding checks it.
void encode(wire::writer& w, const offset_fetch_request& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, offset_fetch_request& out, std::int16_t version);
void encode(wire::writer& w, const offset_fetch_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, offset_fetch_response& out, std::int16_t version);

} // namespace kspout::messages
