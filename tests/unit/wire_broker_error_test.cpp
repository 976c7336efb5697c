// The broker error table, its per-request overrides, and the broker category's error kinds.
#include "protocol/wire/broker_error.hpp"

#include "protocol/error/error_kind.hpp"

#include <gtest/gtest.h>

#include <set>

namespace kspout::wire {
namespace {

constexpr std::int16_t last_code = 128; // INVALID_REGULAR_EXPRESSION

TEST(BrokerErrors, EveryCodeHasOneAction)
{
    EXPECT_EQ(broker_error(0).action, error_action::none);
    EXPECT_EQ(broker_error(1).action, error_action::reset_offset);
    EXPECT_EQ(broker_error(6).action, error_action::refresh_metadata);
    EXPECT_EQ(broker_error(6).name, "NOT_LEADER_OR_FOLLOWER");
    EXPECT_EQ(broker_error(7).action, error_action::retry);
    EXPECT_EQ(broker_error(16).action, error_action::find_coordinator);
    EXPECT_EQ(broker_error(27).action, error_action::rejoin);
    EXPECT_EQ(broker_error(29).action, error_action::fatal);
    EXPECT_EQ(broker_error(100).name, "UNKNOWN_TOPIC_ID");
    EXPECT_EQ(broker_error(4242).action, error_action::fatal);
    for (std::int16_t code = -1; code <= last_code; ++code) {
        EXPECT_EQ(broker_error(code).code, code);
    }
}

struct action_case {
    api_key api;
    std::int16_t code;
    error_action expected;
};

// One row per override, and rows showing what each request keeps from the table.
const action_case action_cases[] = {
    {api_key::fetch, 0, error_action::none},
    {api_key::fetch, 1, error_action::reset_offset},         // OFFSET_OUT_OF_RANGE
    {api_key::fetch, 6, error_action::refresh_metadata},     // NOT_LEADER_OR_FOLLOWER
    {api_key::fetch, 7, error_action::retry},                // REQUEST_TIMED_OUT
    {api_key::fetch, 16, error_action::retry},               // NOT_COORDINATOR: overridden
    {api_key::fetch, 27, error_action::retry},               // REBALANCE_IN_PROGRESS: overridden
    {api_key::fetch, 29, error_action::fatal},               // TOPIC_AUTHORIZATION_FAILED

    {api_key::list_offsets, 0, error_action::none},
    {api_key::list_offsets, 1, error_action::retry},           // OFFSET_OUT_OF_RANGE: overridden
    {api_key::list_offsets, 6, error_action::refresh_metadata}, // NOT_LEADER_OR_FOLLOWER
    {api_key::list_offsets, 15, error_action::retry},          // COORDINATOR_NOT_AVAILABLE: overridden
    {api_key::list_offsets, 22, error_action::retry},          // ILLEGAL_GENERATION: overridden
    {api_key::list_offsets, 78, error_action::retry},          // OFFSET_NOT_AVAILABLE
    {api_key::list_offsets, 29, error_action::fatal},          // TOPIC_AUTHORIZATION_FAILED

    {api_key::produce, 0, error_action::none},
    {api_key::produce, 7, error_action::retry},              // REQUEST_TIMED_OUT
    {api_key::produce, 19, error_action::retry},             // NOT_ENOUGH_REPLICAS
    {api_key::produce, 6, error_action::refresh_metadata},   // NOT_LEADER_OR_FOLLOWER
    {api_key::produce, 1, error_action::fatal},              // OFFSET_OUT_OF_RANGE: overridden
    {api_key::produce, 16, error_action::fatal},             // NOT_COORDINATOR: overridden
    {api_key::produce, 25, error_action::fatal},             // UNKNOWN_MEMBER_ID: overridden
    {api_key::produce, 10, error_action::fatal},             // MESSAGE_TOO_LARGE

    {api_key::offset_commit, 0, error_action::none},
    {api_key::offset_commit, 14, error_action::retry},            // COORDINATOR_LOAD_IN_PROGRESS
    {api_key::offset_commit, 3, error_action::retry},             // UNKNOWN_TOPIC_OR_PARTITION: overridden
    {api_key::offset_commit, 16, error_action::find_coordinator}, // NOT_COORDINATOR
    {api_key::offset_commit, 1, error_action::fatal},             // OFFSET_OUT_OF_RANGE: overridden
    {api_key::offset_commit, 22, error_action::fatal},            // ILLEGAL_GENERATION: overridden
    {api_key::offset_commit, 12, error_action::fatal},            // OFFSET_METADATA_TOO_LARGE

    {api_key::offset_fetch, 0, error_action::none},
    {api_key::offset_fetch, 14, error_action::retry},             // COORDINATOR_LOAD_IN_PROGRESS
    {api_key::offset_fetch, 5, error_action::retry},              // LEADER_NOT_AVAILABLE: overridden
    {api_key::offset_fetch, 15, error_action::find_coordinator},  // COORDINATOR_NOT_AVAILABLE
    {api_key::offset_fetch, 1, error_action::fatal},              // OFFSET_OUT_OF_RANGE: overridden
    {api_key::offset_fetch, 25, error_action::fatal},             // UNKNOWN_MEMBER_ID: overridden
    {api_key::offset_fetch, 30, error_action::fatal},             // GROUP_AUTHORIZATION_FAILED

    {api_key::find_coordinator, 0, error_action::none},
    {api_key::find_coordinator, 15, error_action::find_coordinator}, // COORDINATOR_NOT_AVAILABLE
    {api_key::find_coordinator, 13, error_action::retry},            // NETWORK_EXCEPTION: overridden
    {api_key::find_coordinator, 27, error_action::fatal},            // REBALANCE_IN_PROGRESS: overridden
    {api_key::find_coordinator, 30, error_action::fatal},            // GROUP_AUTHORIZATION_FAILED

    {api_key::join_group, 79, error_action::rejoin},           // MEMBER_ID_REQUIRED: join again with the id
    {api_key::join_group, 25, error_action::rejoin},           // UNKNOWN_MEMBER_ID
    {api_key::join_group, 14, error_action::retry},            // COORDINATOR_LOAD_IN_PROGRESS
    {api_key::join_group, 16, error_action::find_coordinator}, // NOT_COORDINATOR
    {api_key::join_group, 15, error_action::find_coordinator}, // COORDINATOR_NOT_AVAILABLE
    {api_key::join_group, 23, error_action::fatal},            // INCONSISTENT_GROUP_PROTOCOL
    {api_key::join_group, 81, error_action::fatal},            // GROUP_MAX_SIZE_REACHED
    {api_key::join_group, 82, error_action::fatal},            // FENCED_INSTANCE_ID
    {api_key::join_group, 3, error_action::retry},             // UNKNOWN_TOPIC_OR_PARTITION: overridden
    {api_key::sync_group, 27, error_action::rejoin},           // REBALANCE_IN_PROGRESS
    {api_key::sync_group, 22, error_action::rejoin},           // ILLEGAL_GENERATION
    {api_key::sync_group, 1, error_action::fatal},             // OFFSET_OUT_OF_RANGE: overridden
    {api_key::heartbeat, 27, error_action::rejoin},            // REBALANCE_IN_PROGRESS
    {api_key::heartbeat, 25, error_action::rejoin},            // UNKNOWN_MEMBER_ID
    {api_key::heartbeat, 16, error_action::find_coordinator},  // NOT_COORDINATOR
    {api_key::leave_group, 25, error_action::none},            // UNKNOWN_MEMBER_ID: gone already, overridden
    {api_key::leave_group, 16, error_action::find_coordinator}, // NOT_COORDINATOR
    {api_key::leave_group, 82, error_action::fatal},           // FENCED_INSTANCE_ID
    {api_key::consumer_group_heartbeat, 110, error_action::rejoin}, // FENCED_MEMBER_EPOCH: join with epoch 0
    {api_key::consumer_group_heartbeat, 25, error_action::rejoin},  // UNKNOWN_MEMBER_ID
    {api_key::consumer_group_heartbeat, 111, error_action::fatal},  // UNRELEASED_INSTANCE_ID
    {api_key::consumer_group_heartbeat, 112, error_action::fatal},  // UNSUPPORTED_ASSIGNOR
    {api_key::consumer_group_heartbeat, 128, error_action::fatal},  // INVALID_REGULAR_EXPRESSION
    {api_key::consumer_group_heartbeat, 14, error_action::retry},   // COORDINATOR_LOAD_IN_PROGRESS
    {api_key::consumer_group_heartbeat, 5, error_action::retry},    // LEADER_NOT_AVAILABLE: overridden
};

TEST(BrokerErrorAction, PerRequestOverrides)
{
    for (const action_case& c : action_cases) {
        EXPECT_EQ(broker_error_action(c.api, c.code), c.expected)
            << api_name(c.api) << " " << broker_error(c.code).name << ": got "
            << action_name(broker_error_action(c.api, c.code)) << ", want " << action_name(c.expected);
    }
}

// Each caller switches over a few actions and lets the rest fall to a default it documents;
// whatever the code, the request's overrides leave only the actions it handles.
TEST(BrokerErrorAction, EachRequestGetsOnlyTheActionsItsCallerHandles)
{
    using enum error_action;
    struct handled {
        api_key api;
        std::set<error_action> actions;
    };
    const handled requests[] = {
        {api_key::fetch, {none, retry, refresh_metadata, reset_offset, fatal}},
        {api_key::list_offsets, {none, retry, refresh_metadata, fatal}},
        {api_key::produce, {none, retry, refresh_metadata, fatal}},
        {api_key::offset_commit, {none, retry, find_coordinator, fatal}},
        {api_key::offset_fetch, {none, retry, find_coordinator, fatal}},
        {api_key::find_coordinator, {none, retry, find_coordinator, fatal}},
        {api_key::join_group, {none, retry, find_coordinator, rejoin, fatal}},
        {api_key::sync_group, {none, retry, find_coordinator, rejoin, fatal}},
        {api_key::heartbeat, {none, retry, find_coordinator, rejoin, fatal}},
        {api_key::leave_group, {none, retry, find_coordinator, fatal}},
        {api_key::consumer_group_heartbeat, {none, retry, find_coordinator, rejoin, fatal}},
    };
    for (const handled& r : requests) {
        for (std::int16_t code = -1; code <= last_code + 1; ++code) {
            EXPECT_TRUE(r.actions.contains(broker_error_action(r.api, code)))
                << api_name(r.api) << " " << broker_error(code).name << " gives "
                << action_name(broker_error_action(r.api, code));
        }
    }
}

TEST(BrokerErrorAction, RequestsWithoutOverridesTakeTheTable)
{
    for (api_key api : {api_key::metadata, api_key::api_versions}) {
        for (std::int16_t code = -1; code <= last_code + 1; ++code) {
            EXPECT_EQ(broker_error_action(api, code), broker_error(code).action)
                << api_name(api) << " " << broker_error(code).name;
        }
    }
}

// Commits made inside a generation: fenced ones rejoin, a stale KIP-848 epoch is retried.
TEST(BrokerErrorAction, MemberCommitsRejoinWhenFenced)
{
    using enum error_action;
    EXPECT_EQ(member_commit_error_action(0), none);
    EXPECT_EQ(member_commit_error_action(22), rejoin);  // ILLEGAL_GENERATION
    EXPECT_EQ(member_commit_error_action(25), rejoin);  // UNKNOWN_MEMBER_ID
    EXPECT_EQ(member_commit_error_action(27), rejoin);  // REBALANCE_IN_PROGRESS
    EXPECT_EQ(member_commit_error_action(110), rejoin); // FENCED_MEMBER_EPOCH
    EXPECT_EQ(member_commit_error_action(113), retry);  // STALE_MEMBER_EPOCH
    EXPECT_EQ(member_commit_error_action(14), retry);   // COORDINATOR_LOAD_IN_PROGRESS
    EXPECT_EQ(member_commit_error_action(16), find_coordinator); // NOT_COORDINATOR
    EXPECT_EQ(member_commit_error_action(3), retry);    // UNKNOWN_TOPIC_OR_PARTITION
    EXPECT_EQ(member_commit_error_action(82), fatal);   // FENCED_INSTANCE_ID
    EXPECT_EQ(member_commit_error_action(69), fatal);   // GROUP_ID_NOT_FOUND
    EXPECT_EQ(member_commit_error_action(1), fatal);    // OFFSET_OUT_OF_RANGE
    // Outside a generation the same codes cannot be cured by rejoining.
    EXPECT_EQ(broker_error_action(api_key::offset_commit, 22), fatal);
    EXPECT_EQ(broker_error_action(api_key::offset_commit, 113), fatal);
}

TEST(BrokerErrorKind, FollowsTheTable)
{
    for (std::int16_t code = -1; code <= last_code + 1; ++code) {
        const std::error_code ec = make_broker_error(code);
        const std::string name(broker_error(code).name);
        switch (broker_error(code).action) {
        case error_action::none: EXPECT_FALSE(ec); break;
        case error_action::reset_offset: EXPECT_EQ(ec, error_kind::reset_offset) << name; break;
        case error_action::fatal: EXPECT_EQ(ec, error_kind::fatal) << name; break;
        case error_action::retry:
        case error_action::refresh_metadata:
        case error_action::find_coordinator:
        case error_action::rejoin:
            EXPECT_EQ(ec, error_kind::retriable) << name;
            EXPECT_NE(ec, error_kind::fatal) << name;
            break;
        }
    }
}

TEST(BrokerErrorKind, AuthorizationAndSaslFailuresAreAuthAndFatal)
{
    for (std::int16_t code : std::initializer_list<std::int16_t>{29, 30, 31, 33, 53, 58, 65, 93}) {
        EXPECT_EQ(make_broker_error(code), error_kind::auth) << broker_error(code).name;
        EXPECT_EQ(make_broker_error(code), error_kind::fatal) << broker_error(code).name;
    }
    EXPECT_NE(make_broker_error(2), error_kind::auth);  // CORRUPT_MESSAGE: fatal, not auth
    EXPECT_NE(make_broker_error(16), error_kind::auth); // NOT_COORDINATOR
}

} // namespace
} // namespace kspout::wire
