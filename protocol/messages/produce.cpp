// Produce codecs.
#include "protocol/messages/produce.hpp"

#include "protocol/messages/codec_util.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::produce;
using detail::direction;

} // namespace

bool operator==(const produce_partition_data& a, const produce_partition_data& b)
{
    return a.partition_index == b.partition_index && detail::same_bytes(a.records, b.records);
}

void encode(wire::writer& w, const produce_request& r, std::int16_t version)
{
    encode(w, r, version, [](wire::writer& out, const produce_topic_data&, const produce_partition_data& p) {
        out.raw(p.records);
    });
}

void encode(wire::writer& w, const produce_request& r, std::int16_t version, const records_writer& write_records)
{
    assert(produce_versions.contains(version));
    if (version >= 3) detail::write_nullable_string(w, r.transactional_id);
    w.int16(r.acks);
    w.int32(r.timeout_ms);
    detail::write_array(w, r.topics, [&](const produce_topic_data& t) {
        w.string(t.name);
        detail::write_array(w, t.partitions, [&](const produce_partition_data& p) {
            w.int32(p.partition_index);
            std::size_t size_at = w.reserve_int32();
            write_records(w, t, p);
            w.patch_size_since(size_at);
        });
    });
}

std::optional<wire::decode_error> decode(wire::reader& r, produce_request& out, std::int16_t version)
{
    out = {};
    if (!produce_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::request);
    }
    if (version >= 3) out.transactional_id = detail::read_nullable_string(r);
    out.acks = r.int16();
    out.timeout_ms = r.int32();
    detail::read_array(r, out.topics, 6, [&](produce_topic_data& t) {
        t.name = detail::read_string(r);
        detail::read_array(r, t.partitions, 8, [&](produce_partition_data& p) {
            p.partition_index = r.int32();
            p.records = r.nullable_bytes().value_or(wire::bytes_view{});
        });
    });
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const produce_response& r, std::int16_t version)
{
    assert(produce_versions.contains(version));
    detail::write_array(w, r.topics, [&](const produce_topic_response& t) {
        w.string(t.name);
        detail::write_array(w, t.partitions, [&](const produce_partition_response& p) {
            w.int32(p.partition_index);
            w.int16(p.error_code);
            w.int64(p.base_offset);
            if (version >= 2) w.int64(p.log_append_time_ms);
            if (version >= 5) w.int64(p.log_start_offset);
            if (version >= 8) {
                detail::write_array(w, p.record_errors, [&](const produce_record_error& e) {
                    w.int32(e.batch_index);
                    detail::write_nullable_string(w, e.message);
                });
                detail::write_nullable_string(w, p.error_message);
            }
        });
    });
    if (version >= 1) w.int32(r.throttle_time_ms);
}

std::optional<wire::decode_error> decode(wire::reader& r, produce_response& out, std::int16_t version)
{
    out = {};
    if (!produce_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::response);
    }
    detail::read_array(r, out.topics, 6, [&](produce_topic_response& t) {
        t.name = detail::read_string(r);
        detail::read_array(r, t.partitions, 14, [&](produce_partition_response& p) {
            p.partition_index = r.int32();
            p.error_code = r.int16();
            p.base_offset = r.int64();
            if (version >= 2) p.log_append_time_ms = r.int64();
            if (version >= 5) p.log_start_offset = r.int64();
            if (version >= 8) {
                detail::read_array(r, p.record_errors, 6, [&](produce_record_error& e) {
                    e.batch_index = r.int32();
                    e.message = detail::read_nullable_string(r);
                });
                p.error_message = detail::read_nullable_string(r);
            }
        });
    });
    if (version >= 1) out.throttle_time_ms = r.int32();
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
