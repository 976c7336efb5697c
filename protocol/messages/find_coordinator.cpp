// FindCoordinator codecs.
#include "protocol/messages/find_coordinator.hpp"

#include "protocol/messages/codec_util.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::find_coordinator;
using detail::direction;

} // namespace

void encode(wire::writer& w, const find_coordinator_request& r, std::int16_t version)
{
    assert(find_coordinator_versions.contains(version));
    w.string(r.key);
    if (version >= 1) w.int8(static_cast<std::int8_t>(r.key_type));
}

std::optional<wire::decode_error> decode(wire::reader& r, find_coordinator_request& out, std::int16_t version)
{
    out = {};
    if (!find_coordinator_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::request);
    }
    out.key = detail::read_string(r);
    if (version >= 1) out.key_type = static_cast<coordinator_type>(r.int8());
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const find_coordinator_response& r, std::int16_t version)
{
    assert(find_coordinator_versions.contains(version));
    if (version >= 1) w.int32(r.throttle_time_ms);
    w.int16(r.error_code);
    if (version >= 1) detail::write_nullable_string(w, r.error_message);
    w.int32(r.node_id);
    w.string(r.host);
    w.int32(r.port);
}

std::optional<wire::decode_error> decode(wire::reader& r, find_coordinator_response& out, std::int16_t version)
{
    out = {};
    if (!find_coordinator_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::response);
    }
    if (version >= 1) out.throttle_time_ms = r.int32();
    out.error_code = r.int16();
    if (version >= 1) out.error_message = detail::read_nullable_string(r);
    out.node_id = r.int32();
    // The schema says non-null, but error replies (the librdkafka mock's, for one) carry a null
    // host; reading it as empty lets the error code through instead of failing the decode.
    out.host = detail::read_nullable_string(r).value_or("");
    out.port = r.int32();
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
