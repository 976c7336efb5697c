// write_records: RecordBatch v2 with varint records, and v0/v1 messages with CRC-32 wrappers.
#include "protocol/records/records_writer.hpp"

#include "protocol/wire/checksum.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/writer.hpp"

#include <algorithm>
#include <limits>

namespace kspout::records {
namespace {

constexpr std::size_t batch_header_size = 61;
constexpr std::size_t batch_length_at = 8;
constexpr std::size_t batch_crc_at = 17;
constexpr std::size_t batch_attributes_at = 21;

std::size_t varint_size(std::int64_t v)
{
    auto z = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
    std::size_t n = 1;
    while (z >= 0x80) {
        z >>= 7;
        ++n;
    }
    return n;
}

std::size_t nullable_size(const std::optional<wire::bytes_view>& b)
{
    return b ? varint_size(static_cast<std::int64_t>(b->size())) + b->size() : 1;
}

void nullable_varint_bytes(wire::writer& w, const std::optional<wire::bytes_view>& b)
{
    if (!b) {
        w.varint(-1);
        return;
    }
    w.varint(static_cast<std::int32_t>(b->size()));
    w.raw(*b);
}

void write_v2_record(wire::writer& w, const record_to_write& r, std::int32_t offset_delta,
                     std::int64_t base_timestamp)
{
    // Wrapping, like the reader's addition: any pair of timestamps round-trips.
    auto ts_delta = static_cast<std::int64_t>(static_cast<std::uint64_t>(r.timestamp) -
                                              static_cast<std::uint64_t>(base_timestamp));
    std::size_t body = 1 + varint_size(ts_delta) + varint_size(offset_delta) + nullable_size(r.key) +
                       nullable_size(r.value) + varint_size(static_cast<std::int64_t>(r.headers.size()));
    for (const auto& [key, value] : r.headers) {
        body += varint_size(static_cast<std::int64_t>(key.size())) + key.size() + nullable_size(value);
    }
    w.varint(static_cast<std::int32_t>(body));
    w.int8(0); // attributes: unused
    w.varlong(ts_delta);
    w.varint(offset_delta);
    nullable_varint_bytes(w, r.key);
    nullable_varint_bytes(w, r.value);
    w.varint(static_cast<std::int32_t>(r.headers.size()));
    for (const auto& [key, value] : r.headers) {
        w.varint(static_cast<std::int32_t>(key.size()));
        w.raw(wire::as_bytes(key));
        nullable_varint_bytes(w, value);
    }
}

std::error_code write_batch(std::span<const record_to_write> records, const write_options& o,
                            wire::byte_buffer& out)
{
    std::int64_t base_timestamp = records.front().timestamp;
    std::int64_t max_timestamp = base_timestamp;
    for (const auto& r : records) max_timestamp = std::max(max_timestamp, r.timestamp);
    auto attributes = static_cast<std::int16_t>(static_cast<int>(o.codec) | (o.transactional ? 0x10 : 0));

    std::size_t start = out.size();
    wire::writer w(std::move(out));
    w.int64(o.base_offset);
    w.int32(0); // batch length, patched below
    w.int32(-1); // partition leader epoch: the broker sets it
    w.int8(2);
    w.uint32(0); // CRC, patched below
    w.int16(attributes);
    w.int32(static_cast<std::int32_t>(records.size() - 1));
    w.int64(base_timestamp);
    w.int64(max_timestamp);
    w.int64(o.producer_id);
    w.int16(o.producer_epoch);
    w.int32(o.base_sequence);
    w.int32(static_cast<std::int32_t>(records.size()));

    std::error_code ec;
    if (o.codec == compression::none) {
        for (std::size_t i = 0; i < records.size(); ++i) {
            write_v2_record(w, records[i], static_cast<std::int32_t>(i), base_timestamp);
        }
        out = w.take();
    } else {
        wire::writer plain;
        for (std::size_t i = 0; i < records.size(); ++i) {
            write_v2_record(plain, records[i], static_cast<std::int32_t>(i), base_timestamp);
        }
        out = w.take();
        ec = compress(o.codec, plain.view(), out);
    }
    if (ec) {
        out.resize(start);
        return ec;
    }
    wire::writer patch(std::move(out));
    patch.patch_int32(start + batch_length_at,
                      static_cast<std::int32_t>(patch.size() - start - batch_length_at - 4));
    auto covered = patch.view().subspan(start + batch_attributes_at);
    patch.patch_uint32(start + batch_crc_at, wire::crc32c(covered));
    out = patch.take();
    return {};
}

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
    if (o.magic == 2) return write_batch(records, o, out);
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
