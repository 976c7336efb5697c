// balanced_consumer: one rebalance at a time: fresh metadata, the members from ZooKeeper, pykafka's
// assignment, release what is no longer ours, claim the rest; retries, deadline, metadata checks.
#include "protocol/balanced/balanced_consumer.hpp"

#include "protocol/balanced/balanced_error.hpp"
#include "protocol/balanced/rebalance_plan.hpp"
#include "protocol/group/participants.hpp"
#include "protocol/group/paths.hpp"
#include "protocol/wire/broker_error.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <utility>

namespace kspout::balanced {
namespace {

using clock = std::chrono::steady_clock;

std::vector<group::partition_info> partitions_of(const io::topic_metadata& topic)
{
    std::vector<group::partition_info> out;
    out.reserve(topic.partitions.size());
    for (const auto& p : topic.partitions)
        out.push_back({p.partition, p.leader});
    return out;
}

struct members_read {
    std::vector<group::member_registration> members;
    std::size_t remaining = 0;
    std::error_code error;
    std::string failed_path;
};

} // namespace

void balanced_consumer::request_rebalance(std::string_view reason)
{
    if (!started_ || stopping_ || stopped_ || !invalid_.empty())
        return;
    log_.debug("balanced consumer " + consumer_id_ + ": rebalance requested (" + std::string(reason) + ")");
    rebalance_wanted_ = true;
    boost::asio::post(executor_, [weak = weak_from_this()] {
        if (auto self = weak.lock())
            self->maybe_rebalance();
    });
}

void balanced_consumer::maybe_rebalance()
{
    if (!rebalance_wanted_ || rebalancing_ || stopping_ || stopped_ || releases_in_flight_ > 0)
        return;
    if (!options_.fixed && (!connected_ || registered_session_ == 0))
        return; // the session handler comes back here once registered
    auto now = clock::now();
    if (now < not_before_)
        return; // the retry timer comes back here
    rebalancing_ = true;
    rebalance_wanted_ = false;
    conflict_cleared_ = false;
    std::uint64_t attempt = ++attempt_;
    if (!episode_open_) {
        episode_open_ = true;
        episode_deadline_ = now + options_.rebalance_deadline;
    }
    read_metadata(attempt);
}

void balanced_consumer::read_metadata(std::uint64_t attempt)
{
    cluster_->refresh_metadata({options_.topic}, [weak = weak_from_this(), attempt](std::error_code ec) {
        auto self = weak.lock();
        if (!self || !self->current(attempt))
            return;
        if (ec) {
            self->attempt_failed(attempt, make_error_code(errc::metadata_unavailable),
                                 "metadata refresh failed: " + ec.message());
            return;
        }
        const io::topic_metadata* topic = self->cluster_->topic(self->options_.topic);
        if (!topic || topic->error_code != 0 || topic->partitions.empty()) {
            std::string why = !topic ? "topic missing from metadata"
                              : topic->error_code != 0
                                  ? "topic error " + wire::make_broker_error(topic->error_code).message()
                                  : "topic has no partitions";
            self->attempt_failed(attempt, make_error_code(errc::metadata_unavailable),
                                 "topic " + self->options_.topic + ": " + why);
            return;
        }
        self->attempt_view_ = partitions_of(*topic);
        if (self->options_.fixed) {
            std::vector<group::partition_info> mine;
            for (std::int32_t p : static_assignment(self->attempt_view_, *self->options_.fixed)) {
                auto it = std::find_if(self->attempt_view_.begin(), self->attempt_view_.end(),
                                       [p](const group::partition_info& i) { return i.id == p; });
                mine.push_back(*it);
            }
            self->apply_target(attempt, std::move(mine));
            return;
        }
        self->read_members(attempt, self->attempt_view_);
    });
}

void balanced_consumer::read_members(std::uint64_t attempt, std::vector<group::partition_info> partitions)
{
    std::uint64_t epoch = session_epoch_;
    bool with_watch = !ids_watch_armed_;
    zk::watch_handler watcher;
    if (with_watch) {
        watcher = [weak = weak_from_this(), epoch](std::error_code ec, zk::watch_event) {
            auto self = weak.lock();
            if (!self || self->session_epoch_ != epoch)
                return;
            self->ids_watch_armed_ = false;
            if (!ec)
                self->request_rebalance("group members changed");
        };
    }
    zk_->get_children(
        ids_path_,
        [weak = weak_from_this(), attempt, epoch, with_watch,
         partitions = std::move(partitions)](std::error_code ec, std::vector<std::string> children, zk::stat) mutable {
            auto self = weak.lock();
            if (!self)
                return;
            if (!ec && with_watch && self->session_epoch_ == epoch)
                self->ids_watch_armed_ = true;
            if (!self->current(attempt))
                return;
            if (ec) {
                self->attempt_failed(attempt, ec, "cannot list " + self->ids_path_ + ": " + ec.message());
                return;
            }
            if (std::find(children.begin(), children.end(), self->consumer_id_) == children.end()) {
                // Our registration is gone although the session lives (deleted by hand?): register again.
                self->log_.warning("balanced consumer " + self->consumer_id_ + ": our registration " +
                                   self->member_path_ + " is missing; registering again");
                self->rebalancing_ = false;
                self->rebalance_wanted_ = true;
                self->registered_session_ = 0;
                self->register_member();
                return;
            }
            auto read = std::make_shared<members_read>();
            read->remaining = children.size();
            for (std::string& child : children) {
                std::string path = group::member_path(self->options_.group_id, child);
                self->zk_->get(path, [weak, attempt, read, child, path,
                                      partitions](std::error_code gec, std::string data, zk::stat) {
                    auto me = weak.lock();
                    if (!me)
                        return;
                    if (!gec)
                        read->members.push_back({child, std::move(data)});
                    else if (gec != zk::errc::no_node && !read->error) {
                        read->error = gec; // a member that left meanwhile is simply not counted
                        read->failed_path = path;
                    }
                    if (--read->remaining > 0 || !me->current(attempt))
                        return;
                    if (read->error) {
                        me->attempt_failed(attempt, read->error,
                                           "cannot read " + read->failed_path + ": " + read->error.message());
                        return;
                    }
                    me->decide(attempt, partitions, group::select_participants(read->members, me->options_.topic));
                });
            }
        },
        std::move(watcher));
}

void balanced_consumer::decide(std::uint64_t attempt, std::vector<group::partition_info> partitions,
                               std::vector<std::string> participants)
{
    auto mine = group::decide_partitions(to_group_strategy(options_.strategy), options_.topic, partitions,
                                         participants, consumer_id_);
    if (!mine) {
        attempt_failed(attempt, make_error_code(errc::registration_failed),
                       "our registration does not name topic " + options_.topic);
        return;
    }
    if (log_.enabled(log::log_level::debug)) {
        std::string view;
        for (const auto& p : group::sort_partitions(options_.topic, partitions))
            view += (view.empty() ? "" : " ") + std::to_string(p.id) + "@" + std::to_string(p.leader);
        std::vector<std::int32_t> share;
        for (const auto& p : *mine)
            share.push_back(p.id);
        log_.debug("balanced consumer " + consumer_id_ + ": " + std::to_string(participants.size()) +
                   " members; partitions in assignment order " + view + "; our share: " + partition_list(share));
    }
    apply_target(attempt, std::move(*mine));
}

void balanced_consumer::apply_target(std::uint64_t attempt, std::vector<group::partition_info> target)
{
    std::vector<std::int32_t> target_ids;
    for (const auto& p : target)
        target_ids.push_back(p.id);
    std::sort(target_ids.begin(), target_ids.end());
    // A claim we are unsure of and still want is checked again by claiming it.
    for (auto it = claims_.begin(); it != claims_.end();) {
        if (it->second.doubtful && std::binary_search(target_ids.begin(), target_ids.end(), it->first))
            it = claims_.erase(it);
        else
            ++it;
    }
    std::vector<std::int32_t> held;
    for (const auto& [p, c] : claims_)
        held.push_back(p);
    rebalance_plan plan = plan_rebalance(held, target_ids);
    if (!plan.release.empty() || !plan.claim.empty())
        log_.info("balanced consumer " + consumer_id_ + ": rebalancing: releasing " + partition_list(plan.release) +
                  ", claiming " + partition_list(plan.claim));

    auto after_release = [weak = weak_from_this(), attempt, target = std::move(target),
                          target_ids](bool released) mutable {
        auto self = weak.lock();
        if (!self || !self->current(attempt))
            return;
        std::vector<group::partition_info> wanted;
        for (const auto& p : target) {
            if (!self->claims_.contains(p.id))
                wanted.push_back(p);
        }
        if (self->options_.fixed) {
            for (const auto& p : wanted)
                self->claims_[p.id] = claim{{}, self->session_epoch_, false};
            self->assign_claimed(target_ids);
            self->attempt_succeeded(attempt);
            return;
        }
        self->assign_claimed(target_ids); // held already (kept, or adopted after a doubt)
        self->claim_partitions(attempt, std::move(wanted), [weak, attempt, target_ids, released](const claim_outcome& out) {
            auto me = weak.lock();
            if (!me || !me->current(attempt))
                return;
            me->assign_claimed(target_ids);
            if (out.error) {
                me->attempt_failed(attempt, out.error, out.what);
            } else if (!out.conflicts.empty()) {
                std::vector<std::int32_t> conflicts = out.conflicts;
                std::sort(conflicts.begin(), conflicts.end());
                me->attempt_failed(attempt, make_error_code(errc::rebalance_timed_out),
                                   "partitions " + partition_list(conflicts) + " still owned by other members",
                                   out.vanished);
            } else if (!released) {
                me->attempt_failed(attempt, make_error_code(errc::rebalance_timed_out),
                                   "owner nodes of released partitions could not be deleted");
            } else {
                me->attempt_succeeded(attempt);
            }
        });
    };
    if (plan.release.empty()) {
        after_release(true);
        return;
    }
    release(std::move(plan.release), true, std::move(after_release));
}

void balanced_consumer::attempt_succeeded(std::uint64_t attempt)
{
    if (!current(attempt))
        return;
    rebalancing_ = false;
    episode_open_ = false;
    backoff_ = {};
    not_before_ = {};
    assigned_view_ = attempt_view_;
    have_view_ = true;
    first_rebalance_done_ = true;
    log_.info("balanced consumer " + consumer_id_ + ": rebalanced; owns partitions " +
              partition_list(std::vector<std::int32_t>(assigned_.begin(), assigned_.end())));
    if (stopping_)
        continue_stop();
    else
        maybe_rebalance();
}

void balanced_consumer::attempt_failed(std::uint64_t attempt, std::error_code ec, std::string what, bool retry_soon)
{
    if (!current(attempt))
        return;
    rebalancing_ = false;
    rebalance_wanted_ = true;
    auto now = clock::now();
    if (stopping_) {
        continue_stop();
        return;
    }
    // Collisions with claims not yet released are the normal course of a hand-off.
    log_.log(ec == errc::rebalance_timed_out ? log::log_level::debug : log::log_level::info,
             "balanced consumer " + consumer_id_ + ": rebalance attempt failed: " + what);
    retry_soon = retry_soon || std::exchange(conflict_cleared_, false);
    if (episode_open_ && now >= episode_deadline_) {
        episode_deadline_ = now + options_.rebalance_deadline;
        report(ec.category() == balanced_category() ? ec : make_error_code(errc::rebalance_timed_out),
               "balanced consumer " + consumer_id_ + ": rebalance not complete after " +
                   std::to_string(options_.rebalance_deadline.count()) + " ms: " + what + "; still trying");
    }
    if (retry_soon) {
        not_before_ = {};
        maybe_rebalance();
        return;
    }
    backoff_ = next_backoff(backoff_, options_.rebalance_backoff, options_.rebalance_backoff_max);
    not_before_ = now + backoff_;
    retry_timer_.expires_at(not_before_);
    retry_timer_.async_wait([weak = weak_from_this()](std::error_code tec) {
        auto self = weak.lock();
        if (!tec && self)
            self->maybe_rebalance();
    });
}

void balanced_consumer::retry_now()
{
    if (rebalancing_) {
        conflict_cleared_ = true; // the attempt under way retries at once if it fails
        return;
    }
    if (!rebalance_wanted_ || stopping_ || stopped_)
        return;
    not_before_ = {};
    retry_timer_.cancel();
    maybe_rebalance();
}

void balanced_consumer::abort_attempt()
{
    if (!rebalancing_)
        return;
    rebalancing_ = false;
    rebalance_wanted_ = true;
    ++attempt_;
}

void balanced_consumer::arm_metadata_timer()
{
    if (stopping_ || stopped_)
        return;
    metadata_timer_.expires_after(std::max(options_.metadata_check_interval, std::chrono::milliseconds(10)));
    metadata_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (!ec && self)
            self->check_metadata();
    });
}

void balanced_consumer::check_metadata()
{
    if (stopping_ || stopped_)
        return;
    cluster_->refresh_metadata({options_.topic}, [weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (!self || self->stopping_ || self->stopped_)
            return;
        self->arm_metadata_timer();
        if (ec || !self->have_view_ || self->rebalancing_)
            return;
        const io::topic_metadata* topic = self->cluster_->topic(self->options_.topic);
        if (!topic || topic->error_code != 0 || topic->partitions.empty())
            return;
        std::vector<group::partition_info> now = partitions_of(*topic);
        if (partitions_changed(self->assigned_view_, now)) {
            self->log_.info("balanced consumer " + self->consumer_id_ + ": topic " + self->options_.topic +
                            " now has " + std::to_string(now.size()) +
                            " partitions (was " + std::to_string(self->assigned_view_.size()) +
                            ") or its leaders moved");
            self->request_rebalance("metadata changed");
        }
    });
}

} // namespace kspout::balanced
