// kip848_member: what each ConsumerGroupHeartbeat answer means for a member of a KIP-848 group,
// with the reconciliation and error handling of the Java client's ConsumerMembershipManager.
#include "protocol/member/kip848_member.hpp"

#include "protocol/member/group_error_codes.hpp"
#include "protocol/member/partition_lists.hpp"
#include "protocol/text/excerpt.hpp"
#include "protocol/wire/broker_error.hpp"

#include <algorithm>
#include <utility>

namespace kspout::member {

using namespace kip848;
using namespace group_error;

namespace {

std::string error_name(std::int16_t code)
{
    return std::string(wire::broker_error(code).name);
}

} // namespace

kip848_member::kip848_member(kip848_member_options options)
    : options_(std::move(options)), member_id_(options_.member_id), heartbeat_interval_(options_.heartbeat_interval)
{
}

std::vector<action> kip848_member::resume(const event& e)
{
    return std::visit([this](const auto& ev) { return on(ev); }, e);
}

bool kip848_member::beating() const noexcept
{
    return coordinator_known_ && member_epoch_ > 0 && (state_ == state::member || state_ == state::revoking_to_leave);
}

action kip848_member::arm(timer which, clock::time_point at) const
{
    action a{action_type::arm_timer};
    a.which = which;
    a.at = at;
    return a;
}

kip848_member::actions kip848_member::on(const start&)
{
    if (state_ != state::idle)
        return {};
    return find_coordinator();
}

kip848_member::actions kip848_member::find_coordinator()
{
    state_ = state::finding_coordinator;
    coordinator_known_ = false;
    return {{action_type::find_coordinator}};
}

kip848_member::actions kip848_member::on(const coordinator_found& e)
{
    if (state_ != state::finding_coordinator)
        return {};
    coordinator_known_ = true;
    if (member_epoch_ > 0) {
        // Back with the coordinator as the member it was: heartbeats resume and say if that still holds.
        state_ = state::member;
        if (stopping_)
            return finish_stop();
        actions out = heartbeat_now(e.now);
        out.push_back(arm(timer::heartbeat, e.now + heartbeat_interval_));
        return out;
    }
    if (stopping_)
        return finish_stop();
    if (!topic_id_) {
        state_ = state::resolving_topic;
        return {{action_type::resolve_topic}};
    }
    return join();
}

kip848_member::actions kip848_member::on(const coordinator_lost& e)
{
    coordinator_known_ = false;
    heartbeat_in_flight_ = false;
    switch (state_) {
    case state::finding_coordinator:
        return stopping_ ? finish_stop() : retry_later(e.now, state::finding_coordinator);
    case state::joining:
    case state::member:
        // A member keeps its partitions while the coordinator is looked up again.
        return stopping_ && owned_.empty() && revokes_pending_ == 0 ? finish_stop() : find_coordinator();
    case state::leaving:
        state_ = state::stopped;
        return {{action_type::stopped}};
    default:
        return {}; // a revoke under way finishes first; what follows looks the coordinator up
    }
}

kip848_member::actions kip848_member::on(const topic_resolved& e)
{
    if (state_ != state::resolving_topic)
        return {};
    if (!e.id)
        return stopping_ ? finish_stop() : retry_later(e.now, state::resolving_topic);
    if (*e.id == messages::zero_topic_id) // Metadata before v10: a broker long before KIP-848
        return fail(wire::make_broker_error(unsupported_version),
                    "the broker has no topic ids, so no KIP-848 consumer group protocol (Kafka 4.0 and later); set "
                    "kafka.group.protocol=classic");
    topic_id_ = *e.id;
    return stopping_ ? finish_stop() : join();
}

action kip848_member::heartbeat_request(std::int32_t epoch) const
{
    action a{action_type::send_heartbeat};
    auto& h = a.heartbeat;
    h.group_id = options_.group_id;
    h.member_id = member_id_;
    h.member_epoch = epoch;
    h.instance_id = options_.group_instance_id;
    h.rebalance_timeout_ms = static_cast<std::int32_t>(options_.rebalance_timeout.count());
    h.subscribed_topic_names = std::vector<std::string>{options_.topic};
    h.server_assignor = options_.server_assignor;
    // Every heartbeat says what is owned: the broker takes it as the acknowledgement of what it
    // assigned and of what was revoked.
    h.topic_partitions.emplace();
    if (!owned_.empty())
        h.topic_partitions->push_back({*topic_id_, owned_});
    return a;
}

kip848_member::actions kip848_member::join()
{
    if (!coordinator_known_)
        return find_coordinator();
    state_ = state::joining;
    member_epoch_ = messages::member_epoch_join;
    heartbeat_in_flight_ = true;
    heartbeat_wanted_ = false;
    return {heartbeat_request(messages::member_epoch_join)};
}

kip848_member::actions kip848_member::heartbeat_now(clock::time_point)
{
    if (!beating())
        return {};
    if (heartbeat_in_flight_) {
        heartbeat_wanted_ = true;
        return {};
    }
    heartbeat_in_flight_ = true;
    heartbeat_wanted_ = false;
    return {heartbeat_request(member_epoch_)};
}

kip848_member::actions kip848_member::on(const heartbeat_answered& e)
{
    if (!heartbeat_in_flight_)
        return {};
    heartbeat_in_flight_ = false;
    if (state_ != state::joining && state_ != state::member && state_ != state::revoking_to_leave)
        return {};
    const messages::consumer_group_heartbeat_response& r = e.response;
    switch (r.error_code) {
    case none: {
        if (r.member_id && !r.member_id->empty())
            member_id_ = *r.member_id;
        member_epoch_ = r.member_epoch;
        if (r.heartbeat_interval_ms > 0)
            heartbeat_interval_ = std::chrono::milliseconds(r.heartbeat_interval_ms);
        if (r.assignment) {
            std::vector<std::int32_t> target;
            for (const auto& tp : *r.assignment)
                if (tp.topic_id == *topic_id_)
                    target.insert(target.end(), tp.partitions.begin(), tp.partitions.end());
            std::sort(target.begin(), target.end());
            target.erase(std::unique(target.begin(), target.end()), target.end());
            target_ = std::move(target);
        }
        if (state_ == state::joining) {
            state_ = state::member;
            if (stopping_)
                return finish_stop();
        }
        actions out;
        if (state_ == state::member)
            out = reconcile(e.now);
        if (heartbeat_wanted_) {
            actions ack = heartbeat_now(e.now);
            out.insert(out.end(), ack.begin(), ack.end());
        }
        out.push_back(arm(timer::heartbeat, e.now + heartbeat_interval_));
        return out;
    }
    case fenced_member_epoch:
    case unknown_member_id:
        return fenced(e.now);
    case coordinator_load_in_progress:
        if (state_ == state::joining)
            return retry_later(e.now, state::joining);
        return {arm(timer::heartbeat, e.now + options_.retry_backoff)};
    case unreleased_instance_id:
        // A static member's earlier process still holds the instance id (Storm moved the task, or
        // restarted it before the old session ended): join again once per heartbeat interval
        // until the broker lets the old one go.
        if (state_ != state::joining)
            return fail(wire::make_broker_error(r.error_code), "ConsumerGroupHeartbeat failed: UNRELEASED_INSTANCE_ID");
        return retry_later(e.now, state::joining, heartbeat_interval_);
    case not_coordinator:
    case coordinator_not_available:
        return on(coordinator_lost{e.now});
    case unsupported_version:
        return fail(wire::make_broker_error(r.error_code),
                    "the broker does not offer KIP-848's consumer group protocol (Kafka 4.0 and later, with "
                    "group.coordinator.rebalance.protocols including consumer); set kafka.group.protocol=classic");
    default:
        return fail(wire::make_broker_error(r.error_code), "ConsumerGroupHeartbeat failed: " + error_name(r.error_code) +
                                                               (r.error_message ? ": " + text::excerpt(*r.error_message) : ""));
    }
}

// One reconciliation at a time: the newest target is applied once the revoke under way is done.
// New partitions are taken at once (the broker gives a partition only after its last owner
// acknowledged giving it up); revoked ones are acknowledged once the owner has finished with them.
kip848_member::actions kip848_member::reconcile(clock::time_point now)
{
    if (revokes_pending_ > 0 || !target_)
        return {};
    std::vector<std::int32_t> target = std::move(*target_);
    target_.reset();
    std::vector<std::int32_t> revoked = minus(owned_, target);
    std::vector<std::int32_t> added = minus(target, owned_);
    actions out;
    if (!revoked.empty()) {
        revoking_ = revoked;
        ++revokes_pending_;
        out.push_back({action_type::revoke, std::move(revoked)});
    }
    if (!added.empty()) {
        owned_ = sorted_union(owned_, added);
        out.push_back({action_type::assign, std::move(added)});
        actions ack = heartbeat_now(now);
        out.insert(out.end(), ack.begin(), ack.end());
    }
    return out;
}

// The broker no longer knows this member at this epoch: its partitions are someone else's. They
// are given up without commits, and the member joins again with epoch 0 and the same id.
kip848_member::actions kip848_member::fenced(clock::time_point)
{
    member_epoch_ = messages::member_epoch_join;
    heartbeat_in_flight_ = false;
    heartbeat_wanted_ = false;
    target_.reset();
    std::vector<std::int32_t> lost = minus(owned_, revoking_);
    state_ = state::fenced;
    if (!lost.empty()) {
        ++revokes_pending_;
        action a{action_type::revoke, std::move(lost)};
        a.lost = true;
        return {std::move(a)};
    }
    if (revokes_pending_ > 0)
        return {}; // the revoke under way ends the fence (its commits are refused from now on)
    owned_.clear();
    return stopping_ ? finish_stop() : join();
}

kip848_member::actions kip848_member::on(const revoke_done& e)
{
    if (revokes_pending_ == 0 || --revokes_pending_ > 0)
        return {};
    switch (state_) {
    case state::fenced:
        owned_.clear();
        revoking_.clear();
        return stopping_ ? finish_stop() : join();
    case state::revoking_to_leave:
        owned_ = minus(owned_, revoking_);
        revoking_.clear();
        return finish_stop();
    case state::failed:
    case state::stopped:
        return {};
    default: {
        owned_ = minus(owned_, revoking_);
        revoking_.clear();
        actions out = heartbeat_now(e.now); // acknowledges the revoke
        actions next = reconcile(e.now);
        out.insert(out.end(), next.begin(), next.end());
        return out;
    }
    }
}

kip848_member::actions kip848_member::on(const commit_refused& e)
{
    switch (e.error_code) {
    case stale_member_epoch:
        return {}; // committed with an epoch the next heartbeat replaces; the next commit carries it
    case fenced_member_epoch:
    case unknown_member_id:
        return state_ == state::member ? fenced(e.now) : actions{};
    default:
        break;
    }
    switch (wire::member_commit_error_action(e.error_code)) {
    case wire::error_action::fatal:
        return fail(wire::make_broker_error(e.error_code), "OffsetCommit refused: " + error_name(e.error_code));
    case wire::error_action::find_coordinator:
        return state_ == state::member ? on(coordinator_lost{e.now}) : actions{};
    default:
        return {};
    }
}

kip848_member::actions kip848_member::on(const timer_fired& e)
{
    if (e.which == timer::heartbeat) {
        if (!beating() || heartbeat_in_flight_)
            return {};
        heartbeat_in_flight_ = true;
        heartbeat_wanted_ = false;
        return {heartbeat_request(member_epoch_)};
    }
    if (state_ != state::backing_off)
        return {};
    switch (std::exchange(retry_state_, state::idle)) {
    case state::finding_coordinator:
        return find_coordinator();
    case state::resolving_topic:
        state_ = state::resolving_topic;
        return {{action_type::resolve_topic}};
    case state::joining:
        return join();
    default:
        return {};
    }
}

kip848_member::actions kip848_member::retry_later(clock::time_point now, state retry_in,
                                                  std::optional<std::chrono::milliseconds> wait)
{
    retry_state_ = retry_in;
    state_ = state::backing_off;
    return {arm(timer::retry, now + wait.value_or(options_.retry_backoff))};
}

kip848_member::actions kip848_member::fail(std::error_code ec, const std::string& what)
{
    actions out;
    std::vector<std::int32_t> lost = minus(owned_, revoking_);
    if (!lost.empty()) {
        ++revokes_pending_;
        action a{action_type::revoke, std::move(lost)};
        a.lost = true;
        out.push_back(std::move(a));
    }
    owned_.clear();
    member_epoch_ = messages::member_epoch_join;
    state_ = state::failed;
    action report{action_type::report_error};
    report.error = ec;
    report.what = "group " + options_.group_id + ": " + what;
    out.push_back(std::move(report));
    if (stopping_)
        out.push_back({action_type::stopped});
    return out;
}

kip848_member::actions kip848_member::on(const stop&)
{
    if (stopping_)
        return {};
    stopping_ = true;
    switch (state_) {
    case state::joining:
    case state::fenced:
        return {}; // the answer or the revoke under way finishes the stop
    case state::idle:
    case state::failed:
        state_ = state::stopped;
        return {{action_type::stopped}};
    default:
        return finish_stop();
    }
}

// Everything owned is revoked (and committed by the owner), then the member leaves: epoch -1, or
// -2 for a static member, whose partitions the broker keeps for a restart within the session.
kip848_member::actions kip848_member::finish_stop()
{
    state_ = state::revoking_to_leave;
    if (revokes_pending_ > 0)
        return {};
    if (!owned_.empty()) {
        revoking_ = owned_;
        ++revokes_pending_;
        return {{action_type::revoke, owned_}};
    }
    if (member_epoch_ > 0 && coordinator_known_) {
        state_ = state::leaving;
        action a{action_type::send_leave};
        a.heartbeat.group_id = options_.group_id;
        a.heartbeat.member_id = member_id_;
        a.heartbeat.instance_id = options_.group_instance_id;
        a.heartbeat.member_epoch =
            options_.group_instance_id ? messages::member_epoch_leave_static : messages::member_epoch_leave;
        return {std::move(a)};
    }
    state_ = state::stopped;
    return {{action_type::stopped}};
}

kip848_member::actions kip848_member::on(const leave_done&)
{
    if (state_ != state::leaving)
        return {};
    state_ = state::stopped;
    member_epoch_ = messages::member_epoch_join;
    return {{action_type::stopped}};
}

} // namespace kspout::member
