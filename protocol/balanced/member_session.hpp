// The balanced consumer's ZooKeeper session as a state machine without I/O: connection states,
// registration, pausing on disconnect, giving everything up on a lost session, and the lease that
// answers to probes keep alive. resume(event) returns the actions to run.
#pragma once

#include "protocol/balanced/balanced_options.hpp"
#include "protocol/balanced/session_lease.hpp"
#include "protocol/log/logger.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

namespace kspout::balanced {

namespace session {

using clock = std::chrono::steady_clock;

// The client connected: to the session our registration belongs to, or to a new one.
// holding: the member still has claims or fetched partitions from an earlier session.
struct connected {
    std::int64_t session_id = 0; // 0: the client does not know its session
    bool holding = false;
    std::vector<std::int32_t> assigned{}; // partitions handed to the fetcher, for the log
};

// The connection dropped; the session may live on.
struct disconnected {
    std::vector<std::int32_t> assigned{};
};

struct expired {};
struct auth_failed {};

// ZooKeeper refused us a znode of the group (ZNOAUTH): its ACL names credentials this member
// does not have. No retry helps, so the member reports it once and stays out of the group.
struct access_denied {
    std::string what{}; // the operation refused: "cannot create <path>: not authenticated"
};

// Our ids znode is made, in session `session_id` (-1: the client did not know its session).
struct registered {
    std::int64_t session_id = -1;
};

// Our ids znode went missing although the session lives: the member registers again.
struct registration_lost {};

// Someone wants the lease confirmed (the probe timer, a commit, a held poll, a rejoin).
// can_send false: the member is shut down and cannot ask ZooKeeper.
struct probe_wanted {
    bool can_send = true;
};

// The answer to a probe sent at `sent_at` in session epoch `epoch`: alive when our ids znode
// exists with our session as its owner. timeout: the session timeout ZooKeeper granted.
struct probe_answered {
    std::uint64_t epoch = 0;
    clock::time_point sent_at{};
    bool alive = false;
    std::chrono::milliseconds timeout{0};
    clock::time_point now{};
    std::vector<std::int32_t> assigned{};
};

// poll() found the lease lapsed while partitions are assigned.
struct lease_lapsed {
    std::vector<std::int32_t> assigned{};
};

// No connection for a whole session timeout since the timer was armed.
struct unreachable_timer_fired {
    std::vector<std::int32_t> assigned{};
};

struct stop_requested {};

using event = std::variant<connected, disconnected, expired, auth_failed, access_denied, registered, registration_lost,
                           probe_wanted, probe_answered, lease_lapsed, unreachable_timer_fired, stop_requested>;

enum class action_type {
    apply_pauses,             // pause or resume every assigned partition as suspended()/lease_hold() say
    lose_session,             // what the session held is gone: release it all without deleting (`what`: why)
    register_member,          // create our ids znode, answer registered (or fail as registration does)
    reconnect,                // open a new session
    arm_unreachable_timer,    // fire unreachable_timer_fired after the session timeout
    cancel_unreachable_timer, //
    rejoin,                   // the session survived a disconnect: redo what the disconnect interrupted
    send_probe,               // check our ids znode (`epoch`, `session`), answer probe_answered
    release_probe_waiters,    // those waiting for a probe's answer go on (from the executor)
    report_error,             // tell the owner: `error`, `what`
    continue_stop,            // stopping: go on releasing everything
};

struct action {
    action_type type{};
    std::string what{};
    std::error_code error{};
    std::uint64_t epoch = 0;
    std::int64_t session = 0;
};

} // namespace session

class member_session {
public:
    member_session(balanced_options options, std::string consumer_id, log::logger log = {});

    std::vector<session::action> resume(const session::event& e);

    bool connected() const noexcept { return connected_; }
    // Disconnected: every owned partition is paused until the session is confirmed.
    bool suspended() const noexcept { return suspended_; }
    // poll() found the lease lapsed: owned partitions are paused until a probe confirms it.
    bool lease_hold() const noexcept { return lease_hold_; }
    // Increases with every new session; answers from an older one are stale.
    std::uint64_t epoch() const noexcept { return epoch_; }
    // The session our ids znode belongs to; 0: not registered.
    std::int64_t registered_session() const noexcept { return registered_session_; }
    bool registered() const noexcept { return connected_ && registered_session_ != 0; }
    // ZooKeeper refused us the group's znodes: the member stays out of the group for good.
    bool refused() const noexcept { return refused_; }
    // An answer from ZooKeeper proves the session alive at `now` (always in static mode).
    bool lease_valid(session::clock::time_point now) const noexcept { return options_.fixed || lease_.valid(now); }
    // Until when the lease is known to hold (forever in static mode).
    session::clock::time_point lease_valid_until() const noexcept
    {
        return options_.fixed ? session::clock::time_point::max() : lease_.valid_until();
    }

private:
    std::vector<session::action> on(const session::connected& e);
    std::vector<session::action> on(const session::disconnected& e);
    std::vector<session::action> on(const session::expired&);
    std::vector<session::action> on(const session::auth_failed&);
    std::vector<session::action> on(const session::access_denied& e);
    std::vector<session::action> on(const session::registered& e);
    std::vector<session::action> on(const session::registration_lost&);
    std::vector<session::action> on(const session::probe_wanted& e);
    std::vector<session::action> on(const session::probe_answered& e);
    std::vector<session::action> on(const session::lease_lapsed& e);
    std::vector<session::action> on(const session::unreachable_timer_fired& e);
    std::vector<session::action> on(const session::stop_requested&);

    session::action lose(std::string why);
    void answer_probe(std::vector<session::action>& out, const session::probe_answered& e);

    balanced_options options_;
    std::string consumer_id_;
    log::logger log_;

    bool stopping_ = false;
    bool refused_ = false;
    bool connected_ = false;
    bool suspended_ = false;
    std::uint64_t epoch_ = 0;
    std::int64_t registered_session_ = 0;
    bool unreachable_reported_ = false;
    session_lease lease_;
    bool lease_hold_ = false;
    bool probe_in_flight_ = false;
};

} // namespace kspout::balanced
