// classic_member: what each answer of the group coordinator means for a classic-protocol member,
// with the error handling of the Java client's AbstractCoordinator/ConsumerCoordinator.
#include "protocol/member/classic_member.hpp"

#include "protocol/group/consumer_protocol.hpp"
#include "protocol/member/group_error_codes.hpp"
#include "protocol/member/partition_lists.hpp"
#include "protocol/wire/broker_error.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace kspout::member {

using namespace classic;
using namespace group_error;

namespace {

bool coordinator_moved(std::int16_t code)
{
    return code == not_coordinator || code == coordinator_not_available;
}

std::string error_name(std::int16_t code)
{
    return std::string(wire::broker_error(code).name);
}

} // namespace

classic_member::classic_member(classic_member_options options)
    : options_(std::move(options)), instance_id_(options_.group_instance_id)
{
}

std::vector<action> classic_member::resume(const event& e)
{
    return std::visit([this](const auto& ev) { return on(ev); }, e);
}

bool classic_member::in_generation() const noexcept
{
    return generation_id_ >= 0 && !member_id_.empty();
}

action classic_member::arm(timer which, clock::time_point at) const
{
    action a{action_type::arm_timer};
    a.which = which;
    a.at = at;
    return a;
}

classic_member::actions classic_member::on(const start&)
{
    if (state_ != state::idle)
        return {};
    return find_coordinator();
}

action classic_member::ask_coordinator()
{
    finding_ = true;
    coordinator_known_ = false;
    return {action_type::find_coordinator};
}

classic_member::actions classic_member::find_coordinator()
{
    state_ = state::finding_coordinator;
    return {ask_coordinator()};
}

classic_member::actions classic_member::on(const coordinator_found& e)
{
    finding_ = false;
    coordinator_known_ = true;
    if (state_ == state::finding_coordinator)
        return stopping_ ? finish_stop() : rejoin(e.now);
    if ((state_ == state::stable || state_ == state::revoking_before_join || state_ == state::revoking_to_leave) &&
        in_generation())
        return {arm(timer::heartbeat, e.now)};
    return {};
}

classic_member::actions classic_member::on(const coordinator_lost& e)
{
    bool lookup_failed = std::exchange(finding_, false);
    coordinator_known_ = false;
    heartbeat_in_flight_ = false;
    switch (state_) {
    case state::finding_coordinator:
        return stopping_ ? finish_stop() : retry_later(e.now, state::finding_coordinator);
    case state::leaving:
        return finish_stop();
    case state::joining:
    case state::counting_partitions:
    case state::syncing:
    case state::backing_off:
        if (stopping_)
            return finish_stop();
        return find_coordinator();
    case state::stable:
    case state::revoking_before_join:
    case state::revoking_to_leave: {
        // Keep the partitions while the coordinator is looked up again; the heartbeat resumes
        // once it is found, and tells us if the generation is gone.
        if (lookup_failed)
            return retry_later(e.now, state::finding_coordinator);
        return {ask_coordinator()};
    }
    default:
        return {};
    }
}

classic_member::actions classic_member::rejoin(clock::time_point)
{
    if (stopping_)
        return finish_stop();
    if (!group::is_cooperative(options_.assignor) && !owned_.empty()) {
        // Eager: give everything up (committing it) before joining the next generation.
        state_ = state::revoking_before_join;
        ++revokes_pending_;
        action a{action_type::revoke, owned_};
        return {std::move(a)};
    }
    if (revokes_pending_ > 0) {
        rejoin_after_revoke_ = true;
        return {};
    }
    return join();
}

