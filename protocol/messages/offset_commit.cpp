// OffsetCommit codecs.
#include "protocol/messages/offset_commit.hpp"

#include "protocol/messages/codec_util.hpp"
#include "protocol/messages/flexible_fields.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::offset_commit;
using detail::direction;

} // namespace

void encode(wire::writer& w, const offset_commit_request& r, std::int16_t version)
{
    assert(offset_commit_versions.contains(version));
    const bool flex = is_flexible(key, version);
    detail::write_string(w, r.group_id, flex);
    if (version >= 1) {
        w.int32(r.generation_id);
        detail::write_string(w, r.member_id, flex);
    }
    if (version >= 7) detail::write_nullable_string(w, r.group_instance_id, flex);
    if (version >= 2 && version <= 4) w.int64(r.retention_time_ms);
    detail::write_array(w, r.topics, flex, [&](const offset_commit_topic& t) {
        detail::write_string(w, t.name, flex);
        detail::write_array(w, t.partitions, flex, [&](const offset_commit_partition& p) {
            w.int32(p.partition_index);
            w.int64(p.committed_offset);
            if (version >= 6) w.int32(p.committed_leader_epoch);
            if (version == 1) w.int64(p.commit_timestamp);
            detail::write_nullable_string(w, p.committed_metadata, flex);
            detail::write_tags(w, flex);
        });
        detail::write_tags(w, flex);
    });
    detail::write_tags(w, flex);
}

std::optional<wire::decode_error> decode(wire::reader& r, offset_commit_request& out, std::int16_t version)
{
    out = {};
    if (!offset_commit_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::request);
    }
    const bool flex = is_flexible(key, version);
    out.group_id = detail::read_string(r, flex);
    if (version >= 1) {
        out.generation_id = r.int32();
        out.member_id = detail::read_string(r, flex);
    }
    if (version >= 7) out.group_instance_id = detail::read_nullable_string(r, flex);
    if (version >= 2 && version <= 4) out.retention_time_ms = r.int64();
    detail::read_array(r, out.topics, flex ? 3 : 6, flex, [&](offset_commit_topic& t) {
        t.name = detail::read_string(r, flex);
        detail::read_array(r, t.partitions, 13, flex, [&](offset_commit_partition& p) {
            p.partition_index = r.int32();
            p.committed_offset = r.int64();
            if (version >= 6) p.committed_leader_epoch = r.int32();
            if (version == 1) p.commit_timestamp = r.int64();
            p.committed_metadata = detail::read_nullable_string(r, flex);
            detail::skip_tags(r, flex);
        });
        detail::skip_tags(r, flex);
    });
    detail::skip_tags(r, flex);
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const offset_commit_response& r, std::int16_t version)
{
    assert(offset_commit_versions.contains(version));
    const bool flex = is_flexible(key, version);
    if (version >= 3) w.int32(r.throttle_time_ms);
    detail::write_array(w, r.topics, flex, [&](const offset_commit_topic_response& t) {
        detail::write_string(w, t.name, flex);
        detail::write_array(w, t.partitions, flex, [&](const offset_commit_partition_response& p) {
            w.int32(p.partition_index);
            w.int16(p.error_code);
            detail::write_tags(w, flex);
        });
        detail::write_tags(w, flex);
    });
    detail::write_tags(w, flex);
}

std::optional<wire::decode_error> decode(wire::reader& r, offset_commit_response& out, std::int16_t version)
{
    out = {};
    if (!offset_commit_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::response);
    }
    const bool flex = is_flexible(key, version);
    if (version >= 3) out.throttle_time_ms = r.int32();
    detail::read_array(r, out.topics, flex ? 3 : 6, flex, [&](offset_commit_topic_response& t) {
        t.name = detail::read_string(r, flex);
        detail::read_array(r, t.partitions, 6, flex, [&](offset_commit_partition_response& p) {
            p.partition_index = r.int32();
            p.error_code = r.int16();
            detail::skip_tags(r, flex);
        });
        detail::skip_tags(r, flex);
    });
    detail::skip_tags(r, flex);
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
