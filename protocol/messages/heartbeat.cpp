// Heartbeat codecs.
#include "protocol/messages/heartbeat.hpp"

#include "protocol/messages/codec_util.hpp"
#include "protocol/messages/flexible_fields.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::heartbeat;
using detail::direction;

} // namespace

void encode(wire::writer& w, const heartbeat_request& r, std::int16_t version)
{
    assert(heartbeat_versions.contains(version));
    const bool flex = is_flexible(key, version);
    detail::write_string(w, r.group_id, flex);
    w.int32(r.generation_id);
    detail::write_string(w, r.member_id, flex);
    if (version >= 3) detail::write_nullable_string(w, r.group_instance_id, flex);
    detail::write_tags(w, flex);
}

std::optional<wire::decode_error> decode(wire::reader& r, heartbeat_request& out, std::int16_t version)
{
    out = {};
    if (!heartbeat_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::request);
    }
    const bool flex = is_flexible(key, version);
    out.group_id = detail::read_string(r, flex);
    out.generation_id = r.int32();
    out.member_id = detail::read_string(r, flex);
    if (version >= 3) out.group_instance_id = detail::read_nullable_string(r, flex);
    detail::skip_tags(r, flex);
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const heartbeat_response& r, std::int16_t version)
{
    assert(heartbeat_versions.contains(version));
    if (version >= 1) w.int32(r.throttle_time_ms);
    w.int16(r.error_code);
    detail::write_tags(w, is_flexible(key, version));
}

std::optional<wire::decode_error> decode(wire::reader& r, heartbeat_response& out, std::int16_t version)
{
    out = {};
    if (!heartbeat_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::response);
    }
    if (version >= 1) out.throttle_time_ms = r.int32();
    out.error_code = r.int16();
    detail::skip_tags(r, is_flexible(key, version));
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
