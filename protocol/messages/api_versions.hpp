// ApiVersions (ApiVersionsRequest.json / ApiVersionsResponse.json) v0-2, plus the v3 error reply.
#pragma once

#include "protocol/messages/versions.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace kspout::messages {

inline constexpr version_range api_versions_versions{0, 2};

// Broker error 35: the reply a broker gives to an ApiVersions version it does not speak.
inline constexpr std::int16_t unsupported_version_error = 35;

struct api_versions_request { // no fields before v3
    friend bool operator==(const api_versions_request&, const api_versions_request&) = default;
};

struct api_version_entry {
    std::int16_t api_key = 0; // a raw key: brokers list APIs this client has no name for
    std::int16_t min_version = 0;
    std::int16_t max_version = 0;
    friend bool operator==(const api_version_entry&, const api_version_entry&) = default;
};

struct api_versions_response {
    std::int16_t error_code = 0;
    std::vector<api_version_entry> api_keys;
    std::int32_t throttle_time_ms = 0; // v1+
    friend bool operator==(const api_versions_response&, const api_versions_response&) = default;
};

void encode(wire::writer& w, const api_versions_request& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, api_versions_request& out, std::int16_t version);

// Versions 0-2 decode fully. For a v3+ request, a reply whose first int16 is 35 decodes to just
// that error code (the rest is skipped: brokers and the librdkafka mock fill it differently);
// any other v3+ reply is an unsupported_version error.
void encode(wire::writer& w, const api_versions_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, api_versions_response& out, std::int16_t version);

// True if the broker rejected the ApiVersions version and the request should be sent again as v0.
inline bool should_retry_with_v0(const api_versions_response& r)
{
    return r.error_code == unsupported_version_error;
}

// The broker's ranges as a table for negotiate().
version_table broker_versions(const api_versions_response& r);

} // namespace kspout::messages
