// JoinGroup codecs.
#include "protocol/messages/join_group.hpp"

#include "protocol/messages/codec_util.hpp"
#include "protocol/messages/flexible_fields.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::join_group;
constexpr std::int16_t member_id_required = 79; // MEMBER_ID_REQUIRED
using detail::direction;

} // namespace

std::optional<std::string> member_id_to_rejoin_with(const join_group_response& response)
{
    if (response.error_code != member_id_required || response.member_id.empty()) return std::nullopt;
    return response.member_id;
}

void encode(wire::writer& w, const join_group_request& r, std::int16_t version)
{
    assert(join_group_versions.contains(version));
    const bool flex = is_flexible(key, version);
    detail::write_string(w, r.group_id, flex);
    w.int32(r.session_timeout_ms);
    if (version >= 1) w.int32(r.rebalance_timeout_ms);
    detail::write_string(w, r.member_id, flex);
    if (version >= 5) detail::write_nullable_string(w, r.group_instance_id, flex);
    detail::write_string(w, r.protocol_type, flex);
    detail::write_array(w, r.protocols, flex, [&](const join_group_protocol& p) {
        detail::write_string(w, p.name, flex);
        detail::write_bytes(w, p.metadata, flex);
        detail::write_tags(w, flex);
    });
    if (version >= 8) detail::write_nullable_string(w, r.reason, flex);
    detail::write_tags(w, flex);
}

std::optional<wire::decode_error> decode(wire::reader& r, join_group_request& out, std::int16_t version)
{
    out = {};
    if (!join_group_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::request);
    }
    const bool flex = is_flexible(key, version);
    out.group_id = detail::read_string(r, flex);
    out.session_timeout_ms = r.int32();
    if (version >= 1) out.rebalance_timeout_ms = r.int32();
    out.member_id = detail::read_string(r, flex);
    if (version >= 5) out.group_instance_id = detail::read_nullable_string(r, flex);
    out.protocol_type = detail::read_string(r, flex);
    detail::read_array(r, out.protocols, flex ? 3 : 6, flex, [&](join_group_protocol& p) {
        p.name = detail::read_string(r, flex);
        p.metadata = detail::read_bytes(r, flex);
        detail::skip_tags(r, flex);
    });
    if (version >= 8) out.reason = detail::read_nullable_string(r, flex);
    detail::skip_tags(r, flex);
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const join_group_response& r, std::int16_t version)
{
    assert(join_group_versions.contains(version));
    const bool flex = is_flexible(key, version);
    if (version >= 2) w.int32(r.throttle_time_ms);
    w.int16(r.error_code);
    w.int32(r.generation_id);
    if (version >= 7) {
        detail::write_nullable_string(w, r.protocol_type, flex);
        detail::write_nullable_string(w, r.protocol_name, flex);
    } else {
        detail::write_string(w, r.protocol_name.value_or(""), flex);
    }
    detail::write_string(w, r.leader, flex);
    if (version >= 9) w.boolean(r.skip_assignment);
    detail::write_string(w, r.member_id, flex);
    detail::write_array(w, r.members, flex, [&](const join_group_member& m) {
        detail::write_string(w, m.member_id, flex);
        if (version >= 5) detail::write_nullable_string(w, m.group_instance_id, flex);
        detail::write_bytes(w, m.metadata, flex);
        detail::write_tags(w, flex);
    });
    detail::write_tags(w, flex);
}

std::optional<wire::decode_error> decode(wire::reader& r, join_group_response& out, std::int16_t version)
{
    out = {};
    if (!join_group_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::response);
    }
    const bool flex = is_flexible(key, version);
    if (version >= 2) out.throttle_time_ms = r.int32();
    out.error_code = r.int16();
    out.generation_id = r.int32();
    if (version >= 7) {
        out.protocol_type = detail::read_nullable_string(r, flex);
        out.protocol_name = detail::read_nullable_string(r, flex);
    } else {
        out.protocol_name = detail::read_string(r, flex);
    }
    out.leader = detail::read_string(r, flex);
    if (version >= 9) out.skip_assignment = r.boolean();
    out.member_id = detail::read_string(r, flex);
    detail::read_array(r, out.members, flex ? 3 : 6, flex, [&](join_group_member& m) {
        m.member_id = detail::read_string(r, flex);
        if (version >= 5) m.group_instance_id = detail::read_nullable_string(r, flex);
        m.metadata = detail::read_bytes(r, flex);
        detail::skip_tags(r, flex);
    });
    detail::skip_tags(r, flex);
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
