// SaslHandshake codecs.
#include "protocol/messages/sasl_handshake.hpp"

#include "protocol/messages/codec_util.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::sasl_handshake;
using detail::direction;

} // namespace

void encode(wire::writer& w, const sasl_handshake_request& r, std::int16_t version)
{
    assert(sasl_handshake_versions.contains(version));
    w.string(r.mechanism);
}

std::optional<wire::decode_error> decode(wire::reader& r, sasl_handshake_request& out, std::int16_t version)
{
    out = {};
    if (!sasl_handshake_versions.contains(version)) return detail::unsupported(r, key, version, direction::request);
    out.mechanism = detail::read_string(r);
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const sasl_handshake_response& r, std::int16_t version)
{
    assert(sasl_handshake_versions.contains(version));
    w.int16(r.error_code);
    detail::write_array(w, r.mechanisms, [&](const std::string& m) { w.string(m); });
}

std::optional<wire::decode_error> decode(wire::reader& r, sasl_handshake_response& out, std::int16_t version)
{
    out = {};
    if (!sasl_handshake_versions.contains(version)) return detail::unsupported(r, key, version, direction::response);
    out.error_code = r.int16();
    detail::read_array(r, out.mechanisms, 2, [&](std::string& m) { m = detail::read_string(r); });
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
