// ApiVersions codecs.
#include "protocol/messages/api_versions.hpp"

#include "protocol/messages/codec_util.hpp"

#include <cassert>

namespace kspout::messages {
namespace {

constexpr auto key = wire::api_key::api_versions;
using detail::direction;

} // namespace

void encode(wire::writer&, const api_versions_request&, [[maybe_unused]] std::int16_t version)
{
    assert(api_versions_versions.contains(version));
}

std::optional<wire::decode_error> decode(wire::reader& r, api_versions_request& out, std::int16_t version)
{
    if (!api_versions_versions.contains(version)) {
        return detail::unsupported(r, key, version, direction::request);
    }
    out = {};
    return detail::result(r, key, version, direction::request);
}

void encode(wire::writer& w, const api_versions_response& r, std::int16_t version)
{
    assert(api_versions_versions.contains(version));
    w.int16(r.error_code);
    detail::write_array(w, r.api_keys, [&](const api_version_entry& e) {
        w.int16(e.api_key);
        w.int16(e.min_version);
        w.int16(e.max_version);
    });
    if (version >= 1) w.int32(r.throttle_time_ms);
}

std::optional<wire::decode_error> decode(wire::reader& r, api_versions_response& out, std::int16_t version)
{
    out = {};
    if (version > api_versions_versions.max) {
        out.error_code = r.int16();
        if (r.ok() && out.error_code == unsupported_version_error) {
            r.skip(r.remaining());
            return std::nullopt;
        }
        return detail::unsupported(r, key, version, direction::response);
    }
    if (version < api_versions_versions.min) {
        return detail::unsupported(r, key, version, direction::response);
    }
    out.error_code = r.int16();
    detail::read_array(r, out.api_keys, 6, [&](api_version_entry& e) {
        e.api_key = r.int16();
        e.min_version = r.int16();
        e.max_version = r.int16();
    });
    if (version >= 1) out.throttle_time_ms = r.int32();
    return detail::result(r, key, version, direction::response);
}

version_table broker_versions(const api_versions_response& r)
{
    version_table table;
    for (const api_version_entry& e : r.api_keys) {
        table[static_cast<wire::api_key>(e.api_key)] = {e.min_version, e.max_version};
    }
    return table;
}

} // namespace kspout::messages
