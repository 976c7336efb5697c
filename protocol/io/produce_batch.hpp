// A partition's batch of producer records: encoded as they are produced, with a receipt each.
#pragma once

#include "protocol/io/idempotence.hpp"
#include "protocol/records/batch_builder.hpp"
#include "protocol/records/compression.hpp"
#include "protocol/wire/bytes.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

// What is kept of a record once its bytes are in a batch.
struct record_receipt {
    delivery_handler on_delivery;
    std::uint64_t sequence = 0; // order of produce() calls
};

// A finished batch's buffers, kept for a new one: their capacity is what is reused.
struct batch_storage {
    wire::byte_buffer bytes;
    std::vector<record_receipt> receipts;

    std::size_t capacity() const noexcept { return bytes.capacity() + receipts.capacity() * sizeof(record_receipt); }
    // Room for a batch like an earlier one, so that filling it copies nothing to grow.
    void reserve(std::size_t byte_count, std::size_t record_count)
    {
        bytes.reserve(byte_count);
        receipts.reserve(record_count);
    }
};

// The batch header a v2 RecordBatch starts with; a message set has none, so this is an upper bound.
inline constexpr std::size_t batch_overhead = 61;

// An upper bound of the bytes a record takes in any record format, before compression.
std::size_t estimated_size(std::optional<std::string_view> key, std::optional<std::string_view> value,
                           std::span<const record_header> headers);

// The records of one batch, oldest first: their bytes as RecordBatch v2 records, appended at
// produce(), and their receipts. Sizes are estimated_size()'s, so that what fits is the same
// whatever format the batch is sent in.
class batch_records {
public:
    using clock = std::chrono::steady_clock;

    explicit batch_records(clock::time_point opened, batch_storage storage = {});
    // The buffers, emptied, for another batch; this batch holds no records afterwards.
    batch_storage take_storage() noexcept;

    // Whether a record of estimated size `size` still fits within batch_size (header included);
    // an empty batch takes any record, so a record larger than batch_size travels alone.
    bool fits(std::size_t size, std::size_t batch_size) const noexcept;
    void append(std::optional<std::string_view> key, std::optional<std::string_view> value,
                std::span<const record_header> headers, std::int64_t timestamp, record_receipt receipt,
                std::size_t size);

    bool empty() const noexcept { return receipts_.empty(); }
    std::size_t count() const noexcept { return receipts_.size(); }
    std::size_t bytes() const noexcept { return bytes_; } // the records' estimated sizes
    std::size_t encoded_bytes() const noexcept { return records_.body_size(); }
    std::span<record_receipt> receipts() noexcept { return receipts_; }

    // When the first record came: the linger and the delivery timeout count from it.
    clock::time_point opened() const noexcept { return opened_; }
    clock::time_point linger_expiry(std::chrono::milliseconds linger) const { return opened_ + linger; }
    // Worth sending now: it fills a batch, or its first record has waited `linger`.
    bool ready(clock::time_point now, std::chrono::milliseconds linger, std::size_t batch_size) const;

    // Why the format of this Produce version cannot carry the batch: producer_errc::
    // zstd_needs_produce_v7 or producer_errc::headers_need_produce_v3; none if it can.
    std::error_code unencodable(std::int16_t produce_version, records::compression codec) const;
    // Appends the batch in the format the Produce version carries (v3+: RecordBatch v2, v2:
    // message set v1, v0/v1: message set v0), compressed as one batch or wrapper; fails as
    // unencodable() says, or with the codec's error, leaving `out` unchanged. A v2 batch carries
    // `identity` (an idempotent producer's id, epoch and base sequence); message sets have none.
    std::error_code encode(std::int16_t produce_version, records::compression codec, wire::writer& out,
                           const batch_identity& identity = {}) const;
    std::error_code encode(std::int16_t produce_version, records::compression codec, wire::byte_buffer& out,
                           const batch_identity& identity = {}) const;

private:
    records::batch_builder records_;
    std::vector<record_receipt> receipts_;
    std::size_t bytes_ = 0;
    clock::time_point opened_;
};

} // namespace kspout::io
