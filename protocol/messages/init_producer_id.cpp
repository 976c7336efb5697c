// InitProducerId codecs.
#include "protocol/messages/init_producer_id.hpp"

#include "protocol/messages/codec_util.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::init_producer_id;
using detail::direction;

} // namespace

void encode(wire::writer& w, const init_producer_id_request& r, std::int16_t version)
{
    assert(init_producer_id_versions.contains(version));
    (void)version;
    detail::write_nullable_string(w, r.transactional_id);
    w.int32(r.transaction_timeout_ms);
}

std::optional<wire::decode_error> decode(wire::reader& r, init_producer_id_request& out, std::int16_t version)
{
    out = {};
    if (!init_producer_id_versions.contains(version)) return detail::unsupported(r, key, version, direction::request);
    out.transactional_id = detail::read_nullable_string(r);
    out.transaction_timeout_ms = r.int32();
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const init_producer_id_response& r, std::int16_t version)
{
    assert(init_producer_id_versions.contains(version));
    (void)version;
    w.int32(r.throttle_time_ms);
    w.int16(r.error_code);
    w.int64(r.producer_id);
    w.int16(r.producer_epoch);
}

std::optional<wire::decode_error> decode(wire::reader& r, init_producer_id_response& out, std::int16_t version)
{
    out = {};
    if (!init_producer_id_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::response);
    }
    out.throttle_time_ms = r.int32();
    out.error_code = r.int16();
    out.producer_id = r.int64();
    out.producer_epoch = r.int16();
    return detail::result(r, key, version, direction::response);
}

} // namespace kspout::messages
