// Errors the producer reports itself (as opposed to broker error codes and connection errors).
#pragma once

#include <system_error>

namespace kspout::io {

enum class producer_errc {
    queue_full = 1,        // produce() would take the buffered bytes past max_buffered_bytes
    record_too_large,      // one record alone is larger than max_buffered_bytes
    empty_topic,           // produce() without a topic name
    unknown_partition,     // the record names a partition the topic does not have
    delivery_timed_out,    // not acknowledged within delivery_timeout (retries included)
    zstd_needs_produce_v7, // zstd was asked for, but the leader negotiated Produce below v7 (Kafka 2.1)
    headers_need_produce_v3, // the record has headers, but the leader negotiated Produce below v3 (Kafka 0.11)
};

const std::error_category& producer_category() noexcept;
std::error_code make_error_code(producer_errc e) noexcept;

} // namespace kspout::io

template <>
struct std::is_error_code_enum<kspout::io::producer_errc> : std::true_type {};
