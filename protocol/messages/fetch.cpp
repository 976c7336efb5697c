// Fetch codecs.
#include "protocol/messages/fetch.hpp"

#include "protocol/messages/codec_util.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::fetch;
using detail::direction;

} // namespace

bool operator==(const fetch_partition_response& a, const fetch_partition_response& b)
{
    return a.partition_index == b.partition_index && a.error_code == b.error_code
        && a.high_watermark == b.high_watermark && a.last_stable_offset == b.last_stable_offset
        && a.log_start_offset == b.log_start_offset
        && a.aborted_transactions == b.aborted_transactions
        && a.preferred_read_replica == b.preferred_read_replica
        && detail::same_bytes(a.records, b.records);
}

void encode(wire::writer& w, const fetch_request& r, std::int16_t version)
{
    assert(fetch_versions.contains(version));
    w.int32(r.replica_id);
    w.int32(r.max_wait_ms);
    w.int32(r.min_bytes);
    if (version >= 3) w.int32(r.max_bytes);
    if (version >= 4) w.int8(static_cast<std::int8_t>(r.isolation));
    if (version >= 7) {
        w.int32(r.session_id);
        w.int32(r.session_epoch);
    }
    detail::write_array(w, r.topics, [&](const fetch_topic& t) {
        w.string(t.name);
        detail::write_array(w, t.partitions, [&](const fetch_partition& p) {
            w.int32(p.partition_index);
            if (version >= 9) w.int32(p.current_leader_epoch);
            w.int64(p.fetch_offset);
            if (version >= 5) w.int64(p.log_start_offset);
            w.int32(p.max_bytes);
        });
    });
    if (version >= 7) {
        detail::write_array(w, r.forgotten, [&](const forgotten_topic& t) {
            w.string(t.name);
            detail::write_int32s(w, t.partitions);
        });
    }
    if (version >= 11) w.string(r.rack_id);
}

std::optional<wire::decode_error> decode(wire::reader& r, fetch_request& out, std::int16_t version)
{
    out = {};
    if (!fetch_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::request);
    }
    out.replica_id = r.int32();
    out.max_wait_ms = r.int32();
    out.min_bytes = r.int32();
    if (version >= 3) out.max_bytes = r.int32();
    if (version >= 4) out.isolation = static_cast<isolation_level>(r.int8());
    if (version >= 7) {
        out.session_id = r.int32();
        out.session_epoch = r.int32();
    }
    detail::read_array(r, out.topics, 6, [&](fetch_topic& t) {
        t.name = detail::read_string(r);
        detail::read_array(r, t.partitions, 16, [&](fetch_partition& p) {
            p.partition_index = r.int32();
            if (version >= 9) p.current_leader_epoch = r.int32();
            p.fetch_offset = r.int64();
            if (version >= 5) p.log_start_offset = r.int64();
            p.max_bytes = r.int32();
        });
    });
    if (version >= 7) {
        detail::read_array(r, out.forgotten, 6, [&](forgotten_topic& t) {
            t.name = detail::read_string(r);
            detail::read_int32s(r, t.partitions);
        });
    }
    if (version >= 11) out.rack_id = detail::read_string(r);
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const fetch_response& r, std::int16_t version)
{
    assert(fetch_versions.contains(version));
    if (version >= 1) w.int32(r.throttle_time_ms);
    if (version >= 7) {
        w.int16(r.error_code);
        w.int32(r.session_id);
    }
    detail::write_array(w, r.topics, [&](const fetch_topic_response& t) {
        w.string(t.name);
        detail::write_array(w, t.partitions, [&](const fetch_partition_response& p) {
            w.int32(p.partition_index);
            w.int16(p.error_code);
            w.int64(p.high_watermark);
            if (version >= 4) w.int64(p.last_stable_offset);
            if (version >= 5) w.int64(p.log_start_offset);
            if (version >= 4) {
                detail::write_array(w, p.aborted_transactions, [&](const aborted_transaction& a) {
                    w.int64(a.producer_id);
                    w.int64(a.first_offset);
                });
            }
            if (version >= 11) w.int32(p.preferred_read_replica);
            w.bytes(p.records);
        });
    });
}

std::optional<wire::decode_error> decode(wire::reader& r, fetch_response& out, std::int16_t version)
{
    out = {};
    if (!fetch_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::response);
    }
    if (version >= 1) out.throttle_time_ms = r.int32();
    if (version >= 7) {
        out.error_code = r.int16();
        out.session_id = r.int32();
    }
    detail::read_array(r, out.topics, 6, [&](fetch_topic_response& t) {
        t.name = detail::read_string(r);
        detail::read_array(r, t.partitions, 18, [&](fetch_partition_response& p) {
            p.partition_index = r.int32();
            p.error_code = r.int16();
            p.high_watermark = r.int64();
            if (version >= 4) p.last_stable_offset = r.int64();
            if (version >= 5) p.log_start_offset = r.int64();
            if (version >= 4) {
                detail::read_array(r, p.aborted_transactions, 16, [&](aborted_transaction& a) {
                    a.producer_id = r.int64();
                    a.first_offset = r.int64();
                });
            }
            if (version >= 11) p.preferred_read_replica = r.int32();
            p.records = r.nullable_bytes().value_or(wire::bytes_view{});
        });
    });
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
