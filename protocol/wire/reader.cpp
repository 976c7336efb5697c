// reader: big-endian fixed ints, zigzag varints, strings, bytes and array lengths.
#include "protocol/wire/reader.hpp"

namespace kspout::wire {
namespace {

template <typename T>
T load_big_endian(const std::uint8_t* p) noexcept
{
    using U = std::make_unsigned_t<T>;
    U value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        value = static_cast<U>((value << 8) | p[i]);
    }
    return static_cast<T>(value);
}

std::int64_t unzigzag(std::uint64_t v) noexcept
{
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

} // namespace

void reader::fail(errc e) noexcept
{
    if (!error_) {
        error_ = make_error_code(e);
        error_offset_ = base_ + pos_;
    }
}

bool reader::take(std::size_t n) noexcept
{
    if (error_) {
        return false;
    }
    if (n > remaining()) {
        fail(errc::truncated);
        return false;
    }
    return true;
}

std::int8_t reader::int8()
{
    if (!take(1)) return 0;
    return static_cast<std::int8_t>(data_[pos_++]);
}

std::int16_t reader::int16()
{
    if (!take(2)) return 0;
    auto v = load_big_endian<std::int16_t>(data_.data() + pos_);
    pos_ += 2;
    return v;
}

std::int32_t reader::int32()
{
    if (!take(4)) return 0;
    auto v = load_big_endian<std::int32_t>(data_.data() + pos_);
    pos_ += 4;
    return v;
}

std::int64_t reader::int64()
{
    if (!take(8)) return 0;
    auto v = load_big_endian<std::int64_t>(data_.data() + pos_);
    pos_ += 8;
    return v;
}

std::uint32_t reader::uint32()
{
    if (!take(4)) return 0;
    auto v = load_big_endian<std::uint32_t>(data_.data() + pos_);
    pos_ += 4;
    return v;
}

std::uint64_t reader::unsigned_varint(int max_bytes)
{
    std::uint64_t value = 0;
    for (int i = 0; i < max_bytes; ++i) {
        if (!take(1)) return 0;
        std::uint8_t b = data_[pos_++];
        value |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
            return value;
        }
    }
    fail(errc::bad_varint);
    return 0;
}

std::int32_t reader::varint()
{
    return static_cast<std::int32_t>(unzigzag(unsigned_varint(5) & 0xffffffffu));
}

std::int64_t reader::varlong()
{
    return unzigzag(unsigned_varint(10));
}

std::uint32_t reader::uvarint()
{
    return static_cast<std::uint32_t>(unsigned_varint(5));
}

std::optional<std::string_view> reader::nullable_string()
{
    std::int16_t n = int16();
    if (!ok()) return std::string_view{};
    if (n < 0) {
        if (n != -1) fail(errc::bad_length);
        return std::nullopt;
    }
    return as_text(raw(static_cast<std::size_t>(n)));
}

std::string_view reader::string()
{
    auto s = nullable_string();
    if (!s) {
        fail(errc::bad_length);
        return {};
    }
    return *s;
}

std::optional<bytes_view> reader::nullable_bytes()
{
    std::int32_t n = int32();
    if (!ok()) return bytes_view{};
    if (n < 0) {
        if (n != -1) fail(errc::bad_length);
        return std::nullopt;
    }
    return raw(static_cast<std::size_t>(n));
}

bytes_view reader::bytes()
{
    auto b = nullable_bytes();
    if (!b) {
        fail(errc::bad_length);
        return {};
    }
    return *b;
}

std::optional<std::string_view> reader::compact_nullable_string()
{
    std::uint32_t n = uvarint();
    if (!ok()) return std::string_view{};
    if (n == 0) return std::nullopt;
    return as_text(raw(n - 1));
}

std::string_view reader::compact_string()
{
    auto s = compact_nullable_string();
    if (!s) {
        fail(errc::bad_length);
        return {};
    }
    return *s;
}

std::optional<bytes_view> reader::compact_nullable_bytes()
{
    std::uint32_t n = uvarint();
    if (!ok()) return bytes_view{};
    if (n == 0) return std::nullopt;
    return raw(n - 1);
}

bytes_view reader::compact_bytes()
{
    auto b = compact_nullable_bytes();
    if (!b) {
        fail(errc::bad_length);
        return {};
    }
    return *b;
}

void reader::skip_tagged_fields()
{
    std::uint32_t count = uvarint();
    for (std::uint32_t i = 0; i < count && ok(); ++i) {
        (void)uvarint(); // tag
        skip(uvarint());
    }
}

std::size_t reader::array_length(std::size_t min_element_size)
{
    std::int32_t n = int32();
    if (!ok() || n == -1) return 0;
    if (n < 0 || static_cast<std::size_t>(n) * min_element_size > remaining()) {
        fail(errc::bad_length);
        return 0;
    }
    return static_cast<std::size_t>(n);
}

std::size_t reader::compact_array_length(std::size_t min_element_size)
{
    std::uint32_t n = uvarint();
    if (!ok() || n == 0) return 0;
    if (static_cast<std::size_t>(n - 1) * min_element_size > remaining()) {
        fail(errc::bad_length);
        return 0;
    }
    return n - 1;
}

bytes_view reader::raw(std::size_t n)
{
    if (!take(n)) return {};
    bytes_view view = data_.subspan(pos_, n);
    pos_ += n;
    return view;
}

reader reader::sub_reader(std::size_t n)
{
    std::size_t start = offset();
    bytes_view view = raw(n);
    reader sub(view, start);
    if (!ok()) sub.fail(errc::truncated);
    return sub;
}

std::optional<decode_error> reader::error_in(std::string context) const
{
    if (ok()) return std::nullopt;
    return decode_error{error_, error_offset_, std::move(context)};
}

} // namespace kspout::wire
