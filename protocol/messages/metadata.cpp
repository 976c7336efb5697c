// Metadata codecs.
#include "protocol/messages/metadata.hpp"

#include "protocol/messages/codec_util.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::metadata;
using detail::direction;

} // namespace

void encode(wire::writer& w, const metadata_request& r, std::int16_t version)
{
    assert(metadata_versions.contains(version));
    if (r.topics) {
        detail::write_array(w, *r.topics, [&](const std::string& t) { w.string(t); });
    } else {
        w.int32(version >= 1 ? -1 : 0);
    }
    if (version >= 4) w.boolean(r.allow_auto_topic_creation);
    if (version >= 8) {
        w.boolean(r.include_cluster_authorized_operations);
        w.boolean(r.include_topic_authorized_operations);
    }
}

std::optional<wire::decode_error> decode(wire::reader& r, metadata_request& out, std::int16_t version)
{
    out = {};
    if (!metadata_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::request);
    }
    if (version >= 1) {
        if (auto n = detail::nullable_array_length(r, 2)) {
            out.topics.emplace();
            out.topics->reserve(*n);
            for (std::size_t i = 0; i < *n && r.ok(); ++i) {
                out.topics->push_back(detail::read_string(r));
            }
        }
    } else {
        out.topics.emplace();
        detail::read_array(r, *out.topics, 2, [&](std::string& t) { t = detail::read_string(r); });
    }
    if (version >= 4) out.allow_auto_topic_creation = r.boolean();
    if (version >= 8) {
        out.include_cluster_authorized_operations = r.boolean();
        out.include_topic_authorized_operations = r.boolean();
    }
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const metadata_response& r, std::int16_t version)
{
    assert(metadata_versions.contains(version));
    if (version >= 3) w.int32(r.throttle_time_ms);
    detail::write_array(w, r.brokers, [&](const metadata_broker& b) {
        w.int32(b.node_id);
        w.string(b.host);
        w.int32(b.port);
        if (version >= 1) detail::write_nullable_string(w, b.rack);
    });
    if (version >= 2) detail::write_nullable_string(w, r.cluster_id);
    if (version >= 1) w.int32(r.controller_id);
    detail::write_array(w, r.topics, [&](const metadata_topic& t) {
        w.int16(t.error_code);
        w.string(t.name);
        if (version >= 1) w.boolean(t.is_internal);
        detail::write_array(w, t.partitions, [&](const metadata_partition& p) {
            w.int16(p.error_code);
            w.int32(p.partition_index);
            w.int32(p.leader_id);
            if (version >= 7) w.int32(p.leader_epoch);
            detail::write_int32s(w, p.replica_nodes);
            detail::write_int32s(w, p.isr_nodes);
            if (version >= 5) detail::write_int32s(w, p.offline_replicas);
        });
        if (version >= 8) w.int32(t.topic_authorized_operations);
    });
    if (version >= 8) w.int32(r.cluster_authorized_operations);
}

std::optional<wire::decode_error> decode(wire::reader& r, metadata_response& out, std::int16_t version)
{
    out = {};
    if (!metadata_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::response);
    }
    if (version >= 3) out.throttle_time_ms = r.int32();
    detail::read_array(r, out.brokers, 10, [&](metadata_broker& b) {
        b.node_id = r.int32();
        b.host = detail::read_string(r);
        b.port = r.int32();
        if (version >= 1) b.rack = detail::read_nullable_string(r);
    });
    if (version >= 2) out.cluster_id = detail::read_nullable_string(r);
    if (version >= 1) out.controller_id = r.int32();
    detail::read_array(r, out.topics, 8, [&](metadata_topic& t) {
        t.error_code = r.int16();
        t.name = detail::read_string(r);
        if (version >= 1) t.is_internal = r.boolean();
        detail::read_array(r, t.partitions, 18, [&](metadata_partition& p) {
            p.error_code = r.int16();
            p.partition_index = r.int32();
            p.leader_id = r.int32();
            if (version >= 7) p.leader_epoch = r.int32();
            detail::read_int32s(r, p.replica_nodes);
            detail::read_int32s(r, p.isr_nodes);
            if (version >= 5) detail::read_int32s(r, p.offline_replicas);
        });
        if (version >= 8) t.topic_authorized_operations = r.int32();
    });
    if (version >= 8) out.cluster_authorized_operations = r.int32();
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
