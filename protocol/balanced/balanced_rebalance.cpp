// balanced_consumer: runs the rebalance cycle's actions (fresh metadata, the members from ZooKeeper,
// releasing and claiming the target, the retry timer) and feeds their answers back to it.
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

struct registrations_read {
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
    feed(cycle::rebalance_requested{std::string(reason)});
}

void balanced_consumer::maybe_rebalance()
{
    bool ready = options_.fixed || session_.registered();
    feed(cycle::try_start{clock::now(), ready, releases_in_flight_ > 0});
}

void balanced_consumer::feed(const cycle::event& e)
{
    // A read or claim in the group's znodes refused (ZNOAUTH) is no failure to retry: the session
    // machine takes the member out of the group, which also ends the attempt.
    if (const auto* read = std::get_if<cycle::members_read>(&e); read && refused(read->error, read->what))
        return;
    if (const auto* applied = std::get_if<cycle::target_applied>(&e); applied && refused(applied->error, applied->what))
        return;
    for (cycle::action& a : cycle_.resume(e))
        run(std::move(a));
}

void balanced_consumer::run(cycle::action a)
{
    using cycle::action_type;
    switch (a.type) {
    case action_type::start_now:
        maybe_rebalance();
        return;
    case action_type::start_later:
        boost::asio::post(executor_, [weak = weak_from_this()] {
            if (auto self = weak.lock())
                self->maybe_rebalance();
        });
        return;
    case action_type::read_metadata:
        read_metadata(a.attempt);
        return;
    case action_type::read_members:
        read_members(a.attempt);
        return;
    case action_type::apply_target:
        apply_target(a.attempt, std::move(a.target));
        return;
    case action_type::arm_retry_timer:
        retry_timer_.expires_at(a.at);
        retry_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
            auto self = weak.lock();
            if (!ec && self)
                self->feed(cycle::retry_timer_fired{});
        });
        return;
    case action_type::cancel_retry_timer:
        retry_timer_.cancel();
        return;
    case action_type::register_member:
        register_member();
        return;
    case action_type::report_error:
        report(a.error, std::move(a.what));
        return;
    case action_type::continue_stop:
        continue_stop();
        return;
    }
}

void balanced_consumer::read_metadata(std::uint64_t attempt)
{
    cluster_->refresh_metadata({options_.topic}, [weak = weak_from_this(), attempt](std::error_code ec) {
        auto self = weak.lock();
        if (!self || !self->current(attempt))
            return;
        cycle::metadata_read read{attempt, clock::now()};
        const io::topic_metadata* topic = self->cluster_->topic(self->options_.topic);
        if (ec) {
            read.error = "metadata refresh failed: " + ec.message();
        } else if (!topic || topic->error_code != 0 || topic->partitions.empty()) {
            std::string why = !topic ? "topic missing from metadata"
                              : topic->error_code != 0
                                  ? "topic error " + wire::make_broker_error(topic->error_code).message()
                                  : "topic has no partitions";
            read.error = "topic " + self->options_.topic + ": " + why;
        } else {
            read.partitions = partitions_of(*topic);
        }
        self->feed(read);
    });
}

void balanced_consumer::read_members(std::uint64_t attempt)
{
    std::uint64_t epoch = session_.epoch();
    bool with_watch = !ids_watch_armed_;
    zk::watch_handler watcher;
    if (with_watch) {
        watcher = [weak = weak_from_this(), epoch](std::error_code ec, zk::watch_event) {
            auto self = weak.lock();
            if (!self || self->session_.epoch() != epoch)
                return;
            self->ids_watch_armed_ = false;
            if (!ec)
                self->request_rebalance("group members changed");
        };
    }
    zk_->get_children(
        ids_path_,
        [weak = weak_from_this(), attempt, epoch, with_watch](std::error_code ec, std::vector<std::string> children,
                                                              zk::stat) {
            auto self = weak.lock();
            if (!self)
                return;
            if (!ec && with_watch && self->session_.epoch() == epoch)
                self->ids_watch_armed_ = true;
            if (!self->current(attempt))
                return;
            if (ec) {
                self->feed(cycle::members_read{attempt, clock::now(), {}, true, ec,
                                               "cannot list " + self->ids_path_ + ": " + ec.message()});
                return;
            }
            if (std::find(children.begin(), children.end(), self->consumer_id_) == children.end()) {
                // Our registration is gone although the session lives (deleted by hand?): register again.
                self->log_.warning("balanced consumer " + self->consumer_id_ + ": our registration " +
                                   self->member_path_ + " is missing; registering again");
                self->feed_session(session::registration_lost{});
                self->feed(cycle::members_read{attempt, clock::now(), {}, false});
                return;
            }
            auto read = std::make_shared<registrations_read>();
            read->remaining = children.size();
            for (std::string& child : children) {
                std::string path = group::member_path(self->options_.group_id, child);
                self->zk_->get(path, [weak, attempt, read, child, path](std::error_code gec, std::string data,
                                                                        zk::stat) {
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
                    cycle::members_read answer{attempt, clock::now(), std::move(read->members)};
                    if (read->error) {
                        answer.error = read->error;
                        answer.what = "cannot read " + read->failed_path + ": " + read->error.message();
                    }
                    me->feed(answer);
                });
            }
        },
        std::move(watcher));
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
                self->claims_[p.id] = claim{{}, self->session_.epoch(), false};
            self->assign_claimed(target_ids);
            self->feed(cycle::target_applied{attempt, clock::now(), {}, {}, {}, false, true, self->owned()});
            return;
        }
        self->assign_claimed(target_ids); // held already (kept, or adopted after a doubt)
        self->claim_partitions(attempt, std::move(wanted), [weak, attempt, target_ids, released](const claim_outcome& out) {
            auto me = weak.lock();
            if (!me || !me->current(attempt))
                return;
            me->assign_claimed(target_ids);
            me->feed(cycle::target_applied{attempt, clock::now(), out.error, out.what, out.conflicts, out.vanished,
                                           released, me->owned()});
        });
    };
    if (plan.release.empty()) {
        after_release(true);
        return;
    }
    release(std::move(plan.release), true, std::move(after_release));
}

void balanced_consumer::retry_now()
{
    feed(cycle::conflict_cleared{});
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
        if (ec)
            return;
        const io::topic_metadata* topic = self->cluster_->topic(self->options_.topic);
        if (!topic || topic->error_code != 0 || topic->partitions.empty())
            return;
        self->feed(cycle::metadata_checked{partitions_of(*topic)});
    });
}

} // namespace kspout::balanced
