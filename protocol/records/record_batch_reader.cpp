// RecordBatch v2 (magic 2): batch header, CRC-32C, decompression, and the varint record loop.
#include "protocol/records/compression.hpp"
#include "protocol/records/read_state.hpp"
#include "protocol/wire/checksum.hpp"

namespace kspout::records::detail {
namespace {

constexpr std::size_t header_size = 61;
constexpr std::size_t crc_at = 17;
constexpr std::size_t attributes_at = 21;
constexpr std::size_t min_record_size = 7; // length, attributes, ts, offset, key, value, headers
constexpr int codec_mask = 0x07;
constexpr int log_append_time_bit = 0x08;
constexpr int transactional_bit = 0x10;
constexpr int control_bit = 0x20;

struct batch_header {
    std::int64_t base_offset;
    std::int16_t attributes;
    std::int32_t last_offset_delta;
    std::int64_t base_timestamp;
    std::int64_t max_timestamp;
    std::int64_t producer_id;
    std::int32_t count;
};

batch_header parse_header(const std::uint8_t* p)
{
    return {load_i64(p), load_i16(p + 21), load_i32(p + 23), load_i64(p + 27),
            load_i64(p + 35), load_i64(p + 43), load_i32(p + 57)};
}

// Protobuf base-128 varint of at most max_bytes, bounded by `end`; zigzag is undone by callers.
inline bool read_raw_varint(const std::uint8_t*& p, const std::uint8_t* end, int max_bytes,
                            std::uint64_t& value, wire::errc& error)
{
    if (p < end && *p < 0x80) [[likely]] {
        value = *p++;
        return true;
    }
    value = 0;
    for (int i = 0; i < max_bytes; ++i) {
        if (p == end) {
            error = wire::errc::truncated;
            return false;
        }
        std::uint8_t b = *p++;
        value |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) return true;
    }
    error = wire::errc::bad_varint;
    return false;
}

inline bool read_varint(const std::uint8_t*& p, const std::uint8_t* end, std::int32_t& out,
                        wire::errc& error)
{
    std::uint64_t raw = 0;
    if (!read_raw_varint(p, end, 5, raw, error)) return false;
    auto v = static_cast<std::uint32_t>(raw);
    out = static_cast<std::int32_t>(v >> 1) ^ -static_cast<std::int32_t>(v & 1);
    return true;
}

inline bool read_varlong(const std::uint8_t*& p, const std::uint8_t* end, std::int64_t& out,
                         wire::errc& error)
{
    std::uint64_t raw = 0;
    if (!read_raw_varint(p, end, 10, raw, error)) return false;
    out = static_cast<std::int64_t>(raw >> 1) ^ -static_cast<std::int64_t>(raw & 1);
    return true;
}

// Varint length (-1 = null) and the bytes after it.
inline bool read_nullable(const std::uint8_t*& p, const std::uint8_t* end,
                          std::optional<wire::bytes_view>& out, wire::errc& error)
{
    std::int32_t n = 0;
    if (!read_varint(p, end, n, error)) return false;
    if (n < 0) {
        if (n != -1) {
            error = wire::errc::bad_length;
            return false;
        }
        out.reset();
        return true;
    }
    if (n > end - p) {
        error = wire::errc::bad_length;
        return false;
    }
    out.emplace(p, static_cast<std::size_t>(n));
    p += n;
    return true;
}

// Appends the records of one batch at or above the fetch offset. On failure, `at` is the byte
// offset within `data` of the record that failed.
wire::errc parse_records(wire::bytes_view data, const batch_header& h, read_state& st, std::size_t& at)
{
    const std::uint8_t* begin = data.data();
    const std::uint8_t* p = begin;
    const std::uint8_t* end = begin + data.size();
    at = 0;
    if (h.count < 0 || static_cast<std::size_t>(h.count) > data.size() / min_record_size) {
        return wire::errc::bad_length;
    }
    st.reserve_records(static_cast<std::size_t>(h.count));
    auto& records = st.out.records;
    auto& headers = st.out.headers;
    bool log_append = (h.attributes & log_append_time_bit) != 0;
    auto ts_type = log_append ? timestamp_type::log_append_time : timestamp_type::create_time;
    wire::errc error{};

    for (std::int32_t i = 0; i < h.count; ++i) {
        at = static_cast<std::size_t>(p - begin);
        std::int32_t length = 0;
        if (!read_varint(p, end, length, error)) return error;
        if (length < 1 || length > end - p) return wire::errc::bad_length;
        const std::uint8_t* record_end = p + length;
        ++p; // attributes: unused

        std::int64_t ts_delta = 0;
        std::int32_t offset_delta = 0;
        if (!read_varlong(p, record_end, ts_delta, error)) return error;
        if (!read_varint(p, record_end, offset_delta, error)) return error;
        std::int64_t offset = wrapping_add(h.base_offset, offset_delta);
        if (offset < st.fetch_offset) {
            p = record_end;
            continue;
        }

        record r;
        r.offset = offset;
        r.timestamp = log_append ? h.max_timestamp : wrapping_add(h.base_timestamp, ts_delta);
        r.ts_type = ts_type;
        if (!read_nullable(p, record_end, r.key, error)) return error;
        if (!read_nullable(p, record_end, r.value, error)) return error;

        std::int32_t header_count = 0;
        if (!read_varint(p, record_end, header_count, error)) return error;
        if (header_count < 0 || header_count > (record_end - p) / 2) return wire::errc::bad_length;
        r.first_header = static_cast<std::uint32_t>(headers.size());
        r.header_count = static_cast<std::uint32_t>(header_count);
        for (std::int32_t k = 0; k < header_count; ++k) {
            std::optional<wire::bytes_view> key;
            std::optional<wire::bytes_view> value;
            if (!read_nullable(p, record_end, key, error)) return error;
            if (!key) return wire::errc::bad_length; // header keys are never null
            if (!read_nullable(p, record_end, value, error)) return error;
            headers.push_back({wire::as_text(*key), value});
        }
        if (p != record_end) return wire::errc::bad_length;
        records.push_back(r);
    }
    at = static_cast<std::size_t>(p - begin);
    if (p != end) return wire::errc::trailing_bytes;
    return {};
}

// The records of a batch, decompressed into out.decompressed if need be.
std::error_code batch_payload(wire::bytes_view entry, const batch_header& h, read_state& st,
                              wire::bytes_view& payload)
{
    payload = entry.subspan(header_size);
    auto codec = static_cast<compression>(h.attributes & codec_mask);
    if (codec == compression::none) return {};
    auto& buffer = st.acquire_buffer();
    if (auto ec = decompress(codec, payload, buffer, st.options.max_decompressed_bytes)) return ec;
    payload = buffer;
    return {};
}

// Whether a control batch holds an ABORT marker: its first record's key is int16 version,
// int16 type, and type 0 is ABORT.
wire::errc is_abort_marker(wire::bytes_view records, const batch_header& h, bool& abort)
{
    abort = false;
    if (h.count <= 0) return {};
    const std::uint8_t* p = records.data();
    const std::uint8_t* end = p + records.size();
    wire::errc error{};
    std::int32_t length = 0;
    std::int64_t ts_delta = 0;
    std::int32_t offset_delta = 0;
    std::optional<wire::bytes_view> key;
    if (!read_varint(p, end, length, error)) return error;
    if (length < 1 || length > end - p) return wire::errc::bad_length;
    end = p + length;
    ++p;
    if (!read_varlong(p, end, ts_delta, error) || !read_varint(p, end, offset_delta, error) ||
        !read_nullable(p, end, key, error)) {
        return error;
    }
    if (!key || key->size() < 4) return wire::errc::bad_value;
    abort = load_i16(key->data() + 2) == 0;
    return {};
}

} // namespace

