// Version negotiation, the fallback tables for pre-ApiVersions brokers, and derived choices.
#include "protocol/messages/versions.hpp"

#include "protocol/messages/api_versions.hpp"
#include "protocol/messages/consumer_group_heartbeat.hpp"
#include "protocol/messages/fetch.hpp"
#include "protocol/messages/find_coordinator.hpp"
#include "protocol/messages/heartbeat.hpp"
#include "protocol/messages/init_producer_id.hpp"
#include "protocol/messages/join_group.hpp"
#include "protocol/messages/leave_group.hpp"
#include "protocol/messages/list_offsets.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/messages/offset_commit.hpp"
#include "protocol/messages/offset_fetch.hpp"
#include "protocol/messages/produce.hpp"
#include "protocol/messages/sasl_authenticate.hpp"
#include "protocol/messages/sasl_handshake.hpp"
#include "protocol/messages/sync_group.hpp"

#include <algorithm>

namespace kspout::messages {

using wire::api_key;

std::optional<std::int16_t> negotiated_versions::version(wire::api_key key) const
{
    auto it = chosen.find(key);
    if (it == chosen.end()) return std::nullopt;
    return it->second;
}

const version_table& implemented_versions()
{
    static const version_table table{
        {api_key::produce, produce_versions},
        {api_key::fetch, fetch_versions},
        {api_key::list_offsets, list_offsets_versions},
        // Metadata and OffsetCommit stay below their flexible versions while the request
        // pipeline writes request header v1 only; raise them to metadata_versions and
        // offset_commit_versions once it frames is_flexible() requests with header v2.
        {api_key::metadata, {metadata_versions.min, 8}},
        {api_key::offset_commit, {offset_commit_versions.min, 7}},
        {api_key::offset_fetch, offset_fetch_versions},
        {api_key::find_coordinator, find_coordinator_versions},
        {api_key::join_group, join_group_versions},
        {api_key::heartbeat, heartbeat_versions},
        {api_key::leave_group, leave_group_versions},
        {api_key::sync_group, sync_group_versions},
        {api_key::api_versions, api_versions_versions},
        {api_key::sasl_handshake, sasl_handshake_versions},
        {api_key::sasl_authenticate, sasl_authenticate_versions},
        {api_key::init_producer_id, init_producer_id_versions},
        {api_key::consumer_group_heartbeat, consumer_group_heartbeat_versions},
    };
    return table;
}

std::optional<std::int16_t> choose_version(version_range ours, version_range broker,
                                           std::optional<std::int16_t> cap)
{
    std::int16_t high = std::min(ours.max, broker.max);
    if (cap) high = std::min(high, *cap);
    if (high < std::max(ours.min, broker.min)) return std::nullopt;
    return high;
}

negotiated_versions negotiate(const version_table& ours, const version_table& broker,
                              const version_caps& caps)
{
    negotiated_versions result;
    for (const auto& [key, range] : ours) {
        auto offered = broker.find(key);
        if (offered == broker.end()) continue;
        std::optional<std::int16_t> cap;
        if (auto c = caps.find(key); c != caps.end()) cap = c->second;
        if (auto v = choose_version(range, offered->second, cap)) result.chosen.emplace(key, *v);
    }
    return result;
}

std::optional<version_table> fallback_versions(std::string_view broker_version)
{
    // From the protocol definitions of each release; the same tables librdkafka keeps for
    // broker.version.fallback. OffsetCommit/OffsetFetch v0 store offsets in ZooKeeper, v1 in Kafka.
    version_table table{
        {api_key::produce, {0, 0}},
        {api_key::fetch, {0, 0}},
        {api_key::list_offsets, {0, 0}},
        {api_key::metadata, {0, 0}},
        {api_key::offset_commit, {0, 1}},
        {api_key::offset_fetch, {0, 1}},
        {api_key::find_coordinator, {0, 0}},
    };
    if (broker_version == "0.8.2") return table;

    table[api_key::produce] = {0, 1};
    table[api_key::fetch] = {0, 1};
    table[api_key::offset_commit] = {0, 2};
    table[api_key::join_group] = {0, 0};
    table[api_key::heartbeat] = {0, 0};
    table[api_key::leave_group] = {0, 0};
    table[api_key::sync_group] = {0, 0};
    if (broker_version == "0.9.0") return table;

    table[api_key::produce] = {0, 2};
    table[api_key::fetch] = {0, 2};
    table[api_key::metadata] = {0, 1};
    table[api_key::api_versions] = {0, 0};
    if (broker_version == "0.10.0") return table;

    return std::nullopt;
}

std::optional<std::int16_t> first_flexible_version(wire::api_key key) noexcept
{
    switch (key) {
    case api_key::produce: return 9;
    case api_key::fetch: return 12;
    case api_key::list_offsets: return 6;
    case api_key::metadata: return 9;
    case api_key::offset_commit: return 8;
    case api_key::offset_fetch: return 6;
    case api_key::find_coordinator: return 3;
    case api_key::join_group: return 6;
    case api_key::heartbeat: return 4;
    case api_key::leave_group: return 4;
    case api_key::sync_group: return 4;
    case api_key::sasl_handshake: return std::nullopt;
    case api_key::api_versions: return 3;
    case api_key::init_producer_id: return 2;
    case api_key::sasl_authenticate: return 2;
    case api_key::consumer_group_heartbeat: return 0;
    }
    return std::nullopt;
}

bool is_flexible(wire::api_key key, std::int16_t version) noexcept
{
    auto first = first_flexible_version(key);
    return first && version >= *first;
}

bool flexible_response_header(wire::api_key key, std::int16_t version) noexcept
{
    return key != api_key::api_versions && is_flexible(key, version);
}

std::int8_t message_format_magic(std::int16_t produce_version) noexcept
{
    if (produce_version <= 1) return 0;
    if (produce_version == 2) return 1;
    return 2;
}

} // namespace kspout::messages
