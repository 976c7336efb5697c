// A member of a broker-managed classic group (JoinGroup/SyncGroup/Heartbeat/LeaveGroup) as a state
// machine without I/O: resume(event) returns the requests to send, the partitions to revoke or
// assign, and the timers to arm; time is passed in.
#pragma once

#include "protocol/group/assignor.hpp"
#include "protocol/member/member_events.hpp"
#include "protocol/messages/heartbeat.hpp"
#include "protocol/messages/join_group.hpp"
#include "protocol/messages/leave_group.hpp"
#include "protocol/messages/sync_group.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

namespace kspout::member {

struct classic_member_options {
    std::string group_id;
    std::string topic;
    group::assignor_kind assignor = group::assignor_kind::range;
    std::chrono::milliseconds session_timeout{45000};
    std::chrono::milliseconds rebalance_timeout{300000};
    std::chrono::milliseconds heartbeat_interval{3000};
    std::chrono::milliseconds retry_backoff{100};
    // Static membership (KIP-345): the broker keeps this member's partitions for the session
    // timeout after it goes, so stop() sends no LeaveGroup.
    std::optional<std::string> group_instance_id;
};

namespace classic {

using namespace events; // start, stop, coordinator_found/lost, revoke_done, leave_done, commit_refused, timers

// static_membership: the JoinGroup version used carries group.instance.id (v5+, brokers 2.3+);
// without it a member configured as static is a dynamic one, and leaves on stop.
struct join_answered {
    clock::time_point now{};
    messages::join_group_response response{};
    bool static_membership = true;
};
// The leader's read of the topic's partition count (nullopt: the read failed).
struct partitions_counted {
    clock::time_point now{};
    std::optional<std::int32_t> count{};
};
struct sync_answered {
    clock::time_point now{};
    messages::sync_group_response response{};
};
// The answer to a heartbeat sent in `generation_id`.
struct heartbeat_answered {
    clock::time_point now{};
    std::int32_t generation_id = -1;
    std::int16_t error_code = 0;
};
using event = std::variant<start, stop, coordinator_found, coordinator_lost, join_answered, partitions_counted,
                           sync_answered, heartbeat_answered, revoke_done, leave_done, commit_refused, timer_fired>;

enum class action_type {
    find_coordinator, // answer coordinator_found or coordinator_lost
    send_join,        // `join`; answer join_answered
    count_partitions, // the leader needs the topic's partition count; answer partitions_counted
    send_sync,        // `sync`; answer sync_answered
    send_heartbeat,   // `heartbeat`; answer heartbeat_answered
    send_leave,       // `leave`; answer leave_done (whatever the outcome)
    revoke,           // stop fetching `partitions`, let the owner finish, answer revoke_done;
                      // lost: they are someone else's already, commits for them must be refused
    assign,           // start fetching `partitions` (added to those owned)
    arm_timer,        // fire timer_fired{which} at `at`, replacing an earlier arming of it
    report_error,     // fatal: `error`, `what`; the member stops taking part
    stopped,          // stop() is complete
};

struct action {
    action_type type{};
    std::vector<std::int32_t> partitions{}; // revoke, assign
    bool lost = false;                      // revoke
    messages::join_group_request join{};
    messages::sync_group_request sync{};
    messages::heartbeat_request heartbeat{};
    messages::leave_group_request leave{};
    timer which{};          // arm_timer
    clock::time_point at{}; // arm_timer
    std::error_code error{};
    std::string what{};
};

} // namespace classic

class classic_member {
public:
    explicit classic_member(classic_member_options options);

    std::vector<classic::action> resume(const classic::event& e);

    // What commits made now carry: the generation is -1 and the member id empty outside a
    // generation (offsets are then not committed).
    std::int32_t generation_id() const noexcept { return generation_id_; }
    const std::string& member_id() const noexcept { return member_id_; }
    const std::vector<std::int32_t>& owned() const noexcept { return owned_; }
    bool stable() const noexcept { return state_ == state::stable; }

private:
    enum class state {
        idle,
        finding_coordinator,
        revoking_before_join, // eager: every owned partition is being revoked before the join
        joining,
        counting_partitions, // the leader reads the partition count before its sync
        syncing,
        backing_off, // the retry timer resumes `retry_state_`
        stable,
        revoking_to_leave, // stop(): every owned partition is being revoked
        leaving,
        stopped,
        failed,
    };
    using actions = std::vector<classic::action>;

    actions on(const classic::start& e);
    actions on(const classic::stop& e);
    actions on(const classic::coordinator_found& e);
    actions on(const classic::coordinator_lost& e);
    actions on(const classic::join_answered& e);
    actions on(const classic::partitions_counted& e);
    actions on(const classic::sync_answered& e);
    actions on(const classic::heartbeat_answered& e);
    actions on(const classic::revoke_done& e);
    actions on(const classic::leave_done& e);
    actions on(const classic::commit_refused& e);
    actions on(const classic::timer_fired& e);

    actions find_coordinator();
    // Membership changed or was lost: revoke what eager needs revoked, then join.
    actions rejoin(classic::clock::time_point now);
    actions join();
    actions lose_partitions(bool forget_member_id);
    actions lose_and_rejoin(std::int16_t error_code);
    actions sync(const std::vector<group::group_member>& members, std::int32_t partition_count);
    actions assigned(classic::clock::time_point now, std::vector<std::int32_t> partitions);
    actions retry_later(classic::clock::time_point now, state retry_in);
    actions fail(std::error_code ec, const std::string& what);
    classic::action ask_coordinator();
    actions finish_stop();
    classic::action arm(classic::timer which, classic::clock::time_point at) const;
    bool in_generation() const noexcept;

    classic_member_options options_;
    state state_ = state::idle;
    state retry_state_ = state::idle; // what the retry timer resumes
    bool stopping_ = false;
    bool rejoin_after_revoke_ = false; // cooperative: revoked partitions handed back, rejoin once done
    bool heartbeat_in_flight_ = false;
    bool coordinator_known_ = false;
    bool finding_ = false; // a find_coordinator action awaits its answer
    int revokes_pending_ = 0;
    std::int32_t generation_id_ = -1;
    std::string member_id_;
    std::string leader_id_;
    std::vector<group::group_member> leader_members_; // the leader's, between join and sync
    std::vector<std::int32_t> owned_;                 // sorted
    std::optional<std::string> instance_id_;          // group.instance.id, when the coordinator takes it
};

} // namespace kspout::member
