// SyncGroup codecs.
#include "protocol/messages/sync_group.hpp"

#include "protocol/messages/codec_util.hpp"
#include "protocol/messages/flexible_fields.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::sync_group;
using detail::direction;

} // namespace

void encode(wire::writer& w, const sync_group_request& r, std::int16_t version)
{
    assert(sync_group_versions.contains(version));
    const bool flex = is_flexible(key, version);
    detail::write_string(w, r.group_id, flex);
    w.int32(r.generation_id);
    detail::write_string(w, r.member_id, flex);
    if (version >= 3) detail::write_nullable_string(w, r.group_instance_id, flex);
    if (version >= 5) {
        detail::write_nullable_string(w, r.protocol_type, flex);
        detail::write_nullable_string(w, r.protocol_name, flex);
    }
    detail::write_array(w, r.assignments, flex, [&](const sync_group_assignment& a) {
        detail::write_string(w, a.member_id, flex);
        detail::write_bytes(w, a.assignment, flex);
        detail::write_tags(w, flex);
    });
    detail::write_tags(w, flex);
}

std::optional<wire::decode_error> decode(wire::reader& r, sync_group_request& out, std::int16_t version)
{
    out = {};
    if (!sync_group_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::request);
    }
    const bool flex = is_flexible(key, version);
    out.group_id = detail::read_string(r, flex);
    out.generation_id = r.int32();
    out.member_id = detail::read_string(r, flex);
    if (version >= 3) out.group_instance_id = detail::read_nullable_string(r, flex);
    if (version >= 5) {
        out.protocol_type = detail::read_nullable_string(r, flex);
        out.protocol_name = detail::read_nullable_string(r, flex);
    }
    detail::read_array(r, out.assignments, flex ? 3 : 6, flex, [&](sync_group_assignment& a) {
        a.member_id = detail::read_string(r, flex);
        a.assignment = detail::read_bytes(r, flex);
        detail::skip_tags(r, flex);
    });
    detail::skip_tags(r, flex);
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const sync_group_response& r, std::int16_t version)
{
    assert(sync_group_versions.contains(version));
    const bool flex = is_flexible(key, version);
    if (version >= 1) w.int32(r.throttle_time_ms);
    w.int16(r.error_code);
    if (version >= 5) {
        detail::write_nullable_string(w, r.protocol_type, flex);
        detail::write_nullable_string(w, r.protocol_name, flex);
    }
    detail::write_bytes(w, r.assignment, flex);
    detail::write_tags(w, flex);
}

std::optional<wire::decode_error> decode(wire::reader& r, sync_group_response& out, std::int16_t version)
{
    out = {};
    if (!sync_group_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::response);
    }
    const bool flex = is_flexible(key, version);
    if (version >= 1) out.throttle_time_ms = r.int32();
    out.error_code = r.int16();
    if (version >= 5) {
        out.protocol_type = detail::read_nullable_string(r, flex);
        out.protocol_name = detail::read_nullable_string(r, flex);
    }
    out.assignment = detail::read_bytes(r, flex);
    detail::skip_tags(r, flex);
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