classic_member::actions classic_member::join()
{
    if (!coordinator_known_)
        return find_coordinator();
    state_ = state::joining;
    heartbeat_in_flight_ = false;
    group::consumer_subscription subscription;
    subscription.topics = {options_.topic};
    if (group::is_cooperative(options_.assignor) && !owned_.empty()) {
        std::vector<group::topic_partition> owned;
        for (std::int32_t p : owned_)
            owned.push_back({options_.topic, p});
        subscription.owned_partitions = group::group_by_topic(owned);
        subscription.generation_id = generation_id_;
    }
    action a{action_type::send_join};
    a.join.group_id = options_.group_id;
    a.join.session_timeout_ms = static_cast<std::int32_t>(options_.session_timeout.count());
    a.join.rebalance_timeout_ms = static_cast<std::int32_t>(options_.rebalance_timeout.count());
    a.join.member_id = member_id_;
    a.join.group_instance_id = instance_id_;
    a.join.protocol_type = std::string(group::consumer_protocol_type);
    a.join.protocols = {{std::string(group::assignor_name(options_.assignor)), group::encode(subscription)}};
    return {std::move(a)};
}

classic_member::actions classic_member::on(const join_answered& e)
{
    if (state_ != state::joining)
        return {};
    const messages::join_group_response& r = e.response;
    if (!e.static_membership)
        instance_id_.reset();
    switch (r.error_code) {
    case none:
        generation_id_ = r.generation_id;
        member_id_ = r.member_id;
        leader_id_ = r.leader;
        if (stopping_)
            return finish_stop();
        if (r.leader == r.member_id && !r.skip_assignment) {
            leader_members_.clear();
            for (const auto& m : r.members) {
                group::group_member member{m.member_id, m.group_instance_id, {}};
                if (group::decode(m.metadata, member.subscription))
                    return fail(make_error_code(std::errc::bad_message),
                                "member " + m.member_id + " joined with a subscription we cannot read");
                leader_members_.push_back(std::move(member));
            }
            state_ = state::counting_partitions;
            return {{action_type::count_partitions}};
        }
        return sync({}, 0);
    case member_id_required:
        member_id_ = r.member_id;
        return stopping_ ? finish_stop() : join();
    case unknown_member_id:
        member_id_.clear();
        generation_id_ = -1;
        return stopping_ ? finish_stop() : join();
    case illegal_generation:
        generation_id_ = -1;
        return stopping_ ? finish_stop() : join();
    case rebalance_in_progress:
        return stopping_ ? finish_stop() : join();
    case coordinator_load_in_progress:
        return stopping_ ? finish_stop() : retry_later(e.now, state::joining);
    default:
        if (coordinator_moved(r.error_code))
            return on(coordinator_lost{e.now});
        return fail(wire::make_broker_error(r.error_code), "JoinGroup failed: " + error_name(r.error_code));
    }
}

classic_member::actions classic_member::on(const partitions_counted& e)
{
    if (state_ != state::counting_partitions)
        return {};
    if (stopping_)
        return finish_stop();
    if (!e.count)
        return retry_later(e.now, state::joining);
    return sync(leader_members_, *e.count);
}

classic_member::actions classic_member::sync(const std::vector<group::group_member>& members, std::int32_t partition_count)
{
    state_ = state::syncing;
    action a{action_type::send_sync};
    a.sync.group_id = options_.group_id;
    a.sync.generation_id = generation_id_;
    a.sync.member_id = member_id_;
    a.sync.group_instance_id = instance_id_;
    a.sync.protocol_type = std::string(group::consumer_protocol_type);
    a.sync.protocol_name = std::string(group::assignor_name(options_.assignor));
    if (!members.empty()) {
        group::group_assignment shares =
            group::assign(options_.assignor, members, group::partition_counts{{options_.topic, partition_count}});
        for (const auto& [member, share] : shares) {
            group::consumer_assignment payload;
            payload.assigned_partitions = group::group_by_topic(share.assigned);
            a.sync.assignments.push_back({member, group::encode(payload)});
        }
    }
    leader_members_.clear();
    return {std::move(a)};
}

