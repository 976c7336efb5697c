// OffsetFetch codecs.
#include "protocol/messages/offset_fetch.hpp"

#include "protocol/messages/codec_util.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::offset_fetch;
using detail::direction;

void read_topic(wire::reader& r, offset_fetch_topic& t)
{
    t.name = detail::read_string(r);
    detail::read_int32s(r, t.partition_indexes);
}

} // namespace

void encode(wire::writer& w, const offset_fetch_request& r, std::int16_t version)
{
    assert(offset_fetch_versions.contains(version));
    w.string(r.group_id);
    if (r.topics) {
        detail::write_array(w, *r.topics, [&](const offset_fetch_topic& t) {
            w.string(t.name);
            detail::write_int32s(w, t.partition_indexes);
        });
    } else {
        w.int32(version >= 2 ? -1 : 0);
    }
}

std::optional<wire::decode_error> decode(wire::reader& r, offset_fetch_request& out, std::int16_t version)
{
    out = {};
    if (!offset_fetch_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::request);
    }
    out.group_id = detail::read_string(r);
    if (version >= 2) {
        if (auto n = detail::nullable_array_length(r, 6)) {
            out.topics.emplace();
            out.topics->reserve(*n);
            for (std::size_t i = 0; i < *n && r.ok(); ++i) {
                read_topic(r, out.topics->emplace_back());
            }
        }
    } else {
        out.topics.emplace();
        detail::read_array(r, *out.topics, 6, [&](offset_fetch_topic& t) { read_topic(r, t); });
    }
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const offset_fetch_response& r, std::int16_t version)
{
    assert(offset_fetch_versions.contains(version));
    if (version >= 3) w.int32(r.throttle_time_ms);
    detail::write_array(w, r.topics, [&](const offset_fetch_topic_response& t) {
        w.string(t.name);
        detail::write_array(w, t.partitions, [&](const offset_fetch_partition_response& p) {
            w.int32(p.partition_index);
            w.int64(p.committed_offset);
            if (version >= 5) w.int32(p.committed_leader_epoch);
            detail::write_nullable_string(w, p.metadata);
            w.int16(p.error_code);
        });
    });
    if (version >= 2) w.int16(r.error_code);
}

std::optional<wire::decode_error> decode(wire::reader& r, offset_fetch_response& out, std::int16_t version)
{
    out = {};
    if (!offset_fetch_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::response);
    }
    if (version >= 3) out.throttle_time_ms = r.int32();
    detail::read_array(r, out.topics, 6, [&](offset_fetch_topic_response& t) {
        t.name = detail::read_string(r);
        detail::read_array(r, t.partitions, 16, [&](offset_fetch_partition_response& p) {
            p.partition_index = r.int32();
            p.committed_offset = r.int64();
            if (version >= 5) p.committed_leader_epoch = r.int32();
            p.metadata = detail::read_nullable_string(r);
            p.error_code = r.int16();
        });
    });
    if (version >= 2) out.error_code = r.int16();
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
