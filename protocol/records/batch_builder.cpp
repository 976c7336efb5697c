// batch_builder: v2 records encoded on append; the header, CRC-32C and compression at finish.
#include "protocol/records/batch_builder.hpp"

#include "protocol/records/compression.hpp"
#include "protocol/records/records.hpp"
#include "protocol/wire/checksum.hpp"
#include "protocol/wire/error.hpp"

#include <algorithm>
#include <cstring>

namespace kspout::records {
namespace {

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

// The record is sized first and then written in place: one resize per record rather than a
// capacity check per byte.
std::uint8_t* put_varlong(std::uint8_t* out, std::int64_t v)
{
    auto z = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
    while (z >= 0x80) {
        *out++ = static_cast<std::uint8_t>(z | 0x80);
        z >>= 7;
    }
    *out++ = static_cast<std::uint8_t>(z);
    return out;
}

std::uint8_t* put_bytes(std::uint8_t* out, std::span<const std::uint8_t> b)
{
    if (!b.empty()) std::memcpy(out, b.data(), b.size());
    return out + b.size();
}

std::uint8_t* put_nullable(std::uint8_t* out, const std::optional<wire::bytes_view>& b)
{
    if (!b) return put_varlong(out, -1);
    return put_bytes(put_varlong(out, static_cast<std::int64_t>(b->size())), *b);
}

} // namespace

batch_builder::batch_builder(wire::byte_buffer storage)
{
    storage.clear();
    body_ = wire::writer(std::move(storage));
}

wire::byte_buffer batch_builder::take_storage() noexcept
{
    count_ = 0;
    base_timestamp_ = max_timestamp_ = -1;
    has_headers_ = false;
    return body_.take();
}

void batch_builder::append(const record_to_write& r)
{
    if (count_ == 0) base_timestamp_ = max_timestamp_ = r.timestamp;
    max_timestamp_ = std::max(max_timestamp_, r.timestamp);
    has_headers_ = has_headers_ || !r.headers.empty();
    // Wrapping, like the reader's addition: any pair of timestamps round-trips.
    auto ts_delta = static_cast<std::int64_t>(static_cast<std::uint64_t>(r.timestamp) -
                                              static_cast<std::uint64_t>(base_timestamp_));
    const std::int32_t offset_delta = count_++;
    std::size_t body = 1 + varint_size(ts_delta) + varint_size(offset_delta) + nullable_size(r.key) +
                       nullable_size(r.value) + varint_size(static_cast<std::int64_t>(r.headers.size()));
    for (const auto& [key, value] : r.headers) {
        body += varint_size(static_cast<std::int64_t>(key.size())) + key.size() + nullable_size(value);
    }
    auto& buf = body_.storage();
    const std::size_t at = buf.size();
    buf.resize(at + varint_size(static_cast<std::int64_t>(body)) + body);
    std::uint8_t* out = put_varlong(buf.data() + at, static_cast<std::int64_t>(body));
    *out++ = 0; // attributes: unused
    out = put_varlong(out, ts_delta);
    out = put_varlong(out, offset_delta);
    out = put_nullable(out, r.key);
    out = put_nullable(out, r.value);
    out = put_varlong(out, static_cast<std::int64_t>(r.headers.size()));
    for (const auto& [key, value] : r.headers) {
        out = put_bytes(put_varlong(out, static_cast<std::int64_t>(key.size())), wire::as_bytes(key));
        out = put_nullable(out, value);
    }
}

std::error_code batch_builder::finish(const write_options& o, wire::writer& out) const
{
    if (empty()) return {};
    auto attributes = static_cast<std::int16_t>(static_cast<int>(o.codec) | (o.transactional ? 0x10 : 0));
    const std::size_t start = out.size();
    out.int64(o.base_offset);
    out.int32(0);  // batch length, patched below
    out.int32(-1); // partition leader epoch: the broker sets it
    out.int8(2);
    out.uint32(0); // CRC, patched below
    out.int16(attributes);
    out.int32(count_ - 1);
    out.int64(base_timestamp_);
    out.int64(max_timestamp_);
    out.int64(o.producer_id);
    out.int16(o.producer_epoch);
    out.int32(o.base_sequence);
    out.int32(count_);
    if (o.codec == compression::none) {
        out.raw(body_.view());
    } else if (auto ec = compress(o.codec, body_.view(), out.storage())) {
        out.storage().resize(start);
        return ec;
    }
    out.patch_int32(start + batch_length_at, static_cast<std::int32_t>(out.size() - start - batch_length_at - 4));
    out.patch_uint32(start + batch_crc_at, wire::crc32c(out.view().subspan(start + batch_attributes_at)));
    return {};
}

std::error_code batch_builder::finish(const write_options& o, wire::byte_buffer& out) const
{
    wire::writer w(std::move(out));
    auto ec = finish(o, w);
    out = w.take();
    return ec;
}

std::error_code batch_builder::finish_as_message_set(const write_options& o, wire::writer& out) const
{
    if (has_headers_) return wire::errc::bad_value;
    if (empty()) return {};
    // Rare (brokers before 0.11): read our own v2 batch back rather than keep every record twice.
    wire::byte_buffer v2;
    if (auto ec = finish({}, v2)) return ec;
    read_options no_checks;
    no_checks.check_crcs = false;
    record_set set;
    if (auto failure = read_records(v2, 0, no_checks, {}, set)) return failure->code;
    std::vector<record_to_write> records;
    records.reserve(set.records.size());
    for (const auto& r : set.records) records.push_back({r.key, r.value, r.timestamp, {}});
    return write_records(records, o, out.storage());
}

} // namespace kspout::records
