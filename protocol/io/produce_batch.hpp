// Producer records waiting per partition, how they are grouped into batches, and how a batch is encoded.
#pragma once

#include "protocol/io/idempotence.hpp"
#include "protocol/records/compression.hpp"
#include "protocol/wire/bytes.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace kspout::io {

struct record_header {
    std::string key;
    std::optional<std::string> value;
};

// Runs exactly once per record: with the partition and offset it got (offset -1 with acks=0),
// or with the error that made the producer give up on it.
using delivery_handler = std::function<void(std::error_code, std::int32_t partition, std::int64_t offset)>;

struct queued_record {
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<record_header> headers;
    std::int64_t timestamp = -1; // ms since the epoch
    delivery_handler on_delivery;
    std::uint64_t sequence = 0; // order of produce() calls
    std::chrono::steady_clock::time_point enqueued;
    std::size_t size = 0; // estimated_size(), counted against batch and buffer limits
};

// The batch header a v2 RecordBatch starts with; a message set has none, so this is an upper bound.
inline constexpr std::size_t batch_overhead = 61;

// An upper bound of the bytes a record takes in any record format, before compression.
std::size_t estimated_size(const std::optional<std::string>& key, const std::optional<std::string>& value,
                           const std::vector<record_header>& headers);

// The records of one partition that are not in a batch yet, oldest first.
class partition_queue {
public:
    using clock = std::chrono::steady_clock;

    void push(queued_record r);
    bool empty() const noexcept { return head_ == records_.size(); }
    std::size_t size() const noexcept { return records_.size() - head_; }
    std::size_t bytes() const noexcept { return bytes_; } // sum of the records' estimated sizes
    const queued_record& front() const { return records_[head_]; }

    // Worth sending now: the waiting records fill a batch, or the oldest has waited `linger`.
    bool ready(clock::time_point now, std::chrono::milliseconds linger, std::size_t batch_size) const;
    // When the oldest record's linger ends (only for a non-empty queue).
    clock::time_point linger_expiry(std::chrono::milliseconds linger) const;

    // Takes records from the front while the batch stays within batch_size (header included);
    // always at least one, so a record larger than batch_size travels alone.
    std::vector<queued_record> take_batch(std::size_t batch_size);
    // Takes the records enqueued at or before `cutoff`.
    std::vector<queued_record> take_enqueued_by(clock::time_point cutoff);
    std::vector<queued_record> take_all();

private:
    std::vector<queued_record> take_front(std::size_t count);

    // records_[head_] onwards wait; the taken prefix goes when it outgrows the rest. (A deque
    // would allocate a block per three records of this size.)
    std::vector<queued_record> records_;
    std::size_t head_ = 0;
    std::size_t bytes_ = 0;
};

// Appends the records in the format the Produce version carries (v3+: RecordBatch v2, v2: message
// set v1, v0/v1: message set v0), compressed as one batch or wrapper. Fails with
// producer_errc::zstd_needs_produce_v7 or producer_errc::headers_need_produce_v3 when the format
// cannot carry what was asked for; `out` is then unchanged. A v2 batch carries `identity` (an
// idempotent producer's id, epoch and base sequence); message sets have no place for it.
std::error_code encode_batch(std::span<const queued_record> records, std::int16_t produce_version,
                             records::compression codec, wire::byte_buffer& out, const batch_identity& identity = {});

} // namespace kspout::io
