// A member of a KIP-848 consumer group (ConsumerGroupHeartbeat, Kafka 4.0+) as a state machine without
// I/O: the broker assigns; resume(event) returns the heartbeats to send, the partitions to revoke or
// assign, and the timers to arm; time is passed in.
#pragma once

#include "protocol/member/member_events.hpp"
#include "protocol/messages/consumer_group_heartbeat.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

namespace kspout::member {

struct kip848_member_options {
    std::string group_id;
    std::string topic;
    // KIP-1082: the member makes its id (a random uuid) and keeps it for its lifetime; brokers
    // before 4.0 replaced it with one of their own in the first answer.
    std::string member_id;
    std::chrono::milliseconds rebalance_timeout{300000};
    std::chrono::milliseconds retry_backoff{100};
    // Until the first answer says how often the broker wants heartbeats.
    std::chrono::milliseconds heartbeat_interval{5000};
    std::optional<std::string> server_assignor; // "uniform" or "range"; none: the broker's default
    // Static membership: stop() leaves with epoch -2, so the broker keeps the partitions for the
    // session timeout and a restart with the same id gets them back.
    std::optional<std::string> group_instance_id;
};

namespace kip848 {

using namespace events; // start, stop, coordinator_found/lost, revoke_done, leave_done, commit_refused, timers

// The answer to resolve_topic: the subscribed topic's id (Metadata v10+; zero from older brokers),
// nullopt if the read failed or the topic is not there.
struct topic_resolved {
    clock::time_point now{};
    std::optional<messages::topic_id> id{};
};
struct heartbeat_answered {
    clock::time_point now{};
    messages::consumer_group_heartbeat_response response{};
};

using event = std::variant<start, stop, coordinator_found, coordinator_lost, topic_resolved, heartbeat_answered,
                           revoke_done, leave_done, commit_refused, timer_fired>;

enum class action_type {
    find_coordinator, // answer coordinator_found or coordinator_lost
    resolve_topic,    // read the topic's id; answer topic_resolved
    send_heartbeat,   // `heartbeat`; answer heartbeat_answered, or coordinator_lost on failure
    send_leave,       // `heartbeat` with a leaving epoch; answer leave_done (whatever the outcome)
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
    messages::consumer_group_heartbeat_request heartbeat{};
    timer which{};          // arm_timer
    clock::time_point at{}; // arm_timer
    std::error_code error{};
    std::string what{};
};

} // namespace kip848

class kip848_member {
public:
    explicit kip848_member(kip848_member_options options);

    std::vector<kip848::action> resume(const kip848::event& e);

    // What commits made now carry: epoch 0 (not a member) means offsets are not committed.
    std::int32_t member_epoch() const noexcept { return member_epoch_; }
    const std::string& member_id() const noexcept { return member_id_; }
    const std::vector<std::int32_t>& owned() const noexcept { return owned_; }
    bool stable() const noexcept { return state_ == state::member && !target_ && revoking_.empty(); }

private:
    enum class state {
        idle,
        finding_coordinator,
        resolving_topic,
        joining,     // the first heartbeat (epoch 0) awaits its answer
        member,      // in the group with an epoch: heartbeats, and reconciling what the broker assigns
        fenced,      // lost partitions are being handed back before the member joins again
        backing_off, // the retry timer resumes `retry_state_`
        revoking_to_leave,
        leaving,
        stopped,
        failed,
    };
    using actions = std::vector<kip848::action>;

    actions on(const kip848::start& e);
    actions on(const kip848::stop& e);
    actions on(const kip848::coordinator_found& e);
    actions on(const kip848::coordinator_lost& e);
    actions on(const kip848::topic_resolved& e);
    actions on(const kip848::heartbeat_answered& e);
    actions on(const kip848::revoke_done& e);
    actions on(const kip848::leave_done& e);
    actions on(const kip848::commit_refused& e);
    actions on(const kip848::timer_fired& e);

    actions find_coordinator();
    actions join();
    actions heartbeat_now(kip848::clock::time_point now);
    kip848::action heartbeat_request(std::int32_t epoch) const;
    actions reconcile(kip848::clock::time_point now);
    actions fenced(kip848::clock::time_point now);
    actions retry_later(kip848::clock::time_point now, state retry_in,
                        std::optional<std::chrono::milliseconds> wait = std::nullopt);
    actions fail(std::error_code ec, const std::string& what);
    actions finish_stop();
    kip848::action arm(kip848::timer which, kip848::clock::time_point at) const;
    bool beating() const noexcept;

    kip848_member_options options_;
    state state_ = state::idle;
    state retry_state_ = state::idle;
    bool stopping_ = false;
    bool coordinator_known_ = false;
    bool heartbeat_in_flight_ = false;
    bool heartbeat_wanted_ = false; // an acknowledgement waits for the heartbeat in flight to return
    int revokes_pending_ = 0;
    std::optional<messages::topic_id> topic_id_;
    std::string member_id_;
    std::int32_t member_epoch_ = messages::member_epoch_join;
    std::chrono::milliseconds heartbeat_interval_;
    std::vector<std::int32_t> owned_;                  // sorted; what heartbeats report as owned
    std::vector<std::int32_t> revoking_;               // sorted; handed to the owner, still in owned_
    std::optional<std::vector<std::int32_t>> target_; // the broker's newest assignment, not yet applied
};

} // namespace kspout::member
