// balanced_consumer: the session lease: probing ZooKeeper, and holding messages and commits
// while no recent answer proves the session alive.
#include "protocol/balanced/balanced_consumer.hpp"

#include "protocol/balanced/balanced_error.hpp"
#include "protocol/balanced/rebalance_plan.hpp"
#include "protocol/io/error.hpp"

#include <boost/asio/post.hpp>

namespace kspout::balanced {

bool balanced_consumer::lease_valid() const
{
    return options_.fixed || lease_.valid(std::chrono::steady_clock::now());
}

// Four probes per session timeout: the lease (half of it) then never lapses while ZooKeeper answers.
void balanced_consumer::arm_probe_timer()
{
    if (stopping_ || stopped_ || !zk_)
        return;
    probe_timer_.expires_after(zk_->session_timeout() / 4);
    probe_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (ec || !self)
            return;
        self->probe_session();
        self->arm_probe_timer();
    });
}

// Reads our ids znode: its existence with our session as owner is the proof.
void balanced_consumer::probe_session(std::function<void()> then)
{
    if (then)
        probe_waiters_.push_back(std::move(then));
    if (probe_in_flight_)
        return;
    if (!zk_ || !connected_ || registered_session_ == 0 || stopped_) {
        on_probe_answer(session_epoch_, {}, false);
        return;
    }
    probe_in_flight_ = true;
    auto sent_at = std::chrono::steady_clock::now();
    zk_->exists(member_path_, [weak = weak_from_this(), epoch = session_epoch_, sent_at,
                               session = registered_session_](std::error_code ec, std::optional<zk::stat> st) {
        if (auto self = weak.lock()) {
            self->probe_in_flight_ = false;
            self->on_probe_answer(epoch, sent_at, !ec && st && st->ephemeral_owner == session);
        }
    });
}

void balanced_consumer::on_probe_answer(std::uint64_t epoch, std::chrono::steady_clock::time_point sent_at, bool alive)
{
    if (alive && epoch == session_epoch_)
        lease_.confirmed(sent_at, zk_->session_timeout());
    if (lease_hold_ && lease_valid()) {
        lease_hold_ = false;
        for (std::int32_t p : assigned_)
            apply_pause(p);
        if (!assigned_.empty())
            log_.info("balanced consumer " + consumer_id_ + ": ZooKeeper confirmed the session; partitions resumed");
    }
    auto waiters = std::move(probe_waiters_);
    probe_waiters_.clear();
    for (auto& w : waiters)
        boost::asio::post(executor_, std::move(w));
}

// The lease lapsed while we own partitions (the process was stopped, or ZooKeeper is slow to
// answer): nothing more is handed out until an answer sent from now on confirms the session.
void balanced_consumer::hold_until_confirmed()
{
    if (!lease_hold_) {
        lease_hold_ = true;
        for (std::int32_t p : assigned_)
            apply_pause(p);
        log_.warning("balanced consumer " + consumer_id_ + ": no answer from ZooKeeper confirms the session; partitions " +
                     partition_list(std::vector<std::int32_t>(assigned_.begin(), assigned_.end())) +
                     " held until one does");
    }
    probe_session();
}

void balanced_consumer::commit_confirmed(std::map<std::int32_t, std::int64_t> offsets,
                                         io::simple_consumer::commit_handler handler)
{
    if (!consumer_ || stopped_) {
        boost::asio::post(executor_, [h = std::move(handler)] { h(make_error_code(io::errc::shut_down)); });
        return;
    }
    std::vector<std::int32_t> not_owned;
    std::vector<std::int32_t> unconfirmed;
    bool confirmed = !suspended_ && lease_valid();
    for (auto it = offsets.begin(); it != offsets.end();) {
        // Partitions being revoked still count: on_revoking is where their last commit happens.
        // Without a confirmed session nothing counts: it may have expired, and another member may
        // already have committed further (a late commit would move the group's offset back).
        if (!owns(it->first) && !revoking_.contains(it->first)) {
            not_owned.push_back(it->first);
            it = offsets.erase(it);
        } else if (!confirmed) {
            unconfirmed.push_back(it->first);
            it = offsets.erase(it);
        } else {
            ++it;
        }
    }
    if (!not_owned.empty())
        log_.info("balanced consumer " + consumer_id_ + ": commit refused for partitions not owned: " +
                  partition_list(not_owned));
    if (!unconfirmed.empty())
        log_.info("balanced consumer " + consumer_id_ + ": commit of partitions " + partition_list(unconfirmed) +
                  " held back: ZooKeeper has not confirmed the session");
    std::error_code refused = !unconfirmed.empty() ? make_error_code(errc::session_unconfirmed)
                              : !not_owned.empty() ? make_error_code(io::consumer_errc::not_owned)
                                                   : std::error_code{};
    if (offsets.empty()) {
        boost::asio::post(executor_, [h = std::move(handler), refused] { h(refused); });
        return;
    }
    consumer_->commit(std::move(offsets), [h = std::move(handler), refused](std::error_code ec) { h(ec ? ec : refused); });
}

} // namespace kspout::balanced
