// Append-only big-endian writer for Kafka's primitive types, with size and CRC back-patching.
#pragma once

#include "protocol/wire/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kspout::wire {

class writer {
public:
    writer() = default;
    explicit writer(byte_buffer buffer) : buf_(std::move(buffer)) {}

    void int8(std::int8_t v) { buf_.push_back(static_cast<std::uint8_t>(v)); }
    void int16(std::int16_t v);
    void int32(std::int32_t v);
    void int64(std::int64_t v);
    void uint32(std::uint32_t v);
    void boolean(bool v) { int8(v ? 1 : 0); }

    void varint(std::int32_t v);   // zigzag
    void varlong(std::int64_t v);  // zigzag
    void uvarint(std::uint32_t v); // unsigned

    void string(std::string_view s);                       // int16 length
    void nullable_string(std::optional<std::string_view> s); // -1 for null
    void bytes(bytes_view b);                               // int32 length
    void nullable_bytes(std::optional<bytes_view> b);
    void compact_string(std::string_view s);
    void compact_nullable_string(std::optional<std::string_view> s);
    void compact_bytes(bytes_view b);
    void compact_array_length(std::size_t n) { uvarint(static_cast<std::uint32_t>(n + 1)); }
    void empty_tagged_fields() { uvarint(0); }
    void array_length(std::size_t n) { int32(static_cast<std::int32_t>(n)); }
    void raw(bytes_view b) { buf_.insert(buf_.end(), b.begin(), b.end()); }

    // Reserves an int32 to fill in later; returns its position.
    std::size_t reserve_int32();
    void patch_int32(std::size_t at, std::int32_t v);
    void patch_uint32(std::size_t at, std::uint32_t v);
    // Writes into the reserved int32 the number of bytes written after it.
    void patch_size_since(std::size_t at);

    std::size_t size() const noexcept { return buf_.size(); }
    const byte_buffer& buffer() const noexcept { return buf_; }
    // For code that appends to a byte buffer itself (a compression codec), or cuts back what failed.
    byte_buffer& storage() noexcept { return buf_; }
    bytes_view view() const noexcept { return buf_; }
    byte_buffer take() noexcept { return std::move(buf_); }

private:
    byte_buffer buf_;
};

} // namespace kspout::wire