entry_result read_record_batch(wire::bytes_view entry, read_state& st)
{
    entry_result result;
    if (entry.size() < header_size) {
        result.error = wire::errc::bad_length;
        result.error_at = 8;
        return result;
    }
    batch_header h = parse_header(entry.data());
    if (st.options.check_crcs && wire::crc32c(entry.subspan(attributes_at)) != load_u32(entry.data() + crc_at)) {
        result.error = wire::errc::bad_crc;
        result.error_at = crc_at;
        return result;
    }
    if ((h.attributes & codec_mask) > static_cast<int>(compression::zstd)) {
        result.error = wire::errc::unsupported_compression;
        result.error_at = attributes_at;
        return result;
    }
    std::int64_t last_offset = wrapping_add(h.base_offset, h.last_offset_delta);
    result.next_offset = wrapping_add(last_offset, 1);
    bool control = (h.attributes & control_bit) != 0;

    wire::bytes_view payload;
    auto fail = [&](std::error_code ec, std::size_t at) {
        result.error = ec;
        result.error_at = at;
        result.next_offset = -1;
        return result;
    };
    if (st.options.read_committed && h.producer_id >= 0) {
        st.aborts.consume_up_to(last_offset);
        if (control) {
            if (auto ec = batch_payload(entry, h, st, payload)) return fail(ec, header_size);
            bool abort = false;
            if (auto e = is_abort_marker(payload, h, abort); e != wire::errc{}) return fail(e, header_size);
            if (abort) st.aborts.end_transaction(h.producer_id);
        } else if ((h.attributes & transactional_bit) != 0 && st.aborts.is_aborted(h.producer_id)) {
            return result;
        }
    }
    if (control || last_offset < st.fetch_offset) return result;

    if (auto ec = batch_payload(entry, h, st, payload)) return fail(ec, header_size);
    std::size_t at = 0;
    if (auto e = parse_records(payload, h, st, at); e != wire::errc{}) {
        bool compressed = (h.attributes & codec_mask) != 0;
        return fail(e, header_size + (compressed ? 0 : at));
    }
    return result;
}

} // namespace kspout::records::detail
