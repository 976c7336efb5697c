// Produce (ProduceRequest.json / ProduceResponse.json) v0-8; records travel as opaque bytes.
#pragma once

#include "protocol/messages/versions.hpp"
#include "protocol/wire/bytes.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kspout::messages {

inline constexpr version_range produce_versions{0, 8};

struct produce_partition_data {
    std::int32_t partition_index = 0;
    // A message set (v0-2) or record batch (v3+) built by the records module. The caller keeps it
    // alive until the request is encoded; a decoded request points into the request buffer.
    wire::bytes_view records;

    friend bool operator==(const produce_partition_data& a, const produce_partition_data& b);
};

struct produce_topic_data {
    std::string name;
    std::vector<produce_partition_data> partitions;
    friend bool operator==(const produce_topic_data&, const produce_topic_data&) = default;
};

struct produce_request {
    std::optional<std::string> transactional_id; // v3+
    std::int16_t acks = -1; // 0: no response at all, 1: leader only, -1: all in-sync replicas
    std::int32_t timeout_ms = 30000;
    std::vector<produce_topic_data> topics;
    friend bool operator==(const produce_request&, const produce_request&) = default;
};

// A broker sends no response to a Produce with acks = 0.
inline bool expects_response(const produce_request& r)
{
    return r.acks != 0;
}

struct produce_record_error {
    std::int32_t batch_index = 0;
    std::optional<std::string> message;
    friend bool operator==(const produce_record_error&, const produce_record_error&) = default;
};

struct produce_partition_response {
    std::int32_t partition_index = 0;
    std::int16_t error_code = 0;
    std::int64_t base_offset = -1;
    std::int64_t log_append_time_ms = -1; // v2+; -1 unless the topic uses LogAppendTime
    std::int64_t log_start_offset = -1;   // v5+
    std::vector<produce_record_error> record_errors; // v8
    std::optional<std::string> error_message;        // v8
    friend bool operator==(const produce_partition_response&, const produce_partition_response&) = default;
};

struct produce_topic_response {
    std::string name;
    std::vector<produce_partition_response> partitions;
    friend bool operator==(const produce_topic_response&, const produce_topic_response&) = default;
};

struct produce_response {
    std::vector<produce_topic_response> topics;
    std::int32_t throttle_time_ms = 0; // v1+
    friend bool operator==(const produce_response&, const produce_response&) = default;
};

// Encoding requires a version inside produce_versions; decoding checks it.
void encode(wire::writer& w, const produce_request& r, std::int16_t version);
// The same request with each partition's records written into it by `write_records` (called in
// order, partitions' records left empty; the size prefix is patched after), so a producer's
// batches go into the request without a copy of their own.
using records_writer = std::function<void(wire::writer& w, const produce_topic_data&, const produce_partition_data&)>;
void encode(wire::writer& w, const produce_request& r, std::int16_t version, const records_writer& write_records);
std::optional<wire::decode_error> decode(wire::reader& r, produce_request& out, std::int16_t version);
void encode(wire::writer& w, const produce_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, produce_response& out, std::int16_t version);

} // namespace kspout::messages