classic_member::actions classic_member::on(const sync_answered& e)
{
    if (state_ != state::syncing)
        return {};
    const messages::sync_group_response& r = e.response;
    switch (r.error_code) {
    case none: {
        if (stopping_)
            return finish_stop();
        group::consumer_assignment payload;
        if (group::decode(r.assignment, payload))
            return fail(make_error_code(std::errc::bad_message), "SyncGroup gave an assignment we cannot read");
        std::vector<std::int32_t> partitions;
        for (const auto& tp : group::flatten(payload.assigned_partitions))
            if (tp.topic == options_.topic)
                partitions.push_back(tp.partition);
        std::sort(partitions.begin(), partitions.end());
        partitions.erase(std::unique(partitions.begin(), partitions.end()), partitions.end());
        return assigned(e.now, std::move(partitions));
    }
    case rebalance_in_progress:
        return stopping_ ? finish_stop() : join();
    case unknown_member_id:
    case illegal_generation:
        return lose_and_rejoin(r.error_code);
    default:
        if (coordinator_moved(r.error_code))
            return on(coordinator_lost{e.now});
        return fail(wire::make_broker_error(r.error_code), "SyncGroup failed: " + error_name(r.error_code));
    }
}

classic_member::actions classic_member::assigned(clock::time_point now, std::vector<std::int32_t> partitions)
{
    state_ = state::stable;
    actions out;
    // Cooperative: what moved is revoked alone, and the member rejoins once it is handed back so
    // that the leader can give it to its new owner. Eager owns nothing here.
    std::vector<std::int32_t> revoked = minus(owned_, partitions);
    std::vector<std::int32_t> added = minus(partitions, owned_);
    owned_ = std::move(partitions);
    if (!revoked.empty()) {
        ++revokes_pending_;
        rejoin_after_revoke_ = true;
        out.push_back({action_type::revoke, std::move(revoked)});
    }
    if (!added.empty())
        out.push_back({action_type::assign, std::move(added)});
    out.push_back(arm(timer::heartbeat, now + options_.heartbeat_interval));
    return out;
}

classic_member::actions classic_member::lose_partitions(bool forget_member_id)
{
    generation_id_ = -1;
    if (forget_member_id)
        member_id_.clear();
    if (owned_.empty())
        return {};
    // Another member may own them already: nothing of them is committed.
    ++revokes_pending_;
    action a{action_type::revoke, std::exchange(owned_, {})};
    a.lost = true;
    return {std::move(a)};
}

classic_member::actions classic_member::lose_and_rejoin(std::int16_t error_code)
{
    // ILLEGAL_GENERATION keeps the member id for the next join; UNKNOWN_MEMBER_ID does not.
    actions out = lose_partitions(error_code == unknown_member_id);
    actions next = stopping_ ? finish_stop() : join();
    out.insert(out.end(), next.begin(), next.end());
    return out;
}

classic_member::actions classic_member::on(const heartbeat_answered& e)
{
    if (e.generation_id != generation_id_ || !heartbeat_in_flight_)
        return {};
    heartbeat_in_flight_ = false;
    bool beating = state_ == state::stable || state_ == state::revoking_before_join || state_ == state::revoking_to_leave;
    if (!beating)
        return {};
    switch (e.error_code) {
    case none:
    case coordinator_load_in_progress:
        return {arm(timer::heartbeat, e.now + options_.heartbeat_interval)};
    case rebalance_in_progress:
        if (state_ != state::stable)
            return {arm(timer::heartbeat, e.now + options_.heartbeat_interval)};
        if (revokes_pending_ > 0) {
            rejoin_after_revoke_ = true;
            return {arm(timer::heartbeat, e.now + options_.heartbeat_interval)};
        }
        return rejoin(e.now);
    case unknown_member_id:
    case illegal_generation: {
        if (state_ != state::stable) {
            // The revoke under way goes on; its commits are refused from now on.
            generation_id_ = -1;
            if (e.error_code == unknown_member_id)
                member_id_.clear();
            return {};
        }
        return lose_and_rejoin(e.error_code);
    }
    default:
        if (coordinator_moved(e.error_code))
            return on(coordinator_lost{e.now});
        return fail(wire::make_broker_error(e.error_code), "Heartbeat failed: " + error_name(e.error_code));
    }
}

classic_member::actions classic_member::on(const revoke_done& e)
{
    if (revokes_pending_ == 0)
        return {};
    if (--revokes_pending_ > 0)
        return {};
    switch (state_) {
    case state::revoking_before_join:
        owned_.clear();
        return join();
    case state::revoking_to_leave:
        owned_.clear();
        return finish_stop();
    case state::stable:
        if (std::exchange(rejoin_after_revoke_, false))
            return rejoin(e.now);
        return {};
    default:
        return {};
    }
}

