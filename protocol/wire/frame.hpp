// Request/response headers and the int32 size-prefixed framing every Kafka message travels in.
#pragma once

#include "protocol/wire/api_key.hpp"
#include "protocol/wire/bytes.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace kspout::wire {

inline constexpr std::size_t default_max_frame_size = 100 * 1024 * 1024;

// Request header v1 (v2 when flexible adds an empty tagged-field section).
struct request_header {
    api_key key{};
    std::int16_t version = 0;
    std::int32_t correlation_id = 0;
    std::optional<std::string_view> client_id;
    bool flexible = false;
};

void encode(writer& w, const request_header& h);

// Starts a framed request: reserves the size prefix and writes the header. Finish with
// end_frame(w, start) once the body is written.
std::size_t begin_request(writer& w, const request_header& h);
inline void end_frame(writer& w, std::size_t start) { w.patch_size_since(start); }

// Reads a response header (v0: the correlation id; v1 adds tagged fields).
std::int32_t decode_response_header(reader& r, bool flexible = false);

// Validates a 4-byte size prefix: negative or above max_frame_size is an error.
std::size_t decode_frame_size(bytes_view prefix, std::size_t max_frame_size, std::error_code& ec);

} // namespace kspout::wire
