// balanced_consumer: the ZooKeeper session: registering the member, pausing on disconnect,
// giving everything up on expiry, and coming back on a new session.
#include "protocol/balanced/balanced_consumer.hpp"

#include "protocol/balanced/balanced_error.hpp"
#include "protocol/balanced/rebalance_plan.hpp"
#include "protocol/zk/zk_error.hpp"

namespace kspout::balanced {

void balanced_consumer::on_session_state(zk::session_state state)
{
    if (stopped_)
        return;
    switch (state) {
    case zk::session_state::connected: {
        connected_ = true;
        unreachable_timer_.cancel();
        unreachable_reported_ = false;
        std::optional<zk::session_credentials> session = zk_->credentials();
        if (registered_session_ != 0 && session && session->id == registered_session_) {
            resume_after_reconnect();
            return;
        }
        // A new session: whatever the old one held went with it.
        if (!claims_.empty() || !assigned_.empty() || registered_session_ != 0)
            lose_session("a new ZooKeeper session replaced the old one");
        suspended_ = false;
        if (stopping_) {
            continue_stop();
            return;
        }
        register_member();
        return;
    }
    case zk::session_state::disconnected:
        connected_ = false;
        suspend();
        arm_unreachable_timer();
        return;
    case zk::session_state::expired:
        connected_ = false;
        lose_session("ZooKeeper session expired");
        if (stopping_) {
            continue_stop();
            return;
        }
        if (std::error_code ec = zk_->reconnect()) {
            report(ec, "balanced consumer " + consumer_id_ + ": cannot open a new ZooKeeper session: " + ec.message());
            return;
        }
        arm_unreachable_timer();
        return;
    case zk::session_state::auth_failed:
        connected_ = false;
        lose_session("ZooKeeper authentication failed");
        report(make_error_code(zk::errc::auth_failed),
               "balanced consumer " + consumer_id_ + ": ZooKeeper at " + options_.zookeeper_connect +
                   " refused our credentials; this member owns nothing and stays out of the group");
        if (stopping_)
            continue_stop();
        return;
    case zk::session_state::connecting:
    case zk::session_state::closed:
        return;
    }
}

void balanced_consumer::suspend()
{
    if (suspended_)
        return;
    suspended_ = true;
    // The session may be alive or not: until we know, nothing of ours is handed out.
    for (std::int32_t p : assigned_)
        apply_pause(p);
    if (!assigned_.empty())
        log_.warning("balanced consumer " + consumer_id_ + ": ZooKeeper disconnected; partitions " +
                     partition_list(std::vector<std::int32_t>(assigned_.begin(), assigned_.end())) +
                     " paused until the session is confirmed");
}

void balanced_consumer::resume_after_reconnect()
{
    bool was_suspended = suspended_;
    suspended_ = false;
    for (std::int32_t p : assigned_)
        apply_pause(p);
    if (was_suspended && !assigned_.empty())
        log_.info("balanced consumer " + consumer_id_ + ": ZooKeeper session kept; partitions resumed");
    probe_session();
    // A watch that could not be set while disconnected, or an attempt that failed, is redone.
    if (!ids_watch_armed_)
        request_rebalance("reconnected");
    else
        maybe_rebalance();
}

void balanced_consumer::lose_session(std::string_view why)
{
    abort_attempt();
    rebalance_wanted_ = true;
    registered_session_ = 0;
    registering_ = false;
    ids_watch_armed_ = false;
    conflict_watches_.clear();
    ++session_epoch_;
    lease_.reset();
    std::set<std::int32_t> held(assigned_.begin(), assigned_.end());
    for (const auto& [p, c] : claims_)
        held.insert(p);
    claims_.clear(); // ephemeral: gone with the session
    if (held.empty()) {
        log_.warning("balanced consumer " + consumer_id_ + ": " + std::string(why));
        return;
    }
    log_.warning("balanced consumer " + consumer_id_ + ": " + std::string(why) + "; giving up partitions " +
                 partition_list(std::vector<std::int32_t>(held.begin(), held.end())));
    release(std::vector<std::int32_t>(held.begin(), held.end()), false, [](bool) {});
}

void balanced_consumer::register_member()
{
    if (registering_ || stopping_ || stopped_ || !connected_ || registered_session_ != 0)
        return;
    registering_ = true;
    std::uint64_t epoch = session_epoch_;
    zk::create_options parents;
    parents.mode = zk::create_mode::persistent;
    parents.make_parents = true;
    // The owners directory is persistent and shared; pykafka makes it at start() too.
    zk_->create(owners_path_, {}, parents, [weak = weak_from_this(), epoch](std::error_code ec, std::string) {
        auto self = weak.lock();
        if (!self || self->session_epoch_ != epoch || !self->registering_)
            return;
        if (ec && ec != zk::errc::node_exists) {
            self->on_registered(false, "cannot create " + self->owners_path_ + ": " + ec.message());
            return;
        }
        zk::create_options ephemeral;
        ephemeral.mode = zk::create_mode::ephemeral;
        ephemeral.make_parents = true;
        self->zk_->create(self->member_path_, self->options_.topic, ephemeral,
                          [weak, epoch](std::error_code cec, std::string) {
                              auto me = weak.lock();
                              if (!me || me->session_epoch_ != epoch || !me->registering_)
                                  return;
                              if (!cec) {
                                  me->on_registered(true, {});
                                  return;
                              }
                              if (cec != zk::errc::node_exists) {
                                  me->on_registered(false, "cannot create " + me->member_path_ + ": " + cec.message());
                                  return;
                              }
                              // Ours already if an earlier create was applied but its answer lost.
                              me->zk_->exists(me->member_path_, [weak, epoch](std::error_code eec,
                                                                              std::optional<zk::stat> st) {
                                  auto m = weak.lock();
                                  if (!m || m->session_epoch_ != epoch || !m->registering_)
                                      return;
                                  auto session = m->zk_->credentials();
                                  if (!eec && st && session && st->ephemeral_owner == session->id) {
                                      m->on_registered(true, {});
                                      return;
                                  }
                                  m->on_registered(false, m->member_path_ + " exists and belongs to another session");
                              });
                          });
    });
}

void balanced_consumer::on_registered(bool ok, std::string_view why)
{
    registering_ = false;
    auto now = std::chrono::steady_clock::now();
    if (ok) {
        auto session = zk_->credentials();
        registered_session_ = session ? session->id : -1;
        backoff_ = {};
        not_before_ = {};
        log_.info("balanced consumer " + consumer_id_ + ": joined group " + options_.group_id + " on topic " +
                  options_.topic);
        probe_session();
        request_rebalance("joined");
        return;
    }
    log_.warning("balanced consumer " + consumer_id_ + ": registration failed: " + std::string(why));
    if (!episode_open_) {
        episode_open_ = true;
        episode_deadline_ = now + options_.rebalance_deadline;
    } else if (now >= episode_deadline_) {
        episode_deadline_ = now + options_.rebalance_deadline;
        report(make_error_code(errc::registration_failed),
               "balanced consumer " + consumer_id_ + ": not registered in group " + options_.group_id + " after " +
                   std::to_string(options_.rebalance_deadline.count()) + " ms: " + std::string(why) +
                   "; still trying");
    }
    backoff_ = next_backoff(backoff_, options_.rebalance_backoff, options_.rebalance_backoff_max);
    not_before_ = now + backoff_;
    retry_timer_.expires_at(not_before_);
    retry_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (!ec && self)
            self->register_member();
    });
}

void balanced_consumer::arm_unreachable_timer()
{
    if (stopping_ || stopped_)
        return;
    unreachable_timer_.expires_after(options_.zookeeper_session_timeout);
    unreachable_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->connected_ || self->unreachable_reported_ || self->stopping_ || self->stopped_)
            return;
        self->unreachable_reported_ = true;
        std::string held = self->assigned_.empty()
                               ? "it owns no partitions"
                               : "partitions " +
                                     partition_list(std::vector<std::int32_t>(self->assigned_.begin(),
                                                                              self->assigned_.end())) +
                                     " stay paused";
        self->report(make_error_code(errc::zookeeper_unreachable),
                     "balanced consumer " + self->consumer_id_ + ": no ZooKeeper connection to " +
                         self->options_.zookeeper_connect + " for " +
                         std::to_string(self->options_.zookeeper_session_timeout.count()) + " ms; " + held +
                         " until it is back");
    });
}

} // namespace kspout::balanced
