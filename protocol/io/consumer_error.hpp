// Errors the consumer raises itself, and the per-partition error report it hands to callers.
#pragma once

#include <cstdint>
#include <string>
#include <system_error>

namespace kspout::io {

enum class consumer_errc {
    no_offset = 1,    // no committed offset (or out of range) and auto_offset_reset is error
    record_too_large, // a record does not fit fetch_partition_bytes_max
    not_owned,        // the partition is not assigned to this consumer (or this group member)
    invalid_argument, // a negative partition or offset given to assign or seek
    no_group,         // offsets asked for or committed without a group_id
    commit_window_closed, // a commit could not be sent before its send-by time; nothing of it was sent
};

const std::error_category& consumer_category() noexcept;
std::error_code make_error_code(consumer_errc e) noexcept;

// A partition stopped, or an operation for it failed. `offset` is where the partition stands
// (-1 when it has no position yet); `message` names topic, partition and cause.
struct consumer_error {
    std::int32_t partition = -1;
    std::int64_t offset = -1;
    std::error_code code;
    std::string message;
};

} // namespace kspout::io

template <>
struct std::is_error_code_enum<kspout::io::consumer_errc> : std::true_type {};
