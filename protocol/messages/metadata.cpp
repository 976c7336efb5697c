// Metadata codecs.
#include "protocol/messages/metadata.hpp"

#include "protocol/messages/codec_util.hpp"
#include "protocol/messages/flexible_fields.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::metadata;
using detail::direction;

bool has_cluster_operations(std::int16_t version)
{
    return version >= 8 && version <= 10;
}

// A requested topic: its name (v10+ after a topic id we leave zero) and, when flexible, tags.
void write_requested_topic(wire::writer& w, const std::string& name, std::int16_t version)
{
    const bool flex = is_flexible(key, version);
    if (version >= 10) write_topic_id(w, zero_topic_id);
    detail::write_string(w, name, flex);
    detail::write_tags(w, flex);
}

std::string read_requested_topic(wire::reader& r, std::int16_t version)
{
    const bool flex = is_flexible(key, version);
    if (version >= 10) (void)read_topic_id(r);
    std::string name = version >= 10 ? detail::read_nullable_string(r, flex).value_or("")
                                     : detail::read_string(r, flex);
    detail::skip_tags(r, flex);
    return name;
}

} // namespace

void encode(wire::writer& w, const metadata_request& r, std::int16_t version)
{
    assert(metadata_versions.contains(version));
    const bool flex = is_flexible(key, version);
    if (r.topics) {
        detail::write_array(w, *r.topics, flex, [&](const std::string& t) { write_requested_topic(w, t, version); });
    } else if (version >= 1) {
        detail::write_null_array(w, flex);
    } else {
        w.int32(0); // v0 has no null array: empty means every topic
    }
    if (version >= 4) w.boolean(r.allow_auto_topic_creation);
    if (has_cluster_operations(version)) w.boolean(r.include_cluster_authorized_operations);
    if (version >= 8) w.boolean(r.include_topic_authorized_operations);
    detail::write_tags(w, flex);
}

std::optional<wire::decode_error> decode(wire::reader& r, metadata_request& out, std::int16_t version)
{
    out = {};
    if (!metadata_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::request);
    }
    const bool flex = is_flexible(key, version);
    const auto read_topic = [&](std::string& t) { t = read_requested_topic(r, version); };
    if (version >= 1) {
        detail::read_nullable_array(r, out.topics, 1, flex, read_topic);
    } else {
        detail::read_array(r, out.topics.emplace(), 2, flex, read_topic);
    }
    if (version >= 4) out.allow_auto_topic_creation = r.boolean();
    if (has_cluster_operations(version)) out.include_cluster_authorized_operations = r.boolean();
    if (version >= 8) out.include_topic_authorized_operations = r.boolean();
    detail::skip_tags(r, flex);
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const metadata_response& r, std::int16_t version)
{
    assert(metadata_versions.contains(version));
    const bool flex = is_flexible(key, version);
    if (version >= 3) w.int32(r.throttle_time_ms);
    detail::write_array(w, r.brokers, flex, [&](const metadata_broker& b) {
        w.int32(b.node_id);
        detail::write_string(w, b.host, flex);
        w.int32(b.port);
        if (version >= 1) detail::write_nullable_string(w, b.rack, flex);
        detail::write_tags(w, flex);
    });
    if (version >= 2) detail::write_nullable_string(w, r.cluster_id, flex);
    if (version >= 1) w.int32(r.controller_id);
    detail::write_array(w, r.topics, flex, [&](const metadata_topic& t) {
        w.int16(t.error_code);
        detail::write_string(w, t.name, flex);
        if (version >= 10) write_topic_id(w, t.topic_id);
        if (version >= 1) w.boolean(t.is_internal);
        detail::write_array(w, t.partitions, flex, [&](const metadata_partition& p) {
            w.int16(p.error_code);
            w.int32(p.partition_index);
            w.int32(p.leader_id);
            if (version >= 7) w.int32(p.leader_epoch);
            detail::write_int32s(w, p.replica_nodes, flex);
            detail::write_int32s(w, p.isr_nodes, flex);
            if (version >= 5) detail::write_int32s(w, p.offline_replicas, flex);
            detail::write_tags(w, flex);
        });
        if (version >= 8) w.int32(t.topic_authorized_operations);
        detail::write_tags(w, flex);
    });
    if (has_cluster_operations(version)) w.int32(r.cluster_authorized_operations);
    detail::write_tags(w, flex);
}

std::optional<wire::decode_error> decode(wire::reader& r, metadata_response& out, std::int16_t version)
{
    out = {};
    if (!metadata_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::response);
    }
    const bool flex = is_flexible(key, version);
    if (version >= 3) out.throttle_time_ms = r.int32();
    detail::read_array(r, out.brokers, 10, flex, [&](metadata_broker& b) {
        b.node_id = r.int32();
        b.host = detail::read_string(r, flex);
        b.port = r.int32();
        if (version >= 1) b.rack = detail::read_nullable_string(r, flex);
        detail::skip_tags(r, flex);
    });
    if (version >= 2) out.cluster_id = detail::read_nullable_string(r, flex);
    if (version >= 1) out.controller_id = r.int32();
    detail::read_array(r, out.topics, flex ? 5 : 8, flex, [&](metadata_topic& t) {
        t.error_code = r.int16();
        t.name = version >= 12 ? detail::read_nullable_string(r, flex).value_or("") : detail::read_string(r, flex);
        if (version >= 10) t.topic_id = read_topic_id(r);
        if (version >= 1) t.is_internal = r.boolean();
        detail::read_array(r, t.partitions, flex ? 13 : 18, flex, [&](metadata_partition& p) {
            p.error_code = r.int16();
            p.partition_index = r.int32();
            p.leader_id = r.int32();
            if (version >= 7) p.leader_epoch = r.int32();
            detail::read_int32s(r, p.replica_nodes, flex);
            detail::read_int32s(r, p.isr_nodes, flex);
            if (version >= 5) detail::read_int32s(r, p.offline_replicas, flex);
            detail::skip_tags(r, flex);
        });
        if (version >= 8) t.topic_authorized_operations = r.int32();
        detail::skip_tags(r, flex);
    });
    if (has_cluster_operations(version)) out.cluster_authorized_operations = r.int32();
    detail::skip_tags(r, flex);
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
