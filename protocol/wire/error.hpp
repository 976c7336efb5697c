// Errors raised while decoding or encoding Kafka bytes, as a std::error_code category.
#pragma once

#include <cstddef>
#include <string>
#include <system_error>

namespace kspout::wire {

enum class errc {
    truncated = 1,           // fewer bytes left than the field needs
    bad_length,              // a negative or impossible length or count
    bad_varint,              // a varint longer than its type allows
    bad_crc,                 // a checksum over a message or batch does not match
    bad_magic,               // a record magic byte we do not know
    frame_too_large,         // a size prefix above the configured maximum
    unsupported_version,     // an API version this client does not implement
    unsupported_compression, // a codec id we do not know
    corrupt_compressed_data, // the decompressor rejected the payload
    decompressed_too_large,  // a payload that inflates past the configured limit
    trailing_bytes,          // bytes left over after a message that should end
    bad_value,               // a field whose value is outside its allowed set
};

const std::error_category& wire_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

// A decoding failure with enough context to find it: where, in what, and why.
struct decode_error {
    std::error_code code;
    std::size_t offset = 0; // byte offset in the buffer being decoded
    std::string context;    // e.g. "Fetch v4 response, field records"

    std::string message() const;
};

} // namespace kspout::wire

template <>
struct std::is_error_code_enum<kspout::wire::errc> : std::true_type {};
