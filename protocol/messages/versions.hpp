// API version ranges: what we implement, what a broker offers, and the version chosen for each API.
#pragma once

#include "protocol/wire/api_key.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>

namespace kspout::messages {

struct version_range {
    std::int16_t min = 0;
    std::int16_t max = 0;

    bool contains(std::int16_t version) const noexcept { return version >= min && version <= max; }
    friend bool operator==(const version_range&, const version_range&) = default;
};

// Per API, an inclusive [min, max]. An API missing from a table is not supported by that side.
using version_table = std::map<wire::api_key, version_range>;

// Per API, the highest version the caller allows, for brokers with a known bug in a version they
// advertise (the librdkafka 2.0.2 mock writes an 8-byte leader epoch in ListOffsets v4/v5).
using version_caps = std::map<wire::api_key, std::int16_t>;

struct negotiated_versions {
    std::map<wire::api_key, std::int16_t> chosen; // only the APIs both sides can use

    // The version to send, or nullopt if the API is unusable with this broker.
    std::optional<std::int16_t> version(wire::api_key key) const;
    bool usable(wire::api_key key) const { return version(key).has_value(); }
};

// The versions this library implements (see each codec's header).
const version_table& implemented_versions();

// The highest version in both ranges (and not above cap), or nullopt if they do not overlap.
std::optional<std::int16_t> choose_version(version_range ours, version_range broker,
                                           std::optional<std::int16_t> cap = std::nullopt);

// Negotiates every API in `ours`; APIs the broker does not list are left out.
negotiated_versions negotiate(const version_table& ours, const version_table& broker,
                              const version_caps& caps = {});

// What a broker that does not answer ApiVersions supports, chosen by the `broker.version`
// setting: "0.8.2", "0.9.0" or "0.10.0". Any other string gives nullopt.
std::optional<version_table> fallback_versions(std::string_view broker_version);

// The first version of an API in the flexible form (KIP-482: compact strings and arrays, tagged
// fields, request header v2), from the message specs' flexibleVersions; nullopt if it has none.
std::optional<std::int16_t> first_flexible_version(wire::api_key key) noexcept;
bool is_flexible(wire::api_key key, std::int16_t version) noexcept;
// Flexible responses start with response header v1 (tagged fields after the correlation id),
// except ApiVersions: a client reads that answer before it knows the broker's versions, so its
// header stays v0 at every version.
bool flexible_response_header(wire::api_key key, std::int16_t version) noexcept;

// The record format a Produce version carries: v0-1 message set v0, v2 v1, v3+ record batch v2.
std::int8_t message_format_magic(std::int16_t produce_version) noexcept;

} // namespace kspout::messages
