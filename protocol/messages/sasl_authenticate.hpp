// SaslAuthenticate (SaslAuthenticateRequest.json / SaslAuthenticateResponse.json) v0-1: one SASL round trip.
#pragma once

#include "protocol/messages/versions.hpp"
#include "protocol/wire/bytes.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace kspout::messages {

inline constexpr version_range sasl_authenticate_versions{0, 1};

struct sasl_authenticate_request {
    wire::byte_buffer auth_bytes; // the mechanism's message (holds credentials: never log it)
    friend bool operator==(const sasl_authenticate_request&, const sasl_authenticate_request&) = default;
};

struct sasl_authenticate_response {
    std::int16_t error_code = 0;
    std::optional<std::string> error_message;
    wire::byte_buffer auth_bytes;          // the broker's answer
    std::int64_t session_lifetime_ms = 0;  // v1+; 0: no limit
    friend bool operator==(const sasl_authenticate_response&, const sasl_authenticate_response&) = default;
};

// Encoding requires a version inside sasl_authenticate_versions; decoding checks it.
void encode(wire::writer& w, const sasl_authenticate_request& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, sasl_authenticate_request& out, std::int16_t version);
void encode(wire::writer& w, const sasl_authenticate_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, sasl_authenticate_response& out, std::int16_t version);

} // namespace kspout::messages
