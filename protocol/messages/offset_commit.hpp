// OffsetCommit (OffsetCommitRequest.json / OffsetCommitResponse.json) v0-9: store a group's offsets.
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

// v7 adds group.instance.id, v8 is flexible, v9 is what a KIP-848 member must commit with (its
// member epoch in generation_id) and may be answered STALE_MEMBER_EPOCH or GROUP_ID_NOT_FOUND.
inline constexpr version_range offset_commit_versions{0, 9};
// The first version a member of a KIP-848 ("consumer" protocol) group may commit with.
inline constexpr std::int16_t offset_commit_member_epoch_version = 9;

struct offset_commit_partition {
    std::int32_t partition_index = 0;
    std::int64_t committed_offset = 0; // the next offset to read
    std::int32_t committed_leader_epoch = -1; // v6+
    std::int64_t commit_timestamp = -1;       // v1 only
    std::optional<std::string> committed_metadata;
    friend bool operator==(const offset_commit_partition&, const offset_commit_partition&) = default;
};

struct offset_commit_topic {
    std::string name;
    std::vector<offset_commit_partition> partitions;
    friend bool operator==(const offset_commit_topic&, const offset_commit_topic&) = default;
};

struct offset_commit_request {
    std::string group_id;
    // v1+: the classic generation, or a KIP-848 member's epoch; -1 with an empty member id
    // commits outside a generation.
    std::int32_t generation_id = -1;
    std::string member_id; // v1+
    std::optional<std::string> group_instance_id; // v7
    std::int64_t retention_time_ms = -1;          // v2-4; -1 keeps the broker's setting
    std::vector<offset_commit_topic> topics;
    friend bool operator==(const offset_commit_request&, const offset_commit_request&) = default;
};

struct offset_commit_partition_response {
    std::int32_t partition_index = 0;
    std::int16_t error_code = 0;
    friend bool operator==(const offset_commit_partition_response&,
                           const offset_commit_partition_response&) = default;
};

struct offset_commit_topic_response {
    std::string name;
    std::vector<offset_commit_partition_response> partitions;
    friend bool operator==(const offset_commit_topic_response&, const offset_commit_topic_response&) = default;
};

struct offset_commit_response {
    std::int32_t throttle_time_ms = 0; // v3+
    std::vector<offset_commit_topic_response> topics;
    friend bool operator==(const offset_commit_response&, const offset_commit_response&) = default;
};

// Encoding requires a version inside offset_commit_versions; decoding checks it.
void encode(wire::writer& w, const offset_commit_request& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, offset_commit_request& out, std::int16_t version);
void encode(wire::writer& w, const offset_commit_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, offset_commit_response& out, std::int16_t version);

} // namespace kspout::messages
