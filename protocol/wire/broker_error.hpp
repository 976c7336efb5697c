// Kafka broker error codes, the one table that says what a client does about each, and the
// per-request overrides of that table.
#pragma once

#include "protocol/wire/api_key.hpp"

#include <cstdint>
#include <string_view>
#include <system_error>

namespace kspout::wire {

// What the client should do when a response carries an error code.
enum class error_action {
    none,              // code 0: success
    retry,             // transient: back off and send the same request again
    refresh_metadata,  // the leader or topic changed: refresh metadata, then retry at the new leader
    reset_offset,      // the position is outside the log: apply the offset reset policy
    find_coordinator,  // the group coordinator moved or is loading: look it up again, then retry
    rejoin,            // group membership changed: rejoin before committing again
    fatal,             // a configuration, authorization or data error: report it, do not retry
};

struct broker_error_info {
    std::int16_t code;
    std::string_view name;
    error_action action;
};

// Looks a code up in the table; unknown codes are fatal with the name "UNKNOWN_SERVER_ERROR".
broker_error_info broker_error(std::int16_t code) noexcept;
std::string_view action_name(error_action action) noexcept;

// What to do about `code` in a response to `api`: the table's action, unless that request
// overrides it (as librdkafka's rd_kafka_err_action takes per-request overrides). An action a
// request cannot carry out becomes one it can: Fetch has no coordinator to find, Produce no
// offset to reset, and offset commits made outside any group generation have nothing to rejoin.
error_action broker_error_action(api_key api, std::int16_t code) noexcept;

// What to do about `code` in an OffsetCommit answer to a commit made inside a broker-managed
// generation (a generation id or KIP-848 member epoch >= 0, with a member id), where
// broker_error_action's offset_commit row (commits outside any generation) does not apply:
// ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS and FENCED_MEMBER_EPOCH mean the
// commit was fenced and the member rejoins; STALE_MEMBER_EPOCH is retried with the epoch the
// next heartbeat brings; FENCED_INSTANCE_ID and GROUP_ID_NOT_FOUND are fatal.
error_action member_commit_error_action(std::int16_t code) noexcept;

// A broker error code as a std::error_code (category "kafka.broker", message = protocol name).
// Its error_kind follows the table, without overrides: fatal (auth for the authorization and
// SASL codes), reset_offset, or retriable for retry, refresh_metadata, find_coordinator, rejoin.
const std::error_category& broker_category() noexcept;
std::error_code make_broker_error(std::int16_t code) noexcept;

} // namespace kspout::wire