classic_member::actions classic_member::on(const commit_refused& e)
{
    switch (wire::member_commit_error_action(e.error_code)) {
    case wire::error_action::fatal:
        return fail(wire::make_broker_error(e.error_code), "OffsetCommit refused: " + error_name(e.error_code));
    case wire::error_action::find_coordinator:
        return on(coordinator_lost{e.now});
    case wire::error_action::rejoin:
        if (state_ != state::stable)
            return {}; // a rebalance is under way already
        if (e.error_code == rebalance_in_progress)
            return revokes_pending_ > 0 ? (rejoin_after_revoke_ = true, actions{}) : rejoin(e.now);
        return lose_and_rejoin(e.error_code);
    default:
        return {};
    }
}

classic_member::actions classic_member::on(const timer_fired& e)
{
    if (e.which == timer::heartbeat) {
        bool beating =
            state_ == state::stable || state_ == state::revoking_before_join || state_ == state::revoking_to_leave;
        if (!beating || !coordinator_known_ || heartbeat_in_flight_ || !in_generation())
            return {};
        heartbeat_in_flight_ = true;
        action a{action_type::send_heartbeat};
        a.heartbeat = {options_.group_id, generation_id_, member_id_, instance_id_};
        return {std::move(a)};
    }
    if (retry_state_ == state::finding_coordinator) {
        retry_state_ = state::idle;
        if (state_ == state::backing_off || state_ == state::finding_coordinator)
            return find_coordinator();
        if (!coordinator_known_ && !finding_)
            return {ask_coordinator()};
        return {};
    }
    if (retry_state_ == state::joining && state_ == state::backing_off) {
        retry_state_ = state::idle;
        return join();
    }
    return {};
}

classic_member::actions classic_member::retry_later(clock::time_point now, state retry_in)
{
    retry_state_ = retry_in;
    if (state_ == state::joining || state_ == state::counting_partitions || state_ == state::finding_coordinator)
        state_ = state::backing_off;
    return {arm(timer::retry, now + options_.retry_backoff)};
}

classic_member::actions classic_member::fail(std::error_code ec, const std::string& what)
{
    actions out = lose_partitions(false);
    state_ = state::failed;
    action report{action_type::report_error};
    report.error = ec;
    report.what = "group " + options_.group_id + ": " + what;
    out.push_back(std::move(report));
    if (stopping_)
        out.push_back({action_type::stopped});
    return out;
}

classic_member::actions classic_member::on(const stop&)
{
    if (stopping_)
        return {};
    stopping_ = true;
    switch (state_) {
    case state::joining:
    case state::counting_partitions:
    case state::syncing:
        return {}; // the answer under way finishes the stop
    case state::failed:
    case state::idle:
        state_ = state::stopped;
        return {{action_type::stopped}};
    default:
        return finish_stop();
    }
}

classic_member::actions classic_member::finish_stop()
{
    if (!owned_.empty() && state_ != state::revoking_to_leave) {
        state_ = state::revoking_to_leave;
        ++revokes_pending_;
        return {{action_type::revoke, owned_}};
    }
    if (revokes_pending_ > 0) {
        state_ = state::revoking_to_leave;
        return {};
    }
    owned_.clear();
    // A static member's partitions wait for it for the session timeout: no LeaveGroup.
    if (!member_id_.empty() && !instance_id_ && coordinator_known_) {
        state_ = state::leaving;
        action a{action_type::send_leave};
        a.leave.group_id = options_.group_id;
        a.leave.members = {{member_id_, std::nullopt, std::nullopt}};
        return {std::move(a)};
    }
    state_ = state::stopped;
    return {{action_type::stopped}};
}

classic_member::actions classic_member::on(const leave_done&)
{
    if (state_ != state::leaving)
        return {};
    state_ = state::stopped;
    member_id_.clear();
    generation_id_ = -1;
    return {{action_type::stopped}};
}

} // namespace kspout::member
