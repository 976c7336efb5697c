// member_session stepped by hand: disconnects, expiry, registration and the lease, with a manual
// clock and no ZooKeeper; and the commit rules that the lease feeds.
#include "protocol/balanced/member_session.hpp"

#include "protocol/balanced/balanced_error.hpp"
#include "protocol/balanced/commit_gate.hpp"
#include "protocol/io/consumer_error.hpp"
#include "protocol/zk/zk_error.hpp"

#include "tests/support/action_types.hpp"

#include <gtest/gtest.h>

namespace kspout::balanced {
namespace {

using namespace std::chrono_literals;
using test::action_types;
using namespace session;

class MemberSession : public ::testing::Test {
protected:
    static balanced_options zookeeper_options()
    {
        balanced_options o;
        o.topic = "t";
        o.group_id = "g";
        o.zookeeper_connect = "127.0.0.1:2181";
        o.zookeeper_session_timeout = 6s;
        return o;
    }

    member_session machine{zookeeper_options(), "me"};
    clock::time_point now = clock::time_point{} + 1h;
    std::vector<std::int32_t> owned{0, 2};

    std::vector<action> step(const event& e) { return machine.resume(e); }

    // Connected in session 42, registered, and the lease confirmed by a probe sent now.
    void join()
    {
        ASSERT_EQ(action_types(step(connected{42})), (std::vector{action_type::cancel_unreachable_timer,
                                                           action_type::register_member}));
        step(registered{42});
        auto probe = step(probe_wanted{});
        ASSERT_EQ(action_types(probe), std::vector{action_type::send_probe});
        EXPECT_EQ(probe.front().session, 42);
        step(probe_answered{probe.front().epoch, now, true, 6s, now, owned});
        ASSERT_TRUE(machine.lease_valid(now));
    }
};

TEST_F(MemberSession, ARegisteredMemberHoldsALeaseOfHalfTheTimeoutFromEachProbe)
{
    join();
    EXPECT_TRUE(machine.registered());
    EXPECT_TRUE(machine.lease_valid(now + 2999ms));
    EXPECT_FALSE(machine.lease_valid(now + 3s));
    // What a commit gets as its send-by time: the lease's end.
    EXPECT_EQ(machine.lease_valid_until(), now + 3s);
}

TEST_F(MemberSession, DisconnectThenReconnectWithinTheSessionPausesThenResumesAndRejoins)
{
    join();
    std::uint64_t epoch = machine.epoch();
    EXPECT_EQ(action_types(step(disconnected{owned})),
              (std::vector{action_type::apply_pauses, action_type::arm_unreachable_timer}));
    EXPECT_TRUE(machine.suspended());
    EXPECT_FALSE(machine.registered());
    // Paused already: only the timer again.
    EXPECT_EQ(action_types(step(disconnected{owned})), std::vector{action_type::arm_unreachable_timer});

    auto actions = step(connected{42, true, owned});
    EXPECT_EQ(action_types(actions), (std::vector{action_type::cancel_unreachable_timer, action_type::apply_pauses,
                                           action_type::send_probe, action_type::rejoin}));
    EXPECT_FALSE(machine.suspended());
    EXPECT_TRUE(machine.registered());
    EXPECT_EQ(machine.epoch(), epoch); // the same session: claims and answers still count
}

TEST_F(MemberSession, ReconnectingToANewSessionGivesUpWhatTheOldOneHeld)
{
    join();
    std::uint64_t epoch = machine.epoch();
    step(disconnected{owned});
    auto actions = step(connected{77, true, owned});
    ASSERT_EQ(action_types(actions), (std::vector{action_type::cancel_unreachable_timer, action_type::lose_session,
                                           action_type::register_member}));
    EXPECT_EQ(actions[1].what, "a new ZooKeeper session replaced the old one");
    EXPECT_GT(machine.epoch(), epoch);
    EXPECT_FALSE(machine.suspended());
    EXPECT_FALSE(machine.lease_valid(now)); // nothing is known about the new session yet
    EXPECT_EQ(machine.registered_session(), 0);
}

TEST_F(MemberSession, ExpiryLosesEverythingAndOpensANewSession)
{
    join();
    auto actions = step(expired{});
    ASSERT_EQ(action_types(actions), (std::vector{action_type::lose_session, action_type::reconnect}));
    EXPECT_EQ(actions[0].what, "ZooKeeper session expired");
    EXPECT_FALSE(machine.lease_valid(now));
}

TEST_F(MemberSession, ExpiryWhileStoppingGoesOnWithTheStop)
{
    join();
    step(stop_requested{});
    EXPECT_EQ(action_types(step(expired{})), (std::vector{action_type::lose_session, action_type::continue_stop}));
    EXPECT_EQ(action_types(step(connected{43})),
              (std::vector{action_type::cancel_unreachable_timer, action_type::continue_stop}));
}

TEST_F(MemberSession, AnAnswerFromTheOldSessionDoesNotConfirmTheNewOne)
{
    join();
    auto probe = step(probe_wanted{});
    ASSERT_EQ(action_types(probe), std::vector{action_type::send_probe});
    step(expired{});
    step(connected{43});
    step(registered{43});
    step(probe_answered{probe.front().epoch, now, true, 6s, now});
    EXPECT_FALSE(machine.lease_valid(now));
}

TEST_F(MemberSession, ALapsedLeaseHoldsPartitionsUntilAProbeConfirmsTheSession)
{
    join();
    now += 4s; // the process was stopped past the lease
    ASSERT_FALSE(machine.lease_valid(now));
    auto actions = step(lease_lapsed{owned});
    ASSERT_EQ(action_types(actions), (std::vector{action_type::apply_pauses, action_type::send_probe}));
    EXPECT_TRUE(machine.lease_hold());
    EXPECT_TRUE(step(lease_lapsed{owned}).empty()); // held already, a probe already out

    // ZooKeeper says our registration is gone: still held, waiters told.
    EXPECT_EQ(action_types(step(probe_answered{actions[1].epoch, now, false, 6s, now, owned})),
              std::vector{action_type::release_probe_waiters});
    EXPECT_TRUE(machine.lease_hold());

    auto again = step(probe_wanted{});
    ASSERT_EQ(action_types(again), std::vector{action_type::send_probe});
    EXPECT_EQ(action_types(step(probe_answered{again.front().epoch, now, true, 6s, now, owned})),
              (std::vector{action_type::apply_pauses, action_type::release_probe_waiters}));
    EXPECT_FALSE(machine.lease_hold());
}

TEST_F(MemberSession, ALapsedLeaseRefusesCommitsOfOwnedPartitions)
{
    join();
    auto owns = [](std::int32_t p) { return p == 0 || p == 2; };
    commit_split fresh = split_commit({{0, 10}, {2, 20}}, owns, !machine.suspended() && machine.lease_valid(now));
    EXPECT_EQ(fresh.allowed.size(), 2u);
    EXPECT_FALSE(fresh.refused());

    now += 4s;
    auto probe = step(lease_lapsed{owned});
    step(probe_answered{probe.back().epoch, now, false, 6s, now, owned}); // no proof
    commit_split late =
        split_commit({{0, 10}, {2, 20}, {5, 1}}, owns, !machine.suspended() && machine.lease_valid(now));
    EXPECT_TRUE(late.allowed.empty());
    EXPECT_EQ(late.unconfirmed, (std::vector<std::int32_t>{0, 2}));
    EXPECT_EQ(late.not_owned, (std::vector<std::int32_t>{5}));
    EXPECT_EQ(late.refused(), make_error_code(errc::session_unconfirmed));
}

TEST_F(MemberSession, ADisconnectedMemberCommitsNothingEvenWithinTheLease)
{
    join();
    step(disconnected{owned});
    EXPECT_TRUE(machine.lease_valid(now));
    commit_split split = split_commit({{0, 10}}, [](std::int32_t) { return true; },
                                      !machine.suspended() && machine.lease_valid(now));
    EXPECT_EQ(split.unconfirmed, (std::vector<std::int32_t>{0}));
}

TEST_F(MemberSession, CommitsOfPartitionsNotOwnedAreRefusedAndTheRestSent)
{
    commit_split split = split_commit({{1, 5}, {3, 7}}, [](std::int32_t p) { return p == 3; }, true);
    EXPECT_EQ(split.allowed, (std::map<std::int32_t, std::int64_t>{{3, 7}}));
    EXPECT_EQ(split.refused(), make_error_code(io::consumer_errc::not_owned));
}

TEST_F(MemberSession, AProbeWithoutARegistrationAnswersAtOnceWithoutProof)
{
    EXPECT_EQ(action_types(step(probe_wanted{})), std::vector{action_type::release_probe_waiters});
    join();
    EXPECT_EQ(action_types(step(probe_wanted{false})), std::vector{action_type::release_probe_waiters}); // shut down
    step(registration_lost{});
    EXPECT_FALSE(machine.registered());
    EXPECT_EQ(action_types(step(probe_wanted{})), std::vector{action_type::release_probe_waiters});
}

TEST_F(MemberSession, NoConnectionForASessionTimeoutIsReportedOnce)
{
    join();
    step(disconnected{owned});
    auto actions = step(unreachable_timer_fired{owned});
    ASSERT_EQ(action_types(actions), std::vector{action_type::report_error});
    EXPECT_EQ(actions[0].error, make_error_code(errc::zookeeper_unreachable));
    EXPECT_NE(actions[0].what.find("partitions 0,2 stay paused"), std::string::npos);
    EXPECT_TRUE(step(unreachable_timer_fired{owned}).empty());

    step(connected{42, true, owned});
    step(disconnected{owned});
    EXPECT_EQ(action_types(step(unreachable_timer_fired{})), std::vector{action_type::report_error}); // a new outage
}

TEST_F(MemberSession, TheUnreachableTimerIsQuietOnceConnectedOrStopping)
{
    join();
    EXPECT_TRUE(step(unreachable_timer_fired{owned}).empty());
    step(disconnected{owned});
    step(stop_requested{});
    EXPECT_TRUE(step(unreachable_timer_fired{owned}).empty());
    EXPECT_TRUE(action_types(step(disconnected{owned})).empty()); // no timer armed while stopping
}

TEST_F(MemberSession, RefusedCredentialsAreReported)
{
    auto actions = step(auth_failed{});
    ASSERT_EQ(action_types(actions), (std::vector{action_type::lose_session, action_type::report_error}));
    EXPECT_EQ(actions[1].error, make_error_code(zk::errc::auth_failed));
}

TEST_F(MemberSession, ARefusedZnodeTakesTheMemberOutOfTheGroupOnceAndForAll)
{
    join();
    auto actions = step(access_denied{"cannot create /consumers/g/owners/t: not authenticated"});
    ASSERT_EQ(action_types(actions), (std::vector{action_type::lose_session, action_type::report_error}));
    EXPECT_EQ(actions[1].error, make_error_code(zk::errc::no_auth));
    EXPECT_NE(actions[1].what.find("ZNOAUTH"), std::string::npos) << actions[1].what;
    EXPECT_NE(actions[1].what.find("/consumers/g/owners/t"), std::string::npos) << actions[1].what;
    EXPECT_NE(actions[1].what.find("ZooKeeper auth is missing"), std::string::npos) << actions[1].what;
    EXPECT_TRUE(machine.refused());
    EXPECT_FALSE(machine.registered());
    // Reported once; a new session does not register again, so nothing spins.
    EXPECT_TRUE(step(access_denied{"cannot list /consumers/g/ids: not authenticated"}).empty());
    EXPECT_EQ(action_types(step(connected{43})), std::vector{action_type::cancel_unreachable_timer});
}

TEST_F(MemberSession, ARefusalWithCredentialsSaysTheyAreWrongAndNamesOnlyTheScheme)
{
    balanced_options o = zookeeper_options();
    o.zookeeper_auth = zk::auth_data{"digest", "alice:not-the-password"};
    member_session with_auth{o, "me"};
    with_auth.resume(connected{42});
    auto actions = with_auth.resume(access_denied{"cannot create /consumers/g/owners/t: not authenticated"});
    ASSERT_EQ(action_types(actions), (std::vector{action_type::lose_session, action_type::report_error}));
    EXPECT_NE(actions[1].what.find("is wrong (its 'digest' credentials"), std::string::npos) << actions[1].what;
    EXPECT_EQ(actions[1].what.find("not-the-password"), std::string::npos) << actions[1].what;
}

TEST(MemberSessionStatic, AStaticMemberAlwaysHoldsTheLease)
{
    balanced_options o;
    o.topic = "t";
    o.fixed = static_member{0, 1};
    member_session machine{o, "me"};
    EXPECT_TRUE(machine.lease_valid(session::clock::time_point{}));
    EXPECT_EQ(machine.lease_valid_until(), session::clock::time_point::max()); // its commits have no send-by time
}

} // namespace
} // namespace kspout::balanced
