// The balanced consumer's rebalance cycle as a state machine without I/O: one attempt at a time
// (metadata, members, target, release and claim), retries with backoff up to a deadline,
// registration retries, and metadata re-checks. resume(event) returns the actions to run.
#pragma once

#include "protocol/balanced/balanced_options.hpp"
#include "protocol/group/assignment.hpp"
#include "protocol/group/participants.hpp"
#include "protocol/log/logger.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

namespace kspout::balanced {

namespace cycle {

using clock = std::chrono::steady_clock;

// Something asked for a rebalance: "group members changed", "joined", "reconnected"...
struct rebalance_requested {
    std::string reason{};
};

// The moment to start an attempt if one is wanted. member_ready: the member can read the group
// (always in static mode; else connected and registered). releases_pending: partitions given up
// are still being revoked or deleted; the attempt waits for them.
struct try_start {
    clock::time_point now{};
    bool member_ready = false;
    bool releases_pending = false;
};

// The topic's partitions and leaders for `attempt`, or why they could not be read.
struct metadata_read {
    std::uint64_t attempt = 0;
    clock::time_point now{};
    std::vector<group::partition_info> partitions{};
    std::string error{}; // non-empty: the read failed
};

// The group's registrations for `attempt`. registered false: our own registration was missing
// (the member registers again); error set: the read failed.
struct members_read {
    std::uint64_t attempt = 0;
    clock::time_point now{};
    std::vector<group::member_registration> members{};
    bool registered = true;
    std::error_code error{};
    std::string what{};
};

// What releasing and claiming the target gave for `attempt`.
struct target_applied {
    std::uint64_t attempt = 0;
    clock::time_point now{};
    std::error_code error{}; // a ZooKeeper operation failed (what says which)
    std::string what{};
    std::vector<std::int32_t> conflicts{}; // claimed by other members
    bool vanished = false;                 // a conflicting claim went away meanwhile: retry at once
    bool released = true;                  // false: owner nodes of released partitions not deleted
    std::vector<std::int32_t> owned{};     // partitions fetched now, for the log
};

// An owner node of another member that a claim waited for went away.
struct conflict_cleared {};

// The retry timer (armed by an arm_retry_timer action) fired.
struct retry_timer_fired {};

// The ids znode was made (ok) or could not be.
struct registration_done {
    clock::time_point now{};
    bool ok = false;
    std::string why{};
};

// The session that the attempt ran in ended: its results no longer count.
struct session_lost {};

// stop(): no attempt starts or completes from now on.
struct stop_requested {};

// The topic's partitions as a periodic metadata check read them.
struct metadata_checked {
    std::vector<group::partition_info> partitions{};
};

using event = std::variant<rebalance_requested, try_start, metadata_read, members_read, target_applied,
                           conflict_cleared, retry_timer_fired, registration_done, session_lost, stop_requested,
                           metadata_checked>;

enum class action_type {
    start_now,          // resume(try_start) right away, with the member's current gates
    start_later,        // resume(try_start) from the executor, after the current handler
    read_metadata,      // refresh the topic's metadata for `attempt`, answer metadata_read
    read_members,       // read the group's registrations for `attempt`, answer members_read
    apply_target,       // release what `target` leaves out, claim the rest, answer target_applied
    arm_retry_timer,    // fire retry_timer_fired at `at` (replacing an earlier arming)
    cancel_retry_timer, //
    register_member,    // create our ids znode again, answer registration_done
    report_error,       // tell the owner: `error`, `what`
    continue_stop,      // an attempt ended while stopping: go on releasing everything
};

struct action {
    action_type type{};
    std::uint64_t attempt = 0;
    std::vector<group::partition_info> target{}; // apply_target
    clock::time_point at{};                      // arm_retry_timer
    std::error_code error{};                     // report_error
    std::string what{};                          // report_error
};

} // namespace cycle

class rebalance_cycle {
public:
    rebalance_cycle(balanced_options options, std::string consumer_id, log::logger log = {});

    std::vector<cycle::action> resume(const cycle::event& e);

    // True while `attempt` is the attempt under way; answers of other attempts are ignored.
    bool current(std::uint64_t attempt) const noexcept { return rebalancing_ && attempt == attempt_; }
    bool rebalancing() const noexcept { return rebalancing_; }
    bool wanted() const noexcept { return wanted_; }
    // reset_offset_on_start covers only what is taken before the first success.
    bool first_rebalance_done() const noexcept { return first_done_; }

private:
    std::vector<cycle::action> on(const cycle::rebalance_requested& e);
    std::vector<cycle::action> on(const cycle::try_start& e);
    std::vector<cycle::action> on(const cycle::metadata_read& e);
    std::vector<cycle::action> on(const cycle::members_read& e);
    std::vector<cycle::action> on(const cycle::target_applied& e);
    std::vector<cycle::action> on(const cycle::conflict_cleared&);
    std::vector<cycle::action> on(const cycle::retry_timer_fired&);
    std::vector<cycle::action> on(const cycle::registration_done& e);
    std::vector<cycle::action> on(const cycle::session_lost&);
    std::vector<cycle::action> on(const cycle::stop_requested&);
    std::vector<cycle::action> on(const cycle::metadata_checked& e);

    std::vector<cycle::action> succeeded(const std::vector<std::int32_t>& owned);
    std::vector<cycle::action> failed(cycle::clock::time_point now, std::error_code ec, const std::string& what,
                                      bool retry_soon = false);
    cycle::action arm_retry(cycle::clock::time_point now);
    void abort_attempt();

    enum class retry_purpose { rebalance, registration };

    balanced_options options_;
    std::string consumer_id_;
    log::logger log_;

    bool stopping_ = false;
    bool rebalancing_ = false;
    bool wanted_ = false;
    bool conflict_cleared_ = false; // an owner node we waited for went away during this attempt
    std::uint64_t attempt_ = 0;
    bool episode_open_ = false; // attempts since the last success, bounded by rebalance_deadline
    cycle::clock::time_point episode_deadline_{};
    std::chrono::milliseconds backoff_{0};
    cycle::clock::time_point not_before_{};
    retry_purpose retry_for_ = retry_purpose::rebalance;
    std::vector<group::partition_info> attempt_view_;  // partitions and leaders this attempt uses
    std::vector<group::partition_info> assigned_view_; // partitions and leaders the last success used
    bool have_view_ = false;
    bool first_done_ = false;
};

} // namespace kspout::balanced
