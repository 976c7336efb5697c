// Encoding records for Produce: one RecordBatch v2, or a MessageSet v0/v1 (optionally one wrapper).
#pragma once

#include "protocol/records/compression.hpp"
#include "protocol/wire/bytes.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace kspout::records {

struct record_to_write {
    std::optional<wire::bytes_view> key;
    std::optional<wire::bytes_view> value;
    std::int64_t timestamp = -1;
    std::vector<std::pair<std::string_view, std::optional<wire::bytes_view>>> headers;
};

struct write_options {
    std::int8_t magic = 2;
    compression codec = compression::none;
    std::int64_t base_offset = 0;
    std::int64_t producer_id = -1;
    std::int16_t producer_epoch = -1;
    std::int32_t base_sequence = -1;
    bool transactional = false;
};

// v2: one RecordBatch. v0/v1: a message set; with a codec, one compressed wrapper (v1 inner
// offsets relative 0..n-1, wrapper offset = base_offset + n - 1). Headers need magic 2.
// Returns an empty buffer for no records or for what the format cannot carry (headers or zstd
// below magic 2, an unknown magic); the overload below says why.
wire::byte_buffer write_records(std::span<const record_to_write> records, const write_options& o);

// Appends to `out`; errc::bad_value for headers below magic 2, errc::unsupported_compression for
// zstd below magic 2, errc::bad_magic for a magic above 2.
std::error_code write_records(std::span<const record_to_write> records, const write_options& o,
                              wire::byte_buffer& out);

} // namespace kspout::records
