// ConsumerGroupHeartbeat codecs.
#include "protocol/messages/consumer_group_heartbeat.hpp"

#include "protocol/messages/codec_util.hpp"
#include "protocol/messages/flexible_fields.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::consumer_group_heartbeat;
constexpr bool flex = true; // every version
using detail::direction;
using topic_partitions = std::vector<consumer_group_topic_partitions>;

// Each element: a 16-byte id, a compact array length and its tagged fields.
constexpr std::size_t min_topic_partitions_size = 18;

void write_topic_partitions(wire::writer& w, const std::optional<topic_partitions>& topics)
{
    detail::write_nullable_array(w, topics, flex, [&](const consumer_group_topic_partitions& t) {
        write_topic_id(w, t.topic_id);
        detail::write_int32s(w, t.partitions, flex);
        detail::write_tags(w, flex);
    });
}

void read_topic_partitions(wire::reader& r, std::optional<topic_partitions>& out)
{
    detail::read_nullable_array(r, out, min_topic_partitions_size, flex, [&](consumer_group_topic_partitions& t) {
        t.topic_id = read_topic_id(r);
        detail::read_int32s(r, t.partitions, flex);
        detail::skip_tags(r, flex);
    });
}

} // namespace

void encode(wire::writer& w, const consumer_group_heartbeat_request& r, std::int16_t version)
{
    assert(consumer_group_heartbeat_versions.contains(version));
    detail::write_string(w, r.group_id, flex);
    detail::write_string(w, r.member_id, flex);
    w.int32(r.member_epoch);
    detail::write_nullable_string(w, r.instance_id, flex);
    detail::write_nullable_string(w, r.rack_id, flex);
    w.int32(r.rebalance_timeout_ms);
    detail::write_nullable_array(w, r.subscribed_topic_names, flex,
                                 [&](const std::string& name) { detail::write_string(w, name, flex); });
    if (version >= 1) detail::write_nullable_string(w, r.subscribed_topic_regex, flex);
    detail::write_nullable_string(w, r.server_assignor, flex);
    write_topic_partitions(w, r.topic_partitions);
    detail::write_tags(w, flex);
}

std::optional<wire::decode_error> decode(wire::reader& r, consumer_group_heartbeat_request& out, std::int16_t version)
{
    out = {};
    if (!consumer_group_heartbeat_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::request);
    }
    out.group_id = detail::read_string(r, flex);
    out.member_id = detail::read_string(r, flex);
    out.member_epoch = r.int32();
    out.instance_id = detail::read_nullable_string(r, flex);
    out.rack_id = detail::read_nullable_string(r, flex);
    out.rebalance_timeout_ms = r.int32();
    detail::read_nullable_array(r, out.subscribed_topic_names, 1, flex,
                                [&](std::string& name) { name = detail::read_string(r, flex); });
    if (version >= 1) out.subscribed_topic_regex = detail::read_nullable_string(r, flex);
    out.server_assignor = detail::read_nullable_string(r, flex);
    read_topic_partitions(r, out.topic_partitions);
    detail::skip_tags(r, flex);
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const consumer_group_heartbeat_response& r, [[maybe_unused]] std::int16_t version)
{
    assert(consumer_group_heartbeat_versions.contains(version));
    w.int32(r.throttle_time_ms);
    w.int16(r.error_code);
    detail::write_nullable_string(w, r.error_message, flex);
    detail::write_nullable_string(w, r.member_id, flex);
    w.int32(r.member_epoch);
    w.int32(r.heartbeat_interval_ms);
    // Assignment is a nullable struct: int8 -1 for null, else 1 and its fields (a non-null array).
    if (r.assignment) {
        w.int8(1);
        write_topic_partitions(w, r.assignment);
        detail::write_tags(w, flex);
    } else {
        w.int8(-1);
    }
    detail::write_tags(w, flex);
}

std::optional<wire::decode_error> decode(wire::reader& r, consumer_group_heartbeat_response& out, std::int16_t version)
{
    out = {};
    if (!consumer_group_heartbeat_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::response);
    }
    out.throttle_time_ms = r.int32();
    out.error_code = r.int16();
    out.error_message = detail::read_nullable_string(r, flex);
    out.member_id = detail::read_nullable_string(r, flex);
    out.member_epoch = r.int32();
    out.heartbeat_interval_ms = r.int32();
    if (r.int8() >= 0) { // a negative marker is null, as Kafka's generated readers take it
        read_topic_partitions(r, out.assignment);
        if (!out.assignment) r.fail(wire::errc::bad_length); // the struct's array is not nullable
        detail::skip_tags(r, flex);
    }
    detail::skip_tags(r, flex);
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
