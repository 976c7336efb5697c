// writer: big-endian fixed ints, zigzag varints, strings and bytes, back-patching.
#include "protocol/wire/writer.hpp"

namespace kspout::wire {
namespace {

template <typename T>
void store_big_endian(std::uint8_t* p, T value) noexcept
{
    using U = std::make_unsigned_t<T>;
    auto v = static_cast<U>(value);
    for (std::size_t i = sizeof(T); i > 0; --i) {
        p[i - 1] = static_cast<std::uint8_t>(v & 0xff);
        v = static_cast<U>(v >> 8);
    }
}

template <typename T>
void append_big_endian(byte_buffer& buf, T value)
{
    std::size_t at = buf.size();
    buf.resize(at + sizeof(T));
    store_big_endian(buf.data() + at, value);
}

void append_unsigned_varint(byte_buffer& buf, std::uint64_t v)
{
    while (v >= 0x80) {
        buf.push_back(static_cast<std::uint8_t>(v | 0x80));
        v >>= 7;
    }
    buf.push_back(static_cast<std::uint8_t>(v));
}

} // namespace

void writer::int16(std::int16_t v) { append_big_endian(buf_, v); }
void writer::int32(std::int32_t v) { append_big_endian(buf_, v); }
void writer::int64(std::int64_t v) { append_big_endian(buf_, v); }
void writer::uint32(std::uint32_t v) { append_big_endian(buf_, v); }

void writer::varint(std::int32_t v)
{
    auto zigzag = (static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31);
    append_unsigned_varint(buf_, zigzag);
}

void writer::varlong(std::int64_t v)
{
    auto zigzag = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
    append_unsigned_varint(buf_, zigzag);
}

void writer::uvarint(std::uint32_t v) { append_unsigned_varint(buf_, v); }

void writer::string(std::string_view s)
{
    int16(static_cast<std::int16_t>(s.size()));
    raw(as_bytes(s));
}

void writer::nullable_string(std::optional<std::string_view> s)
{
    if (!s) {
        int16(-1);
        return;
    }
    string(*s);
}

void writer::bytes(bytes_view b)
{
    int32(static_cast<std::int32_t>(b.size()));
    raw(b);
}

void writer::nullable_bytes(std::optional<bytes_view> b)
{
    if (!b) {
        int32(-1);
        return;
    }
    bytes(*b);
}

void writer::compact_string(std::string_view s)
{
    uvarint(static_cast<std::uint32_t>(s.size() + 1));
    raw(as_bytes(s));
}

void writer::compact_nullable_string(std::optional<std::string_view> s)
{
    if (!s) {
        uvarint(0);
        return;
    }
    compact_string(*s);
}

void writer::compact_bytes(bytes_view b)
{
    uvarint(static_cast<std::uint32_t>(b.size() + 1));
    raw(b);
}

std::size_t writer::reserve_int32()
{
    std::size_t at = buf_.size();
    buf_.resize(at + 4);
    return at;
}

void writer::patch_int32(std::size_t at, std::int32_t v) { store_big_endian(buf_.data() + at, v); }
void writer::patch_uint32(std::size_t at, std::uint32_t v) { store_big_endian(buf_.data() + at, v); }

void writer::patch_size_since(std::size_t at)
{
    patch_int32(at, static_cast<std::int32_t>(buf_.size() - at - 4));
}

} // namespace kspout::wire
