// rebalance_cycle: what each answer of ZooKeeper, the cluster or a timer means for the attempt under way.
#include "protocol/balanced/rebalance_cycle.hpp"

#include "protocol/balanced/balanced_error.hpp"
#include "protocol/balanced/rebalance_plan.hpp"

#include <algorithm>
#include <utility>

namespace kspout::balanced {

using namespace cycle;

rebalance_cycle::rebalance_cycle(balanced_options options, std::string consumer_id, log::logger log)
    : options_(std::move(options)), consumer_id_(std::move(consumer_id)), log_(std::move(log))
{
}

std::vector<action> rebalance_cycle::resume(const event& e)
{
    return std::visit([this](const auto& ev) { return on(ev); }, e);
}

std::vector<action> rebalance_cycle::on(const rebalance_requested& e)
{
    if (stopping_)
        return {};
    log_.debug("balanced consumer " + consumer_id_ + ": rebalance requested (" + e.reason + ")");
    wanted_ = true;
    return {{action_type::start_later}};
}

std::vector<action> rebalance_cycle::on(const try_start& e)
{
    if (!wanted_ || rebalancing_ || stopping_ || e.releases_pending || !e.member_ready)
        return {}; // whatever clears the gate comes back here
    if (e.now < not_before_)
        return {}; // the retry timer comes back here
    rebalancing_ = true;
    wanted_ = false;
    conflict_cleared_ = false;
    ++attempt_;
    if (!episode_open_) {
        episode_open_ = true;
        episode_deadline_ = e.now + options_.rebalance_deadline;
    }
    return {{action_type::read_metadata, attempt_}};
}

std::vector<action> rebalance_cycle::on(const metadata_read& e)
{
    if (!current(e.attempt))
        return {};
    if (!e.error.empty())
        return failed(e.now, make_error_code(errc::metadata_unavailable), e.error);
    attempt_view_ = e.partitions;
    if (!options_.fixed)
        return {{action_type::read_members, attempt_}};
    std::vector<group::partition_info> mine;
    for (std::int32_t p : static_assignment(attempt_view_, *options_.fixed)) {
        auto it = std::find_if(attempt_view_.begin(), attempt_view_.end(),
                               [p](const group::partition_info& i) { return i.id == p; });
        mine.push_back(*it);
    }
    return {{action_type::apply_target, attempt_, std::move(mine)}};
}

std::vector<action> rebalance_cycle::on(const members_read& e)
{
    if (!current(e.attempt))
        return {};
    if (!e.registered) {
        // Our registration is gone although the session lives (deleted by hand?): register again.
        rebalancing_ = false;
        wanted_ = true;
        return {{action_type::register_member}};
    }
    if (e.error)
        return failed(e.now, e.error, e.what);
    std::vector<std::string> participants = group::select_participants(e.members, options_.topic);
    auto mine = group::decide_partitions(to_group_strategy(options_.strategy), options_.topic, attempt_view_,
                                         participants, consumer_id_);
    if (!mine)
        return failed(e.now, make_error_code(errc::registration_failed),
                      "our registration does not name topic " + options_.topic);
    if (log_.enabled(log::log_level::debug)) {
        std::string view;
        for (const auto& p : group::sort_partitions(options_.topic, attempt_view_))
            view += (view.empty() ? "" : " ") + std::to_string(p.id) + "@" + std::to_string(p.leader);
        std::vector<std::int32_t> share;
        for (const auto& p : *mine)
            share.push_back(p.id);
        log_.debug("balanced consumer " + consumer_id_ + ": " + std::to_string(participants.size()) +
                   " members; partitions in assignment order " + view + "; our share: " + partition_list(share));
    }
    return {{action_type::apply_target, attempt_, std::move(*mine)}};
}

std::vector<action> rebalance_cycle::on(const target_applied& e)
{
    if (!current(e.attempt))
        return {};
    if (e.error)
        return failed(e.now, e.error, e.what);
    if (!e.conflicts.empty()) {
        std::vector<std::int32_t> conflicts = e.conflicts;
        std::sort(conflicts.begin(), conflicts.end());
        return failed(e.now, make_error_code(errc::rebalance_timed_out),
                      "partitions " + partition_list(conflicts) + " still owned by other members", e.vanished);
    }
    if (!e.released)
        return failed(e.now, make_error_code(errc::rebalance_timed_out),
                      "owner nodes of released partitions could not be deleted");
    return succeeded(e.owned);
}

std::vector<action> rebalance_cycle::succeeded(const std::vector<std::int32_t>& owned)
{
    rebalancing_ = false;
    episode_open_ = false;
    backoff_ = {};
    not_before_ = {};
    assigned_view_ = attempt_view_;
    have_view_ = true;
    first_done_ = true;
    log_.info("balanced consumer " + consumer_id_ + ": rebalanced; owns partitions " + partition_list(owned));
    if (stopping_)
        return {{action_type::continue_stop}};
    return {{action_type::start_now}};
}

std::vector<action> rebalance_cycle::failed(clock::time_point now, std::error_code ec, const std::string& what,
                                            bool retry_soon)
{
    rebalancing_ = false;
    wanted_ = true;
    if (stopping_)
        return {{action_type::continue_stop}};
    // Collisions with claims not yet released are the normal course of a hand-off.
    log_.log(ec == errc::rebalance_timed_out ? log::log_level::debug : log::log_level::info,
             "balanced consumer " + consumer_id_ + ": rebalance attempt failed: " + what);
    retry_soon = retry_soon || std::exchange(conflict_cleared_, false);
    std::vector<action> out;
    if (episode_open_ && now >= episode_deadline_) {
        episode_deadline_ = now + options_.rebalance_deadline;
        out.push_back({action_type::report_error, 0, {}, {},
                       ec.category() == balanced_category() ? ec : make_error_code(errc::rebalance_timed_out),
                       "balanced consumer " + consumer_id_ + ": rebalance not complete after " +
                           std::to_string(options_.rebalance_deadline.count()) + " ms: " + what + "; still trying"});
    }
    if (retry_soon) {
        not_before_ = {};
        out.push_back({action_type::start_now});
        return out;
    }
    retry_for_ = retry_purpose::rebalance;
    out.push_back(arm_retry(now));
    return out;
}

action rebalance_cycle::arm_retry(clock::time_point now)
{
    backoff_ = next_backoff(backoff_, options_.rebalance_backoff, options_.rebalance_backoff_max);
    not_before_ = now + backoff_;
    return {action_type::arm_retry_timer, 0, {}, not_before_};
}

std::vector<action> rebalance_cycle::on(const conflict_cleared&)
{
    if (rebalancing_) {
        conflict_cleared_ = true; // the attempt under way retries at once if it fails
        return {};
    }
    if (!wanted_ || stopping_)
        return {};
    not_before_ = {};
    return {{action_type::cancel_retry_timer}, {action_type::start_now}};
}

std::vector<action> rebalance_cycle::on(const retry_timer_fired&)
{
    if (retry_for_ == retry_purpose::registration)
        return {{action_type::register_member}};
    return {{action_type::start_now}};
}

std::vector<action> rebalance_cycle::on(const registration_done& e)
{
    if (e.ok) {
        backoff_ = {};
        not_before_ = {};
        return {};
    }
    log_.warning("balanced consumer " + consumer_id_ + ": registration failed: " + e.why);
    std::vector<action> out;
    if (!episode_open_) {
        episode_open_ = true;
        episode_deadline_ = e.now + options_.rebalance_deadline;
    } else if (e.now >= episode_deadline_) {
        episode_deadline_ = e.now + options_.rebalance_deadline;
        out.push_back({action_type::report_error, 0, {}, {}, make_error_code(errc::registration_failed),
                       "balanced consumer " + consumer_id_ + ": not registered in group " + options_.group_id +
                           " after " + std::to_string(options_.rebalance_deadline.count()) + " ms: " + e.why +
                           "; still trying"});
    }
    retry_for_ = retry_purpose::registration;
    out.push_back(arm_retry(e.now));
    return out;
}

std::vector<action> rebalance_cycle::on(const session_lost&)
{
    abort_attempt();
    wanted_ = true;
    return {};
}

std::vector<action> rebalance_cycle::on(const stop_requested&)
{
    abort_attempt();
    stopping_ = true;
    return {};
}

void rebalance_cycle::abort_attempt()
{
    if (!rebalancing_)
        return;
    rebalancing_ = false;
    wanted_ = true;
    ++attempt_;
}

std::vector<action> rebalance_cycle::on(const metadata_checked& e)
{
    if (stopping_ || !have_view_ || rebalancing_ || !partitions_changed(assigned_view_, e.partitions))
        return {};
    log_.info("balanced consumer " + consumer_id_ + ": topic " + options_.topic + " now has " +
              std::to_string(e.partitions.size()) + " partitions (was " + std::to_string(assigned_view_.size()) +
              ") or its leaders moved");
    return on(rebalance_requested{"metadata changed"});
}

} // namespace kspout::balanced
