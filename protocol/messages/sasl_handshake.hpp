// SaslHandshake (SaslHandshakeRequest.json / SaslHandshakeResponse.json) v0-1: pick a SASL mechanism.
#pragma once

#include "protocol/messages/versions.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kspout::messages {

// v1: the SASL exchange that follows goes in SaslAuthenticate requests (v0: raw frames).
inline constexpr version_range sasl_handshake_versions{0, 1};

struct sasl_handshake_request {
    std::string mechanism; // "PLAIN", "SCRAM-SHA-256", ...
    friend bool operator==(const sasl_handshake_request&, const sasl_handshake_request&) = default;
};

struct sasl_handshake_response {
    std::int16_t error_code = 0;
    std::vector<std::string> mechanisms; // what the broker has enabled
    friend bool operator==(const sasl_handshake_response&, const sasl_handshake_response&) = default;
};

// Encoding requires a version inside sasl_handshake_versions; decoding checks it.
void encode(wire::writer& w, const sasl_handshake_request& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, sasl_handshake_request& out, std::int16_t version);
void encode(wire::writer& w, const sasl_handshake_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, sasl_handshake_response& out, std::int16_t version);

} // namespace kspout::messages
