// Settings of the simple consumer: what to read, where to start, how much to fetch and to buffer.
#pragma once

#include "protocol/messages/isolation_level.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace kspout::io {

// Where a partition starts when it has no committed offset, or when its position fell outside
// the log (OFFSET_OUT_OF_RANGE): the oldest offset, the end of the log, or nowhere (the
// partition stops and the error is reported).
enum class offset_reset { earliest, latest, error };

struct consumer_options {
    std::string topic;
    std::string group_id; // whose committed offsets are read and written; empty: no group
    offset_reset auto_offset_reset = offset_reset::latest;
    bool reset_offset_on_start = false; // ignore committed offsets: start by auto_offset_reset

    std::int32_t fetch_min_bytes = 1;
    std::chrono::milliseconds fetch_max_wait = std::chrono::milliseconds(100);
    // Per partition and fetch. When a single record is bigger (and the broker predates
    // KIP-74), the size doubles for that partition up to fetch_partition_bytes_max.
    std::int32_t fetch_partition_bytes = 1024 * 1024;
    std::int32_t fetch_partition_bytes_max = 64 * 1024 * 1024;
    std::int32_t fetch_response_max_bytes = 50 * 1024 * 1024; // whole response, Fetch v3+

    // Per partition. A partition whose buffer holds at least this many messages, or bytes of
    // keys, values and headers, is left out of fetches until poll() drains it below.
    std::size_t queued_max_messages = 2000;
    std::size_t queued_max_bytes = 16 * 1024 * 1024;

    messages::isolation_level isolation = messages::isolation_level::read_uncommitted;
    bool check_crcs = true;
    std::chrono::milliseconds retry_backoff = std::chrono::milliseconds(100);
    // For ListOffsets, OffsetFetch and OffsetCommit, and for each commit or committed-offset
    // lookup as a whole (retries included). Fetch waits this plus fetch_max_wait.
    std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
    // Metadata is refreshed at least this often, so assign_all() sees new partitions.
    std::chrono::milliseconds metadata_max_age = std::chrono::minutes(5);
};

// A partition to assign, with the offset to start from; without one the committed offset of
// the group is used, else auto_offset_reset.
struct partition_start {
    std::int32_t partition = 0;
    std::optional<std::int64_t> offset;
};

} // namespace kspout::io
