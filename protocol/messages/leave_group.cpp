// LeaveGroup codecs.
#include "protocol/messages/leave_group.hpp"

#include "protocol/messages/codec_util.hpp"
#include "protocol/messages/flexible_fields.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::leave_group;
using detail::direction;

} // namespace

void encode(wire::writer& w, const leave_group_request& r, std::int16_t version)
{
    assert(leave_group_versions.contains(version));
    const bool flex = is_flexible(key, version);
    detail::write_string(w, r.group_id, flex);
    if (version <= 2) {
        assert(r.members.size() == 1);
        w.string(r.members.empty() ? std::string() : r.members.front().member_id);
        return;
    }
    detail::write_array(w, r.members, flex, [&](const leave_group_member& m) {
        detail::write_string(w, m.member_id, flex);
        detail::write_nullable_string(w, m.group_instance_id, flex);
        if (version >= 5) detail::write_nullable_string(w, m.reason, flex);
        detail::write_tags(w, flex);
    });
    detail::write_tags(w, flex);
}

std::optional<wire::decode_error> decode(wire::reader& r, leave_group_request& out, std::int16_t version)
{
    out = {};
    if (!leave_group_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::request);
    }
    const bool flex = is_flexible(key, version);
    out.group_id = detail::read_string(r, flex);
    if (version <= 2) {
        out.members.emplace_back().member_id = detail::read_string(r);
        return detail::result(r, key, version, direction::request);
    }
    detail::read_array(r, out.members, flex ? 3 : 4, flex, [&](leave_group_member& m) {
        m.member_id = detail::read_string(r, flex);
        m.group_instance_id = detail::read_nullable_string(r, flex);
        if (version >= 5) m.reason = detail::read_nullable_string(r, flex);
        detail::skip_tags(r, flex);
    });
    detail::skip_tags(r, flex);
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const leave_group_response& r, std::int16_t version)
{
    assert(leave_group_versions.contains(version));
    const bool flex = is_flexible(key, version);
    if (version >= 1) w.int32(r.throttle_time_ms);
    w.int16(r.error_code);
    if (version >= 3) {
        detail::write_array(w, r.members, flex, [&](const leave_group_member_response& m) {
            detail::write_string(w, m.member_id, flex);
            detail::write_nullable_string(w, m.group_instance_id, flex);
            w.int16(m.error_code);
            detail::write_tags(w, flex);
        });
    }
    detail::write_tags(w, flex);
}

std::optional<wire::decode_error> decode(wire::reader& r, leave_group_response& out, std::int16_t version)
{
    out = {};
    if (!leave_group_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::response);
    }
    const bool flex = is_flexible(key, version);
    if (version >= 1) out.throttle_time_ms = r.int32();
    out.error_code = r.int16();
    if (version >= 3) {
        detail::read_array(r, out.members, flex ? 5 : 6, flex, [&](leave_group_member_response& m) {
            m.member_id = detail::read_string(r, flex);
            m.group_instance_id = detail::read_nullable_string(r, flex);
            m.error_code = r.int16();
            detail::skip_tags(r, flex);
        });
    }
    detail::skip_tags(r, flex);
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
