// balanced_consumer: the session lease: probing ZooKeeper, and the commits it allows.
#include "protocol/balanced/balanced_consumer.hpp"

#include "protocol/balanced/commit_gate.hpp"
#include "protocol/balanced/rebalance_plan.hpp"
#include "protocol/io/error.hpp"

#include <boost/asio/post.hpp>

namespace kspout::balanced {

bool balanced_consumer::lease_valid() const
{
    return session_.lease_valid(std::chrono::steady_clock::now());
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

void balanced_consumer::probe_session(std::function<void()> then)
{
    if (then)
        probe_waiters_.push_back(std::move(then));
    feed_session(session::probe_wanted{zk_ != nullptr && !stopped_});
}

// Reads our ids znode: its existence with our session as owner is the proof.
void balanced_consumer::send_probe(std::uint64_t epoch, std::int64_t session_id)
{
    auto sent_at = std::chrono::steady_clock::now();
    zk_->exists(member_path_, [weak = weak_from_this(), epoch, sent_at, session_id](std::error_code ec,
                                                                                    std::optional<zk::stat> st) {
        if (auto self = weak.lock())
            self->feed_session(session::probe_answered{epoch, sent_at, !ec && st && st->ephemeral_owner == session_id,
                                                       self->zk_->session_timeout(), std::chrono::steady_clock::now(),
                                                       self->assigned_list()});
    });
}

void balanced_consumer::commit_confirmed(std::map<std::int32_t, std::int64_t> offsets, commit_handler handler)
{
    if (!consumer_ || stopped_) {
        boost::asio::post(executor_, [h = std::move(handler)] { h(make_error_code(io::errc::shut_down)); });
        return;
    }
    commit_split split = split_commit(
        std::move(offsets), [this](std::int32_t p) { return owns(p) || revoking_.contains(p); },
        !session_.suspended() && lease_valid());
    if (!split.not_owned.empty())
        log_.info("balanced consumer " + consumer_id_ + ": commit refused for partitions not owned: " +
                  partition_list(split.not_owned));
    if (!split.unconfirmed.empty())
        log_.info("balanced consumer " + consumer_id_ + ": commit of partitions " + partition_list(split.unconfirmed) +
                  " held back: ZooKeeper has not confirmed the session");
    std::error_code refused = split.refused();
    if (split.allowed.empty()) {
        boost::asio::post(executor_, [h = std::move(handler), refused] { h(refused); });
        return;
    }
    // Sent only while the lease holds: the session's other half is the commit's way to the broker,
    // and a commit that arrived later could land under the partitions' next owner.
    consumer_->commit(std::move(split.allowed), session_.lease_valid_until(),
                      [h = std::move(handler), refused](std::error_code ec) { h(ec ? ec : refused); });
}

} // namespace kspout::balanced
