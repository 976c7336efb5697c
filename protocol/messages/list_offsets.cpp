// ListOffsets codecs.
#include "protocol/messages/list_offsets.hpp"

#include "protocol/messages/codec_util.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::list_offsets;
using detail::direction;

} // namespace

void encode(wire::writer& w, const list_offsets_request& r, std::int16_t version)
{
    assert(list_offsets_versions.contains(version));
    w.int32(r.replica_id);
    if (version >= 2) w.int8(static_cast<std::int8_t>(r.isolation));
    detail::write_array(w, r.topics, [&](const list_offsets_topic& t) {
        w.string(t.name);
        detail::write_array(w, t.partitions, [&](const list_offsets_partition& p) {
            w.int32(p.partition_index);
            if (version >= 4) w.int32(p.current_leader_epoch);
            w.int64(p.timestamp);
            if (version == 0) w.int32(p.max_num_offsets);
        });
    });
}

std::optional<wire::decode_error> decode(wire::reader& r, list_offsets_request& out, std::int16_t version)
{
    out = {};
    if (!list_offsets_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::request);
    }
    out.replica_id = r.int32();
    if (version >= 2) out.isolation = static_cast<isolation_level>(r.int8());
    detail::read_array(r, out.topics, 6, [&](list_offsets_topic& t) {
        t.name = detail::read_string(r);
        detail::read_array(r, t.partitions, 12, [&](list_offsets_partition& p) {
            p.partition_index = r.int32();
            if (version >= 4) p.current_leader_epoch = r.int32();
            p.timestamp = r.int64();
            if (version == 0) p.max_num_offsets = r.int32();
        });
    });
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const list_offsets_response& r, std::int16_t version)
{
    assert(list_offsets_versions.contains(version));
    if (version >= 2) w.int32(r.throttle_time_ms);
    detail::write_array(w, r.topics, [&](const list_offsets_topic_response& t) {
        w.string(t.name);
        detail::write_array(w, t.partitions, [&](const list_offsets_partition_response& p) {
            w.int32(p.partition_index);
            w.int16(p.error_code);
            if (version == 0) {
                detail::write_int64s(w, p.old_style_offsets);
            } else {
                w.int64(p.timestamp);
                w.int64(p.offset);
            }
            if (version >= 4) w.int32(p.leader_epoch);
        });
    });
}

std::optional<wire::decode_error> decode(wire::reader& r, list_offsets_response& out, std::int16_t version)
{
    out = {};
    if (!list_offsets_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::response);
    }
    if (version >= 2) out.throttle_time_ms = r.int32();
    detail::read_array(r, out.topics, 6, [&](list_offsets_topic_response& t) {
        t.name = detail::read_string(r);
        detail::read_array(r, t.partitions, 10, [&](list_offsets_partition_response& p) {
            p.partition_index = r.int32();
            p.error_code = r.int16();
            if (version == 0) {
                detail::read_int64s(r, p.old_style_offsets);
            } else {
                p.timestamp = r.int64();
                p.offset = r.int64();
            }
            if (version >= 4) p.leader_epoch = r.int32();
        });
    });
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
