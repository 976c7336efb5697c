// balanced_consumer: runs the session machine's actions (registering the member, pausing on
// disconnect, giving everything up on a lost session, probes) and feeds it ZooKeeper's answers.
#include "protocol/balanced/balanced_consumer.hpp"

#include "protocol/balanced/rebalance_plan.hpp"
#include "protocol/zk/zk_error.hpp"

#include <boost/asio/post.hpp>

namespace kspout::balanced {

void balanced_consumer::on_session_state(zk::session_state state)
{
    if (stopped_)
        return;
    switch (state) {
    case zk::session_state::connected: {
        std::optional<zk::session_credentials> current = zk_->credentials();
        feed_session(session::connected{current ? current->id : 0, !claims_.empty() || !assigned_.empty(),
                                        assigned_list()});
        return;
    }
    case zk::session_state::disconnected:
        feed_session(session::disconnected{assigned_list()});
        return;
    case zk::session_state::expired:
        feed_session(session::expired{});
        return;
    case zk::session_state::auth_failed:
        feed_session(session::auth_failed{});
        return;
    case zk::session_state::connecting:
    case zk::session_state::closed:
        return;
    }
}

void balanced_consumer::feed_session(const session::event& e)
{
    for (session::action& a : session_.resume(e))
        run_session(std::move(a));
}

void balanced_consumer::run_session(session::action a)
{
    using session::action_type;
    switch (a.type) {
    case action_type::apply_pauses:
        for (std::int32_t p : assigned_)
            apply_pause(p);
        return;
    case action_type::lose_session:
        lose_session(a.what);
        return;
    case action_type::register_member:
        register_member();
        return;
    case action_type::reconnect:
        if (std::error_code ec = zk_->reconnect()) {
            report(ec, "balanced consumer " + consumer_id_ + ": cannot open a new ZooKeeper session: " + ec.message());
            return;
        }
        arm_unreachable_timer();
        return;
    case action_type::arm_unreachable_timer:
        arm_unreachable_timer();
        return;
    case action_type::cancel_unreachable_timer:
        unreachable_timer_.cancel();
        return;
    case action_type::rejoin:
        // A watch that could not be set while disconnected, or an attempt that failed, is redone.
        if (!ids_watch_armed_)
            request_rebalance("reconnected");
        else
            maybe_rebalance();
        return;
    case action_type::send_probe:
        send_probe(a.epoch, a.session);
        return;
    case action_type::release_probe_waiters: {
        auto waiters = std::move(probe_waiters_);
        probe_waiters_.clear();
        for (auto& w : waiters)
            boost::asio::post(executor_, std::move(w));
        return;
    }
    case action_type::report_error:
        report(a.error, std::move(a.what));
        return;
    case action_type::continue_stop:
        continue_stop();
        return;
    }
}

// The session's state (registration, epoch, lease) was reset by the session machine already.
void balanced_consumer::lose_session(std::string_view why)
{
    feed(cycle::session_lost{});
    registering_ = false;
    ids_watch_armed_ = false;
    conflict_watches_.clear();
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

zk::create_options balanced_consumer::group_node(zk::create_mode mode) const
{
    zk::create_options o;
    o.mode = mode;
    o.make_parents = true;
    o.acl = options_.zookeeper_acl;
    o.parents_acl = options_.zookeeper_acl;
    return o;
}

bool balanced_consumer::refused(std::error_code ec, const std::string& what)
{
    if (ec != zk::errc::no_auth)
        return false;
    feed_session(session::access_denied{what});
    return true;
}

void balanced_consumer::registration_failed(std::error_code ec, const std::string& what)
{
    registering_ = false;
    if (!refused(ec, what))
        on_registered(false, what);
}

void balanced_consumer::register_member()
{
    if (registering_ || stopping_ || stopped_ || !session_.connected() || session_.registered_session() != 0 ||
        session_.refused())
        return;
    registering_ = true;
    std::uint64_t epoch = session_.epoch();
    if (options_.zookeeper_acl == zk::acl_policy::open) {
        register_in_group(epoch);
        return;
    }
    // The group's own node first, under our ACL; /consumers above it is every group's and stays open.
    std::string path = group::group_path(options_.group_id);
    zk::create_options o = group_node(zk::create_mode::persistent);
    o.parents_acl = zk::acl_policy::open;
    zk_->create(path, {}, o, [weak = weak_from_this(), epoch, path](std::error_code ec, std::string) {
        auto self = weak.lock();
        if (!self || self->session_.epoch() != epoch || !self->registering_)
            return;
        if (ec && ec != zk::errc::node_exists) {
            self->registration_failed(ec, "cannot create " + path + ": " + ec.message());
            return;
        }
        self->register_in_group(epoch);
    });
}

void balanced_consumer::register_in_group(std::uint64_t epoch)
{
    // The owners directory is persistent and shared; pykafka makes it at start() too.
    zk_->create(owners_path_, {}, group_node(zk::create_mode::persistent), [weak = weak_from_this(), epoch](
                                                                               std::error_code ec, std::string) {
        auto self = weak.lock();
        if (!self || self->session_.epoch() != epoch || !self->registering_)
            return;
        if (ec && ec != zk::errc::node_exists) {
            self->registration_failed(ec, "cannot create " + self->owners_path_ + ": " + ec.message());
            return;
        }
        self->zk_->create(self->member_path_, self->options_.topic, self->group_node(zk::create_mode::ephemeral),
                          [weak, epoch](std::error_code cec, std::string) {
                              auto me = weak.lock();
                              if (!me || me->session_.epoch() != epoch || !me->registering_)
                                  return;
                              if (!cec) {
                                  me->on_registered(true, {});
                                  return;
                              }
                              if (cec != zk::errc::node_exists) {
                                  me->registration_failed(cec, "cannot create " + me->member_path_ + ": " +
                                                                   cec.message());
                                  return;
                              }
                              // Ours already if an earlier create was applied but its answer lost.
                              me->zk_->exists(me->member_path_, [weak, epoch](std::error_code eec,
                                                                              std::optional<zk::stat> st) {
                                  auto m = weak.lock();
                                  if (!m || m->session_.epoch() != epoch || !m->registering_)
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
        auto current = zk_->credentials();
        feed_session(session::registered{current ? current->id : -1});
        feed(cycle::registration_done{now, true});
        log_.info("balanced consumer " + consumer_id_ + ": joined group " + options_.group_id + " on topic " +
                  options_.topic);
        probe_session();
        request_rebalance("joined");
        return;
    }
    feed(cycle::registration_done{now, false, std::string(why)});
}

void balanced_consumer::arm_unreachable_timer()
{
    if (stopping_ || stopped_)
        return;
    unreachable_timer_.expires_after(options_.zookeeper_session_timeout);
    unreachable_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (!ec && self && !self->stopped_)
            self->feed_session(session::unreachable_timer_fired{self->assigned_list()});
    });
}

std::vector<std::int32_t> balanced_consumer::assigned_list() const
{
    return std::vector<std::int32_t>(assigned_.begin(), assigned_.end());
}

} // namespace kspout::balanced
