// SaslAuthenticate codecs.
#include "protocol/messages/sasl_authenticate.hpp"

#include "protocol/messages/codec_util.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::sasl_authenticate;
using detail::direction;

wire::byte_buffer copy(wire::bytes_view b)
{
    return wire::byte_buffer(b.begin(), b.end());
}

} // namespace

void encode(wire::writer& w, const sasl_authenticate_request& r, std::int16_t version)
{
    assert(sasl_authenticate_versions.contains(version));
    w.bytes(r.auth_bytes);
}

std::optional<wire::decode_error> decode(wire::reader& r, sasl_authenticate_request& out, std::int16_t version)
{
    out = {};
    if (!sasl_authenticate_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::request);
    }
    out.auth_bytes = copy(r.bytes());
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const sasl_authenticate_response& r, std::int16_t version)
{
    assert(sasl_authenticate_versions.contains(version));
    w.int16(r.error_code);
    detail::write_nullable_string(w, r.error_message);
    w.bytes(r.auth_bytes);
    if (version >= 1) w.int64(r.session_lifetime_ms);
}

std::optional<wire::decode_error> decode(wire::reader& r, sasl_authenticate_response& out, std::int16_t version)
{
    out = {};
    if (!sasl_authenticate_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::response);
    }
    out.error_code = r.int16();
    out.error_message = detail::read_nullable_string(r);
    out.auth_bytes = copy(r.bytes());
    if (version >= 1) out.session_lifetime_ms = r.int64();
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
