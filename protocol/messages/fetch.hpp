// Fetch (FetchRequest.json / FetchResponse.json) v0-11; response records are a view into the buffer.
#pragma once

#include "protocol/messages/isolation_level.hpp"
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

inline constexpr version_range fetch_versions{0, 11};

struct fetch_partition {
    std::int32_t partition_index = 0;
    std::int32_t current_leader_epoch = -1; // v9+
    std::int64_t fetch_offset = 0;
    std::int64_t log_start_offset = -1; // v5+; only followers set it
    std::int32_t max_bytes = 0;         // per partition
    friend bool operator==(const fetch_partition&, const fetch_partition&) = default;
};

struct fetch_topic {
    std::string name;
    std::vector<fetch_partition> partitions;
    friend bool operator==(const fetch_topic&, const fetch_topic&) = default;
};

struct forgotten_topic { // v7+, incremental fetch sessions only
    std::string name;
    std::vector<std::int32_t> partitions;
    friend bool operator==(const forgotten_topic&, const forgotten_topic&) = default;
};

struct fetch_request {
    std::int32_t replica_id = -1; // -1 for a consumer
    std::int32_t max_wait_ms = 500;
    std::int32_t min_bytes = 1;
    std::int32_t max_bytes = 0x7fffffff; // v3+, for the whole response
    isolation_level isolation = isolation_level::read_uncommitted; // v4+
    std::int32_t session_id = 0;     // v7+; 0 with epoch -1 is a sessionless full fetch
    std::int32_t session_epoch = -1; // v7+
    std::vector<fetch_topic> topics;
    std::vector<forgotten_topic> forgotten; // v7+
    std::string rack_id;                    // v11
    friend bool operator==(const fetch_request&, const fetch_request&) = default;
};

struct aborted_transaction {
    std::int64_t producer_id = 0;
    std::int64_t first_offset = 0;
    friend bool operator==(const aborted_transaction&, const aborted_transaction&) = default;
};

struct fetch_partition_response {
    std::int32_t partition_index = 0;
    std::int16_t error_code = 0;
    std::int64_t high_watermark = -1;
    std::int64_t last_stable_offset = -1; // v4+
    std::int64_t log_start_offset = -1;   // v5+
    std::vector<aborted_transaction> aborted_transactions; // v4+; a null list reads as empty
    std::int32_t preferred_read_replica = -1; // v11
    // Message sets / record batches, possibly ending in a partial entry. A decoded response
    // points into the buffer it was decoded from, which the caller keeps alive. Null reads as empty.
    wire::bytes_view records;

    friend bool operator==(const fetch_partition_response& a, const fetch_partition_response& b);
};

struct fetch_topic_response {
    std::string name;
    std::vector<fetch_partition_response> partitions;
    friend bool operator==(const fetch_topic_response&, const fetch_topic_response&) = default;
};

struct fetch_response {
    std::int32_t throttle_time_ms = 0; // v1+
    std::int16_t error_code = 0;       // v7+, session errors
    std::int32_t session_id = 0;       // v7+
    std::vector<fetch_topic_response> topics;
    friend bool operator==(const fetch_response&, const fetch_response&) = default;
};

// Encoding requires a version inside fetch_versions; decoding checks it.
void encode(wire::writer& w, const fetch_request& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, fetch_request& out, std::int16_t version);
void encode(wire::writer& w, const fetch_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, fetch_response& out, std::int16_t version);

} // namespace kspout::messages
