// Kafka API keys used by this client, with their protocol names for error messages.
#pragma once

#include <cstdint>
#include <string_view>

namespace kspout::wire {

enum class api_key : std::int16_t {
    produce = 0,
    fetch = 1,
    list_offsets = 2,
    metadata = 3,
    offset_commit = 8,
    offset_fetch = 9,
    find_coordinator = 10,
    join_group = 11,
    heartbeat = 12,
    leave_group = 13,
    sync_group = 14,
    sasl_handshake = 17,
    api_versions = 18,
    init_producer_id = 22,
    sasl_authenticate = 36,
    consumer_group_heartbeat = 68,
};

constexpr std::string_view api_name(api_key key) noexcept
{
    switch (key) {
    case api_key::produce: return "Produce";
    case api_key::fetch: return "Fetch";
    case api_key::list_offsets: return "ListOffsets";
    case api_key::metadata: return "Metadata";
    case api_key::offset_commit: return "OffsetCommit";
    case api_key::offset_fetch: return "OffsetFetch";
    case api_key::find_coordinator: return "FindCoordinator";
    case api_key::join_group: return "JoinGroup";
    case api_key::heartbeat: return "Heartbeat";
    case api_key::leave_group: return "LeaveGroup";
    case api_key::sync_group: return "SyncGroup";
    case api_key::sasl_handshake: return "SaslHandshake";
    case api_key::api_versions: return "ApiVersions";
    case api_key::init_producer_id: return "InitProducerId";
    case api_key::sasl_authenticate: return "SaslAuthenticate";
    case api_key::consumer_group_heartbeat: return "ConsumerGroupHeartbeat";
    }
    return "Unknown";
}

} // namespace kspout::wire
