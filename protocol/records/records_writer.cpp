// write_records: RecordBatch v2 through batch_builder, and v0/v1 messages with CRC-32 wrappers.
#include "protocol/records/records_writer.hpp"

#include "protocol/records/batch_builder.hpp"
#include "protocol/wire/checksum.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/writer.hpp"

#include <algorithm>
#include <limits>

namespace kspout::records {
namespace {

// One v0/v1 message: offset, size, CRC-32 over magic..end, magic, attributes, [timestamp], key, value.
void write_message(wire::writer& w, std::int64_t offset, std::int8_t magic, std::int8_t attributes,
                   std::int64_t timestamp, std::optional<wire::bytes_view> key,
                   std::optional<wire::bytes_view> value)
{
    w.int64(offset);
    std::size_t size_at = w.reserve_int32();
    std::size_t crc_at = w.reserve_int32();
    w.int8(magic);
    w.int8(attributes);
    if (magic >= 1) w.int64(timestamp);
    w.nullable_bytes(key);
    w.nullable_bytes(value);
    w.patch_size_since(size_at);
    w.patch_uint32(crc_at, wire::crc32(w.view().subspan(crc_at + 4)));
}

std::error_code write_message_set(std::span<const record_to_write> records, const write_options& o,
                                  wire::byte_buffer& out)
{
    auto n = static_cast<std::int64_t>(records.size());
    if (o.codec == compression::none) {
        wire::writer w(std::move(out));
        for (std::int64_t i = 0; i < n; ++i) {
            const auto& r = records[static_cast<std::size_t>(i)];
            write_message(w, o.base_offset + i, o.magic, 0, r.timestamp, r.key, r.value);
        }
        out = w.take();
        return {};
    }

    // Inner offsets: absolute for v0 (as the broker rewrites them), relative for v1 (KIP-31).
    wire::writer inner;
    std::int64_t max_timestamp = -1;
    for (std::int64_t i = 0; i < n; ++i) {
        const auto& r = records[static_cast<std::size_t>(i)];
        write_message(inner, o.magic == 0 ? o.base_offset + i : i, o.magic, 0, r.timestamp, r.key, r.value);
        max_timestamp = std::max(max_timestamp, r.timestamp);
    }
    wire::byte_buffer compressed;
    compress_options options;
    options.lz4_legacy_header_checksum = o.magic == 0;
    if (auto ec = compress(o.codec, inner.view(), compressed, options)) return ec;

    wire::writer w(std::move(out));
    write_message(w, o.base_offset + n - 1, o.magic, static_cast<std::int8_t>(o.codec), max_timestamp,
                  std::nullopt, wire::bytes_view(compressed));
    out = w.take();
    return {};
}

} // namespace

std::error_code write_records(std::span<const record_to_write> records, const write_options& o,
                              wire::byte_buffer& out)
{
    if (o.magic < 0 || o.magic > 2) return wire::errc::bad_magic;
    if (records.empty()) return {};
    if (o.magic == 2) {
        batch_builder batch;
        for (const auto& r : records) batch.append(r);
        return batch.finish(o, out);
    }
    if (o.codec == compression::zstd) return wire::errc::unsupported_compression;
    bool has_headers = std::any_of(records.begin(), records.end(),
                                   [](const auto& r) { return !r.headers.empty(); });
    if (has_headers) return wire::errc::bad_value;
    return write_message_set(records, o, out);
}

wire::byte_buffer write_records(std::span<const record_to_write> records, const write_options& o)
{
    wire::byte_buffer out;
    if (write_records(records, o, out)) out.clear();
    return out;
}

} // namespace kspout::records
