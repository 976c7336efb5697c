// The broker error table: code, protocol name and client action for every code Kafka defines,
// the per-request overrides, and the broker error category.
#include "protocol/wire/broker_error.hpp"

#include "protocol/error/error_kind.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace kspout::wire {
namespace {

using enum error_action;

constexpr std::array table{
    broker_error_info{-1, "UNKNOWN_SERVER_ERROR", retry},
    broker_error_info{0, "NONE", none},
    broker_error_info{1, "OFFSET_OUT_OF_RANGE", reset_offset},
    broker_error_info{2, "CORRUPT_MESSAGE", fatal},
    broker_error_info{3, "UNKNOWN_TOPIC_OR_PARTITION", refresh_metadata},
    broker_error_info{4, "INVALID_FETCH_SIZE", fatal},
    broker_error_info{5, "LEADER_NOT_AVAILABLE", refresh_metadata},
    broker_error_info{6, "NOT_LEADER_OR_FOLLOWER", refresh_metadata},
    broker_error_info{7, "REQUEST_TIMED_OUT", retry},
    broker_error_info{8, "BROKER_NOT_AVAILABLE", refresh_metadata},
    broker_error_info{9, "REPLICA_NOT_AVAILABLE", refresh_metadata},
    broker_error_info{10, "MESSAGE_TOO_LARGE", fatal},
    broker_error_info{11, "STALE_CONTROLLER_EPOCH", retry},
    broker_error_info{12, "OFFSET_METADATA_TOO_LARGE", fatal},
    broker_error_info{13, "NETWORK_EXCEPTION", refresh_metadata},
    broker_error_info{14, "COORDINATOR_LOAD_IN_PROGRESS", retry},
    broker_error_info{15, "COORDINATOR_NOT_AVAILABLE", find_coordinator},
    broker_error_info{16, "NOT_COORDINATOR", find_coordinator},
    broker_error_info{17, "INVALID_TOPIC_EXCEPTION", fatal},
    broker_error_info{18, "RECORD_LIST_TOO_LARGE", fatal},
    broker_error_info{19, "NOT_ENOUGH_REPLICAS", retry},
    broker_error_info{20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", retry},
    broker_error_info{21, "INVALID_REQUIRED_ACKS", fatal},
    broker_error_info{22, "ILLEGAL_GENERATION", rejoin},
    broker_error_info{23, "INCONSISTENT_GROUP_PROTOCOL", fatal},
    broker_error_info{24, "INVALID_GROUP_ID", fatal},
    broker_error_info{25, "UNKNOWN_MEMBER_ID", rejoin},
    broker_error_info{26, "INVALID_SESSION_TIMEOUT", fatal},
    broker_error_info{27, "REBALANCE_IN_PROGRESS", rejoin},
    broker_error_info{28, "INVALID_COMMIT_OFFSET_SIZE", fatal},
    broker_error_info{29, "TOPIC_AUTHORIZATION_FAILED", fatal},
    broker_error_info{30, "GROUP_AUTHORIZATION_FAILED", fatal},
    broker_error_info{31, "CLUSTER_AUTHORIZATION_FAILED", fatal},
    broker_error_info{32, "INVALID_TIMESTAMP", fatal},
    broker_error_info{33, "UNSUPPORTED_SASL_MECHANISM", fatal},
    broker_error_info{34, "ILLEGAL_SASL_STATE", fatal},
    broker_error_info{35, "UNSUPPORTED_VERSION", fatal},
    broker_error_info{36, "TOPIC_ALREADY_EXISTS", fatal},
    broker_error_info{37, "INVALID_PARTITIONS", fatal},
    broker_error_info{38, "INVALID_REPLICATION_FACTOR", fatal},
    broker_error_info{39, "INVALID_REPLICA_ASSIGNMENT", fatal},
    broker_error_info{40, "INVALID_CONFIG", fatal},
    broker_error_info{41, "NOT_CONTROLLER", retry},
    broker_error_info{42, "INVALID_REQUEST", fatal},
    broker_error_info{43, "UNSUPPORTED_FOR_MESSAGE_FORMAT", fatal},
    broker_error_info{44, "POLICY_VIOLATION", fatal},
    broker_error_info{45, "OUT_OF_ORDER_SEQUENCE_NUMBER", fatal},
    broker_error_info{46, "DUPLICATE_SEQUENCE_NUMBER", fatal},
    broker_error_info{47, "INVALID_PRODUCER_EPOCH", fatal},
    broker_error_info{48, "INVALID_TXN_STATE", fatal},
    broker_error_info{49, "INVALID_PRODUCER_ID_MAPPING", fatal},
    broker_error_info{50, "INVALID_TRANSACTION_TIMEOUT", fatal},
    broker_error_info{51, "CONCURRENT_TRANSACTIONS", retry},
    broker_error_info{52, "TRANSACTION_COORDINATOR_FENCED", fatal},
    broker_error_info{53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", fatal},
    broker_error_info{54, "SECURITY_DISABLED", fatal},
    broker_error_info{55, "OPERATION_NOT_ATTEMPTED", fatal},
    broker_error_info{56, "KAFKA_STORAGE_ERROR", refresh_metadata},
    broker_error_info{57, "LOG_DIR_NOT_FOUND", fatal},
    broker_error_info{58, "SASL_AUTHENTICATION_FAILED", fatal},
    broker_error_info{59, "UNKNOWN_PRODUCER_ID", fatal},
    broker_error_info{60, "REASSIGNMENT_IN_PROGRESS", retry},
    broker_error_info{61, "DELEGATION_TOKEN_AUTH_DISABLED", fatal},
    broker_error_info{62, "DELEGATION_TOKEN_NOT_FOUND", fatal},
    broker_error_info{63, "DELEGATION_TOKEN_OWNER_MISMATCH", fatal},
    broker_error_info{64, "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", fatal},
    broker_error_info{65, "DELEGATION_TOKEN_AUTHORIZATION_FAILED", fatal},
    broker_error_info{66, "DELEGATION_TOKEN_EXPIRED", fatal},
    broker_error_info{67, "INVALID_PRINCIPAL_TYPE", fatal},
    broker_error_info{68, "NON_EMPTY_GROUP", fatal},
    broker_error_info{69, "GROUP_ID_NOT_FOUND", fatal},
    broker_error_info{70, "FETCH_SESSION_ID_NOT_FOUND", retry},
    broker_error_info{71, "INVALID_FETCH_SESSION_EPOCH", retry},
    broker_error_info{72, "LISTENER_NOT_FOUND", refresh_metadata},
    broker_error_info{73, "TOPIC_DELETION_DISABLED", fatal},
    broker_error_info{74, "FENCED_LEADER_EPOCH", refresh_metadata},
    broker_error_info{75, "UNKNOWN_LEADER_EPOCH", refresh_metadata},
    broker_error_info{76, "UNSUPPORTED_COMPRESSION_TYPE", fatal},
    broker_error_info{77, "STALE_BROKER_EPOCH", retry},
    broker_error_info{78, "OFFSET_NOT_AVAILABLE", retry},
    broker_error_info{79, "MEMBER_ID_REQUIRED", rejoin},
    broker_error_info{80, "PREFERRED_LEADER_NOT_AVAILABLE", refresh_metadata},
    broker_error_info{81, "GROUP_MAX_SIZE_REACHED", fatal},
    broker_error_info{82, "FENCED_INSTANCE_ID", fatal},
    broker_error_info{83, "ELIGIBLE_LEADERS_NOT_AVAILABLE", retry},
    broker_error_info{84, "ELECTION_NOT_NEEDED", fatal},
    broker_error_info{85, "NO_REASSIGNMENT_IN_PROGRESS", fatal},
    broker_error_info{86, "GROUP_SUBSCRIBED_TO_TOPIC", fatal},
    broker_error_info{87, "INVALID_RECORD", fatal},
    broker_error_info{88, "UNSTABLE_OFFSET_COMMIT", retry},
    broker_error_info{89, "THROTTLING_QUOTA_EXCEEDED", retry},
    broker_error_info{90, "PRODUCER_FENCED", fatal},
    broker_error_info{91, "RESOURCE_NOT_FOUND", fatal},
    broker_error_info{92, "DUPLICATE_RESOURCE", fatal},
    broker_error_info{93, "UNACCEPTABLE_CREDENTIAL", fatal},
    broker_error_info{94, "INCONSISTENT_VOTER_SET", fatal},
    broker_error_info{95, "INVALID_UPDATE_VERSION", fatal},
    broker_error_info{96, "FEATURE_UPDATE_FAILED", fatal},
    broker_error_info{97, "PRINCIPAL_DESERIALIZATION_FAILURE", fatal},
    broker_error_info{98, "SNAPSHOT_NOT_FOUND", fatal},
    broker_error_info{99, "POSITION_OUT_OF_RANGE", fatal},
    broker_error_info{100, "UNKNOWN_TOPIC_ID", refresh_metadata},
    broker_error_info{101, "DUPLICATE_BROKER_REGISTRATION", fatal},
    broker_error_info{102, "BROKER_ID_NOT_REGISTERED", fatal},
    broker_error_info{103, "INCONSISTENT_TOPIC_ID", refresh_metadata},
    broker_error_info{104, "INCONSISTENT_CLUSTER_ID", fatal},
    broker_error_info{105, "TRANSACTIONAL_ID_NOT_FOUND", fatal},
    broker_error_info{106, "FETCH_SESSION_TOPIC_ID_ERROR", retry},
    broker_error_info{107, "INELIGIBLE_REPLICA", fatal},
    broker_error_info{108, "NEW_LEADER_ELECTED", refresh_metadata},
    broker_error_info{109, "OFFSET_MOVED_TO_TIERED_STORAGE", fatal},
    broker_error_info{110, "FENCED_MEMBER_EPOCH", rejoin},
    broker_error_info{111, "UNRELEASED_INSTANCE_ID", fatal},
    broker_error_info{112, "UNSUPPORTED_ASSIGNOR", fatal},
    broker_error_info{113, "STALE_MEMBER_EPOCH", rejoin},
    broker_error_info{114, "MISMATCHED_ENDPOINT_TYPE", fatal},
    broker_error_info{115, "UNSUPPORTED_ENDPOINT_TYPE", fatal},
    broker_error_info{116, "UNKNOWN_CONTROLLER_ID", fatal},
    broker_error_info{117, "UNKNOWN_SUBSCRIPTION_ID", fatal},
    broker_error_info{118, "TELEMETRY_TOO_LARGE", fatal},
    broker_error_info{119, "INVALID_REGISTRATION", fatal},
    broker_error_info{120, "TRANSACTION_ABORTABLE", fatal},
    broker_error_info{121, "INVALID_RECORD_STATE", fatal},
    broker_error_info{122, "SHARE_SESSION_NOT_FOUND", fatal},
    broker_error_info{123, "INVALID_SHARE_SESSION_EPOCH", fatal},
    broker_error_info{124, "FENCED_STATE_EPOCH", fatal},
    broker_error_info{125, "INVALID_VOTER_KEY", fatal},
    broker_error_info{126, "DUPLICATE_VOTER", fatal},
    broker_error_info{127, "VOTER_NOT_FOUND", fatal},
    broker_error_info{128, "INVALID_REGULAR_EXPRESSION", fatal},
};

static_assert(table.front().code == -1 && table.back().code == 128 &&
              table.size() == 130, "the table is indexed by code + 1");

} // namespace

broker_error_info broker_error(std::int16_t code) noexcept
{
    if (code >= -1 && code <= table.back().code) {
        return table[static_cast<std::size_t>(code + 1)];
    }
    return {code, "UNKNOWN_SERVER_ERROR", fatal};
}

namespace {

// A request that cannot carry out an action of the table does this instead.
struct action_override {
    api_key api;
    error_action table_action;
    error_action action;
};

constexpr std::array overrides{
    // Fetch: coordinator and group errors do not belong to Fetch; retrying is harmless if one appears.
    action_override{api_key::fetch, find_coordinator, retry},
    action_override{api_key::fetch, rejoin, retry},
    // ListOffsets: the reset is what is being asked, so an out-of-range answer is retried, as are
    // the coordinator and group errors that do not belong to it.
    action_override{api_key::list_offsets, reset_offset, retry},
    action_override{api_key::list_offsets, find_coordinator, retry},
    action_override{api_key::list_offsets, rejoin, retry},
    // Produce: retried at the leader or not at all; there is no offset to reset, no group to rejoin.
    action_override{api_key::produce, reset_offset, fatal},
    action_override{api_key::produce, find_coordinator, fatal},
    action_override{api_key::produce, rejoin, fatal},
    // Offsets are committed and fetched outside any broker-managed generation (generation -1, as a
    // simple or ZooKeeper-balanced consumer does): a group error cannot be cured by rejoining, and
    // metadata is not what the coordinator needs, so it is simply retried.
    action_override{api_key::offset_commit, refresh_metadata, retry},
    action_override{api_key::offset_commit, reset_offset, fatal},
    action_override{api_key::offset_commit, rejoin, fatal},
    action_override{api_key::offset_fetch, refresh_metadata, retry},
    action_override{api_key::offset_fetch, reset_offset, fatal},
    action_override{api_key::offset_fetch, rejoin, fatal},
    action_override{api_key::find_coordinator, refresh_metadata, retry},
    action_override{api_key::find_coordinator, reset_offset, fatal},
    action_override{api_key::find_coordinator, rejoin, fatal},
    // The group requests keep the table's group actions (rejoin, find coordinator, retry while it
    // loads); metadata and offsets are not theirs. A member that leaves and is told it is unknown
    // or out of date is gone already: what leaving wanted.
    action_override{api_key::join_group, refresh_metadata, retry},
    action_override{api_key::join_group, reset_offset, fatal},
    action_override{api_key::sync_group, refresh_metadata, retry},
    action_override{api_key::sync_group, reset_offset, fatal},
    action_override{api_key::heartbeat, refresh_metadata, retry},
    action_override{api_key::heartbeat, reset_offset, fatal},
    action_override{api_key::leave_group, refresh_metadata, retry},
    action_override{api_key::leave_group, reset_offset, fatal},
    action_override{api_key::leave_group, rejoin, none},
    action_override{api_key::consumer_group_heartbeat, refresh_metadata, retry},
    action_override{api_key::consumer_group_heartbeat, reset_offset, fatal},
};

constexpr std::int16_t stale_member_epoch = 113;

// Authentication and authorization failures: fatal actions whose error_kind is auth.
constexpr std::array<std::int16_t, 8> auth_codes{
    29, // TOPIC_AUTHORIZATION_FAILED
    30, // GROUP_AUTHORIZATION_FAILED
    31, // CLUSTER_AUTHORIZATION_FAILED
    33, // UNSUPPORTED_SASL_MECHANISM
    53, // TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    58, // SASL_AUTHENTICATION_FAILED
    65, // DELEGATION_TOKEN_AUTHORIZATION_FAILED
    93, // UNACCEPTABLE_CREDENTIAL
};

} // namespace

error_action broker_error_action(api_key api, std::int16_t code) noexcept
{
    const error_action table_action = broker_error(code).action;
    for (const action_override& o : overrides) {
        if (o.api == api && o.table_action == table_action) return o.action;
    }
    return table_action;
}

error_action member_commit_error_action(std::int16_t code) noexcept
{
    // A KIP-848 member commits with the epoch it knew; the next heartbeat brings the current one.
    if (code == stale_member_epoch) return retry;
    switch (broker_error(code).action) {
    case refresh_metadata: return retry;
    case reset_offset: return fatal;
    default: return broker_error(code).action;
    }
}

std::string_view action_name(error_action action) noexcept
{
    switch (action) {
    case none: return "none";
    case retry: return "retry";
    case refresh_metadata: return "refresh metadata";
    case reset_offset: return "reset offset";
    case find_coordinator: return "find coordinator";
    case rejoin: return "rejoin";
    case fatal: return "fatal";
    }
    return "fatal";
}

namespace {

class broker_error_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "kafka.broker"; }
    std::string message(int ev) const override
    {
        return std::string(broker_error(static_cast<std::int16_t>(ev)).name);
    }

    std::error_condition default_error_condition(int ev) const noexcept override
    {
        const auto code = static_cast<std::int16_t>(ev);
        switch (broker_error(code).action) {
        case none: return {};
        case reset_offset: return error_kind::reset_offset;
        case fatal:
            return std::ranges::find(auth_codes, code) != auth_codes.end() ? error_kind::auth : error_kind::fatal;
        case retry:
        case refresh_metadata:
        case find_coordinator:
        case rejoin: return error_kind::retriable;
        }
        return error_kind::fatal;
    }
};

} // namespace

const std::error_category& broker_category() noexcept
{
    static const broker_error_category instance;
    return instance;
}

std::error_code make_broker_error(std::int16_t code) noexcept
{
    return {code, broker_category()};
}

} // namespace kspout::wire
