// Compression codecs of Kafka record payloads: gzip, snappy (raw and xerial), lz4 frames, zstd.
#pragma once

#include "protocol/wire/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace kspout::records {

// The values are Kafka's codec ids (attribute bits 0-2).
enum class compression : std::int8_t { none, gzip, snappy, lz4, zstd };

struct decompress_options {
    // Magic-0 lz4 frames (0.8/0.9) carry a header checksum that wrongly covers the frame magic:
    // ignore the stored checksum as the Java client does for magic 0.
    bool lz4_legacy_header_checksum = false;
};

struct compress_options {
    // Write the broken magic-0 lz4 header checksum that 0.8/0.9 brokers expect.
    bool lz4_legacy_header_checksum = false;
    // Snappy: xerial (snappy-java) framing, which every Kafka reader accepts; false writes one
    // raw block as librdkafka does.
    bool snappy_xerial = true;
};

// Appends the decompressed form of `input` to `output`. Never appends more than max_output_bytes:
// a payload that would inflate further fails with errc::decompressed_too_large. Other failures:
// errc::corrupt_compressed_data, errc::unsupported_compression.
std::error_code decompress(compression codec, wire::bytes_view input, wire::byte_buffer& output,
                           std::size_t max_output_bytes, const decompress_options& options = {});

// Appends the compressed form of `input` to `output`.
std::error_code compress(compression codec, wire::bytes_view input, wire::byte_buffer& output,
                         const compress_options& options = {});

std::string_view to_string(compression codec) noexcept;
// The codec of Kafka's compression.type name ("none", "gzip", "snappy", "lz4", "zstd").
std::optional<compression> compression_from_string(std::string_view name) noexcept;

} // namespace kspout::records
