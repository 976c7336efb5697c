// Bounds-checked big-endian reader for Kafka's primitive types, with a sticky error.
#pragma once

#include "protocol/wire/bytes.hpp"
#include "protocol/wire/error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kspout::wire {

// Reads fields front to back. The first failure is remembered with its byte offset; every read
// after it returns a zero value, so decoders can read a whole struct and check ok() once.
// Lengths and counts are checked against the bytes that remain before anything is allocated.
class reader {
public:
    explicit reader(bytes_view data, std::size_t base_offset = 0) noexcept
        : data_(data), base_(base_offset) {}

    std::int8_t int8();
    std::int16_t int16();
    std::int32_t int32();
    std::int64_t int64();
    std::uint32_t uint32();
    bool boolean() { return int8() != 0; }

    std::int32_t varint();   // zigzag, at most 5 bytes
    std::int64_t varlong();  // zigzag, at most 10 bytes
    std::uint32_t uvarint(); // unsigned, at most 5 bytes

    // int16 length; a null (-1) is an error for string() and nullopt for nullable_string().
    std::string_view string();
    std::optional<std::string_view> nullable_string();
    // int32 length; likewise for bytes.
    bytes_view bytes();
    std::optional<bytes_view> nullable_bytes();
    // Flexible-version (KIP-482) forms: unsigned varint length + 1, 0 meaning null.
    std::string_view compact_string();
    std::optional<std::string_view> compact_nullable_string();
    bytes_view compact_bytes();
    std::optional<bytes_view> compact_nullable_bytes();
    void skip_tagged_fields();

    // int32 element count. Each element takes at least min_element_size bytes, so a count the
    // remaining bytes cannot hold fails with bad_length. A null array (-1) reads as 0.
    std::size_t array_length(std::size_t min_element_size);
    std::size_t compact_array_length(std::size_t min_element_size);

    bytes_view raw(std::size_t n);        // the next n bytes, unread
    reader sub_reader(std::size_t n);     // a reader over the next n bytes, offsets kept absolute
    void skip(std::size_t n) { (void)raw(n); }

    // Marks the reader failed (if it is not already) at the current offset.
    void fail(errc e) noexcept;

    bool ok() const noexcept { return !error_; }
    std::error_code error() const noexcept { return error_; }
    std::size_t error_offset() const noexcept { return error_offset_; }
    std::size_t offset() const noexcept { return base_ + pos_; } // absolute offset of the next byte
    std::size_t position() const noexcept { return pos_; }       // offset within this reader
    std::size_t remaining() const noexcept { return data_.size() - pos_; }
    bool at_end() const noexcept { return pos_ == data_.size(); }
    bytes_view rest() const noexcept { return data_.subspan(pos_); }

    // A decode_error naming what was being decoded, or nullopt if every read succeeded.
    std::optional<decode_error> error_in(std::string context) const;

private:
    bool take(std::size_t n) noexcept;
    std::uint64_t unsigned_varint(int max_bytes);

    bytes_view data_;
    std::size_t base_ = 0;
    std::size_t pos_ = 0;
    std::error_code error_;
    std::size_t error_offset_ = 0;
};

} // namespace kspout::wire
