// member_session: what each ZooKeeper session change and probe answer means for the member.
#include "protocol/balanced/member_session.hpp"

#include "protocol/balanced/balanced_error.hpp"
#include "protocol/balanced/rebalance_plan.hpp"
#include "protocol/zk/zk_error.hpp"

#include <utility>

namespace kspout::balanced {

using namespace session;

member_session::member_session(balanced_options options, std::string consumer_id, log::logger log)
    : options_(std::move(options)), consumer_id_(std::move(consumer_id)), log_(std::move(log))
{
}

std::vector<action> member_session::resume(const event& e)
{
    return std::visit([this](const auto& ev) { return on(ev); }, e);
}

std::vector<action> member_session::on(const session::connected& e)
{
    connected_ = true;
    unreachable_reported_ = false;
    std::vector<action> out{{action_type::cancel_unreachable_timer}};
    if (registered_session_ != 0 && e.session_id != 0 && e.session_id == registered_session_) {
        bool was_suspended = std::exchange(suspended_, false);
        out.push_back({action_type::apply_pauses});
        if (was_suspended && !e.assigned.empty())
            log_.info("balanced consumer " + consumer_id_ + ": ZooKeeper session kept; partitions resumed");
        for (action& a : on(session::probe_wanted{}))
            out.push_back(std::move(a));
        out.push_back({action_type::rejoin});
        return out;
    }
    // A new session: whatever the old one held went with it.
    if (e.holding || registered_session_ != 0)
        out.push_back(lose("a new ZooKeeper session replaced the old one"));
    suspended_ = false;
    if (stopping_)
        out.push_back({action_type::continue_stop});
    else if (!refused_)
        out.push_back({action_type::register_member});
    return out;
}

std::vector<action> member_session::on(const session::disconnected& e)
{
    connected_ = false;
    std::vector<action> out;
    if (!suspended_) {
        suspended_ = true;
        // The session may be alive or not: until we know, nothing of ours is handed out.
        out.push_back({action_type::apply_pauses});
        if (!e.assigned.empty())
            log_.warning("balanced consumer " + consumer_id_ + ": ZooKeeper disconnected; partitions " +
                         partition_list(e.assigned) + " paused until the session is confirmed");
    }
    if (!stopping_)
        out.push_back({action_type::arm_unreachable_timer});
    return out;
}

std::vector<action> member_session::on(const session::expired&)
{
    connected_ = false;
    std::vector<action> out{lose("ZooKeeper session expired")};
    out.push_back({stopping_ ? action_type::continue_stop : action_type::reconnect});
    return out;
}

std::vector<action> member_session::on(const session::auth_failed&)
{
    connected_ = false;
    std::vector<action> out{lose("ZooKeeper authentication failed")};
    out.push_back({action_type::report_error,
                   "balanced consumer " + consumer_id_ + ": ZooKeeper at " + options_.zookeeper_connect +
                       " refused our " +
                       (options_.zookeeper_auth ? "'" + options_.zookeeper_auth->scheme + "' " : std::string()) +
                       "credentials; this member owns nothing and stays out of the group",
                   make_error_code(zk::errc::auth_failed)});
    if (stopping_)
        out.push_back({action_type::continue_stop});
    return out;
}

std::vector<action> member_session::on(const session::access_denied& e)
{
    if (refused_)
        return {};
    refused_ = true;
    std::vector<action> out{lose("ZooKeeper refused access to the group's znodes")};
    std::string auth = options_.zookeeper_auth
                           ? "wrong (its '" + options_.zookeeper_auth->scheme + "' credentials are not theirs)"
                           : "missing";
    out.push_back({action_type::report_error,
                   "balanced consumer " + consumer_id_ + ": ZooKeeper refused access to the group's znodes (" +
                       e.what + ", ZNOAUTH): they are ACL'd to the credentials of the members that created "
                       "them, and this member's ZooKeeper auth is " + auth +
                       "; it owns nothing and stays out of the group",
                   make_error_code(zk::errc::no_auth)});
    if (stopping_)
        out.push_back({action_type::continue_stop});
    return out;
}

action member_session::lose(std::string why)
{
    registered_session_ = 0;
    ++epoch_;
    lease_.reset();
    return {action_type::lose_session, std::move(why)};
}

std::vector<action> member_session::on(const session::registered& e)
{
    registered_session_ = e.session_id;
    return {};
}

std::vector<action> member_session::on(const session::registration_lost&)
{
    registered_session_ = 0;
    return {};
}

// The probe reads our ids znode: its existence with our session as owner is the proof.
std::vector<action> member_session::on(const session::probe_wanted& e)
{
    if (probe_in_flight_)
        return {};
    std::vector<action> out;
    if (!e.can_send || !connected_ || registered_session_ == 0) {
        answer_probe(out, session::probe_answered{epoch_});
        return out;
    }
    probe_in_flight_ = true;
    out.push_back({action_type::send_probe, {}, {}, epoch_, registered_session_});
    return out;
}

std::vector<action> member_session::on(const session::probe_answered& e)
{
    probe_in_flight_ = false;
    std::vector<action> out;
    answer_probe(out, e);
    return out;
}

void member_session::answer_probe(std::vector<action>& out, const session::probe_answered& e)
{
    if (e.alive && e.epoch == epoch_)
        lease_.confirmed(e.sent_at, e.timeout);
    if (lease_hold_ && lease_valid(e.now)) {
        lease_hold_ = false;
        out.push_back({action_type::apply_pauses});
        if (!e.assigned.empty())
            log_.info("balanced consumer " + consumer_id_ + ": ZooKeeper confirmed the session; partitions resumed");
    }
    out.push_back({action_type::release_probe_waiters});
}

// The lease lapsed while we own partitions (the process was stopped, or ZooKeeper is slow to
// answer): nothing more is handed out until an answer sent from now on confirms the session.
std::vector<action> member_session::on(const session::lease_lapsed& e)
{
    std::vector<action> out;
    if (!lease_hold_) {
        lease_hold_ = true;
        out.push_back({action_type::apply_pauses});
        log_.warning("balanced consumer " + consumer_id_ +
                     ": no answer from ZooKeeper confirms the session; partitions " + partition_list(e.assigned) +
                     " held until one does");
    }
    for (action& a : on(session::probe_wanted{}))
        out.push_back(std::move(a));
    return out;
}

std::vector<action> member_session::on(const session::unreachable_timer_fired& e)
{
    if (connected_ || unreachable_reported_ || stopping_)
        return {};
    unreachable_reported_ = true;
    std::string held = e.assigned.empty() ? "it owns no partitions"
                                          : "partitions " + partition_list(e.assigned) + " stay paused";
    return {{action_type::report_error,
             "balanced consumer " + consumer_id_ + ": no ZooKeeper connection to " + options_.zookeeper_connect +
                 " for " + std::to_string(options_.zookeeper_session_timeout.count()) + " ms; " + held +
                 " until it is back",
             make_error_code(errc::zookeeper_unreachable)}};
}

std::vector<action> member_session::on(const session::stop_requested&)
{
    stopping_ = true;
    return {};
}

} // namespace kspout::balanced
