// MessageSet v0/v1 (magic 0 and 1): plain messages and compressed wrappers around an inner set.
#include "protocol/records/compression.hpp"
#include "protocol/records/read_state.hpp"
#include "protocol/wire/checksum.hpp"

namespace kspout::records::detail {
namespace {

constexpr std::size_t log_overhead = 12; // offset and message_size
constexpr std::size_t crc_at = 12;
constexpr std::size_t magic_at = 16;
constexpr std::size_t attributes_at = 17;
constexpr int codec_mask = 0x07;
constexpr int log_append_time_bit = 0x08;

struct message {
    std::int64_t offset = 0;
    std::int8_t magic = 0;
    std::int8_t attributes = 0;
    std::int64_t timestamp = -1;
    std::optional<wire::bytes_view> key;
    std::optional<wire::bytes_view> value;
    std::size_t value_at = 0; // where the value's bytes start within the entry
};

// int32 length (-1 = null) and the bytes after it, at `pos` within `entry`.
bool read_nullable(wire::bytes_view entry, std::size_t& pos, std::optional<wire::bytes_view>& out)
{
    if (entry.size() - pos < 4) return false;
    std::int32_t n = load_i32(entry.data() + pos);
    pos += 4;
    if (n == -1) {
        out.reset();
        return true;
    }
    if (n < 0 || static_cast<std::size_t>(n) > entry.size() - pos) return false;
    out.emplace(entry.data() + pos, static_cast<std::size_t>(n));
    pos += static_cast<std::size_t>(n);
    return true;
}

// Parses one message that fills `entry` exactly (log overhead included).
entry_result parse_message(wire::bytes_view entry, bool check_crc, message& m)
{
    entry_result result;
    auto fail = [&](wire::errc e, std::size_t at) {
        result.error = e;
        result.error_at = at;
        return result;
    };
    if (entry.size() <= magic_at) return fail(wire::errc::bad_length, 8);
    m.offset = load_i64(entry.data());
    m.magic = static_cast<std::int8_t>(entry[magic_at]);
    if (m.magic != 0 && m.magic != 1) return fail(wire::errc::bad_magic, magic_at);
    std::size_t min_size = log_overhead + (m.magic == 0 ? 14 : 22);
    if (entry.size() < min_size) return fail(wire::errc::bad_length, 8);
    if (check_crc && wire::crc32(entry.subspan(magic_at)) != load_u32(entry.data() + crc_at)) {
        return fail(wire::errc::bad_crc, crc_at);
    }
    m.attributes = static_cast<std::int8_t>(entry[attributes_at]);
    std::size_t pos = attributes_at + 1;
    m.timestamp = -1;
    if (m.magic == 1) {
        m.timestamp = load_i64(entry.data() + pos);
        pos += 8;
    }
    if (!read_nullable(entry, pos, m.key)) return fail(wire::errc::bad_length, pos);
    m.value_at = pos + 4;
    if (!read_nullable(entry, pos, m.value)) return fail(wire::errc::bad_length, pos);
    if (pos != entry.size()) return fail(wire::errc::bad_length, pos);
    return result;
}

timestamp_type type_of(const message& m)
{
    bool log_append = m.magic >= 1 && (m.attributes & log_append_time_bit) != 0;
    return log_append ? timestamp_type::log_append_time : timestamp_type::create_time;
}

// Reads the inner message set of a compressed wrapper.
entry_result read_wrapper(const message& wrapper, read_state& st)
{
    entry_result result;
    auto fail = [&](std::error_code ec) {
        result.error = ec;
        result.error_at = wrapper.value_at;
        return result;
    };
    if (!wrapper.value) return fail(wire::errc::bad_value);
    auto codec = static_cast<compression>(wrapper.attributes & codec_mask);
    if (codec == compression::zstd) return fail(wire::errc::unsupported_compression);
    auto& buffer = st.acquire_buffer();
    decompress_options options;
    options.lz4_legacy_header_checksum = wrapper.magic == 0;
    if (auto ec = decompress(codec, *wrapper.value, buffer, st.options.max_decompressed_bytes, options)) {
        return fail(ec);
    }
    wire::bytes_view inner = buffer;

    // First pass: frame the inner messages; v1 offsets are relative to the last one.
    std::size_t count = 0;
    std::int64_t last_inner = 0;
    for (std::size_t pos = 0; pos < inner.size(); ++count) {
        if (inner.size() - pos < log_overhead) return fail(wire::errc::truncated);
        std::int32_t size = load_i32(inner.data() + pos + 8);
        if (size < 0 || static_cast<std::size_t>(size) > inner.size() - pos - log_overhead) {
            return fail(wire::errc::bad_length);
        }
        last_inner = load_i64(inner.data() + pos);
        pos += log_overhead + static_cast<std::size_t>(size);
    }
    std::int64_t base = wrapper.magic >= 1 ? wrapping_add(wrapper.offset, -last_inner) : 0;
    bool wrapper_log_append = type_of(wrapper) == timestamp_type::log_append_time;
    st.reserve_records(count);

    std::int64_t last_offset = wrapper.offset;
    for (std::size_t pos = 0; pos < inner.size();) {
        auto size = static_cast<std::size_t>(load_i32(inner.data() + pos + 8));
        message m;
        auto parsed = parse_message(inner.subspan(pos, log_overhead + size), st.options.check_crcs, m);
        if (parsed.error) return fail(parsed.error);
        if ((m.attributes & codec_mask) != 0) return fail(wire::errc::bad_value); // nested compression
        pos += log_overhead + size;

        record r;
        r.offset = wrapping_add(base, m.offset);
        last_offset = std::max(last_offset, r.offset);
        if (r.offset < st.fetch_offset) continue;
        r.timestamp = wrapper_log_append ? wrapper.timestamp : m.timestamp;
        r.ts_type = wrapper_log_append ? timestamp_type::log_append_time : type_of(m);
        r.key = m.key;
        r.value = m.value;
        st.out.records.push_back(r);
    }
    result.next_offset = wrapping_add(wrapper.magic >= 1 ? wrapper.offset : last_offset, 1);
    return result;
}

} // namespace

entry_result read_message_set_entry(wire::bytes_view entry, read_state& st)
{
    message m;
    entry_result result = parse_message(entry, st.options.check_crcs, m);
    if (result.error) return result;
    if ((m.attributes & codec_mask) != 0) return read_wrapper(m, st);

    result.next_offset = wrapping_add(m.offset, 1);
    if (m.offset >= st.fetch_offset) {
        record r;
        r.offset = m.offset;
        r.timestamp = m.timestamp;
        r.ts_type = type_of(m);
        r.key = m.key;
        r.value = m.value;
        st.reserve_records(1);
        st.out.records.push_back(r);
    }
    return result;
}

} // namespace kspout::records::detail
