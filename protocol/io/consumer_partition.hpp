// One partition of the simple consumer: phase, fetch position, buffer, and applying a Fetch response to it.
#pragma once

#include "protocol/io/consumer_options.hpp"
#include "protocol/io/message_buffer.hpp"
#include "protocol/messages/fetch.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace kspout::io {

enum class partition_phase {
    awaiting_committed, // its group's committed offset is looked up (OffsetFetch)
    awaiting_reset,     // its start is looked up by the reset policy (ListOffsets)
    active,             // fetching from fetch_offset
    stopped,            // an error stopped it at fetch_offset; seek() restarts it
};

// The rest of a fetched records blob, read a part at a time as the buffer has room, so a fetch of
// well-compressed batches does not decompress all at once.
struct undecoded_records {
    response_frame frame; // keeps the blob the reader views alive
    records::record_reader reader;
};

struct consumer_partition {
    std::int32_t id = 0;
    partition_phase phase = partition_phase::awaiting_committed;
    std::int64_t fetch_offset = -1; // the next offset to fetch
    std::int64_t high_watermark = -1;
    std::int64_t last_stable_offset = -1;
    std::int64_t log_start_offset = -1;
    std::int32_t fetch_size = 0; // per-partition max bytes of the next fetch
    bool paused = false;
    // A request for this epoch is outstanding. Whatever sets the position anew (seek, reset,
    // reassignment) takes a new epoch, so late responses for the old one are ignored.
    bool in_flight = false;
    std::uint64_t epoch = 0;
    std::chrono::steady_clock::time_point not_before{}; // backoff after an error
    message_buffer buffer;
    // What the last fetch brought beyond the buffer's bounds; the partition is not fetched until
    // it is all read.
    std::optional<undecoded_records> undecoded;

    // The next offset poll() hands out, once the start is known.
    std::optional<std::int64_t> position() const;
    bool buffer_full(const consumer_options& o) const;
    // Drops the buffered messages and what is left to read of the last fetch.
    void drop_buffered();
    // Ready to go into a Fetch now (the leader aside).
    bool fetchable(std::chrono::steady_clock::time_point now, const consumer_options& o) const;
    // Waiting for its backoff to pass before the next request of its phase.
    bool backing_off(std::chrono::steady_clock::time_point now) const;
};

// What the consumer does next for a partition after a Fetch response.
enum class fetch_step {
    proceed,          // data (or none) taken in; fetch again when there is room
    refresh_metadata, // the leader moved or is unknown: refresh, back off, fetch from the leader
    reset_offset,     // out of range: the partition now awaits its reset policy
    retry,            // transient: back off and fetch again from the same offset
    stop,             // the partition stopped at fetch_offset; the error is reported
};

// The step the broker error table (with its Fetch overrides) calls for on a Fetch error code.
fetch_step fetch_error_step(std::int16_t code) noexcept;

struct fetch_apply_options {
    std::string_view topic;
    records::read_options read;
    std::int32_t fetch_size_base = 0;
    std::int32_t fetch_size_max = 0;
    offset_reset reset_policy = offset_reset::latest;
    std::size_t queued_max_messages = SIZE_MAX; // the buffer's bounds, up to which a fetch is read
    std::size_t queued_max_bytes = SIZE_MAX;
};

struct fetch_outcome {
    fetch_step step = fetch_step::proceed;
    std::size_t new_messages = 0;
    std::error_code error; // for refresh_metadata, retry, reset_offset and stop
    std::string detail;    // a readable account of the error
};

// Applies one partition's entry of a Fetch response sent at p.fetch_offset: decodes its records
// (dropping those below the fetch offset, control and aborted batches) up to the buffer's bounds,
// buffers them with `frame` and keeps the rest as p.undecoded, moves fetch_offset past what was
// read, grows the fetch size when one record did not fit, and on an error code or a corrupt
// record sets the phase the error calls for. Records before a corrupt entry are kept; the
// partition stops at the corrupt one.
fetch_outcome apply_fetch_response(consumer_partition& p, const messages::fetch_partition_response& response,
                                   const response_frame& frame, const fetch_apply_options& options);

// Reads more of p.undecoded into the buffer while it is below its bounds (at an entry boundary,
// so the buffer may pass them by one batch), as apply_fetch_response does.
fetch_outcome read_undecoded(consumer_partition& p, const fetch_apply_options& options);

// Moves a partition without a usable position to its reset policy: awaiting_reset, or stopped
// for offset_reset::error (returns false then).
bool begin_reset(consumer_partition& p, offset_reset policy);

std::string_view phase_name(partition_phase phase) noexcept;

// "topic T partition P": how logs and error reports name a partition.
std::string partition_label(std::string_view topic, std::int32_t partition);

} // namespace kspout::io
