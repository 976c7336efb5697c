// Balanced consumers and their ZooKeeper session: forced expiry of one member, a ZooKeeper outage.
#include "tests/integration/balanced_fixture.hpp"

#include "protocol/balanced/balanced_error.hpp"
#include "tests/integration/balanced_proxy.hpp"

#include <thread>

namespace kspout::balanced::testing {
namespace {

class BalancedSession : public BalancedFixture {
protected:
    std::size_t returned_total() const
    {
        std::size_t n = 0;
        for (const auto& [key, count] : seen)
            n += static_cast<std::size_t>(count);
        return n;
    }
};

// The victim reaches ZooKeeper through a proxy the test cuts before expiring its session, as a
// network partition would: ZooKeeper can only end a session whose client it cannot reach, and
// the client hears nothing until it is back, so it must pause at the disconnect and give up at
// the expiry, and nothing may be consumed twice at a time.
TEST_F(BalancedSession, AnExpiredMemberStopsAtOnceRejoinsAndNothingIsConsumedTwiceAtATime)
{
    const std::string topic = "expiry";
    constexpr int partitions = 9;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 20);
    cuttable_proxy link(ioc, zookeeper->connect_string());
    add_member(options_for(topic));
    auto through_proxy = options_for(topic);
    through_proxy.zookeeper_connect = link.address();
    member& victim = add_member(through_proxy);
    add_member(options_for(topic));
    ASSERT_TRUE(drive_until([&] { return settled(partitions); }));
    start_trickle(topic, partitions);
    drive_for(300ms);

    std::set<std::int32_t> held = victim.live;
    ASSERT_FALSE(held.empty());
    auto old = victim.consumer->zookeeper_session();
    ASSERT_TRUE(old.has_value());
    const std::size_t revoked_before = victim.revoked.size();
    const std::size_t commits_before = victim.commit_results.size();

    link.cut();
    std::exception_ptr failure;
    std::thread expirer([&] {
        try {
            kspout::testing::expire_session(zookeeper->connect_string(), old->id, old->password);
        } catch (...) {
            failure = std::current_exception();
        }
    });
    // The others take everything over while the victim cannot reach ZooKeeper.
    bool taken_over = drive_until([&] {
        std::set<std::int32_t> others;
        for (member* m : running())
            if (m != &victim)
                others.insert(m->live.begin(), m->live.end());
        return others.size() == static_cast<std::size_t>(partitions);
    });
    expirer.join();
    ASSERT_FALSE(failure) << "expire_session failed";
    ASSERT_TRUE(taken_over);
    drive_for(300ms);
    EXPECT_EQ(victim.revoked.size(), revoked_before) << "it learns of the expiry only when it reaches ZooKeeper";

    link.restore();
    ASSERT_TRUE(drive_until([&] {
        auto now = victim.consumer->zookeeper_session();
        return victim.revoked.size() > revoked_before && now && now->id != old->id;
    })) << "the member neither gave its partitions up nor got a new session";
    const auto& given_up = victim.revoked[revoked_before];
    EXPECT_EQ(std::set<std::int32_t>(given_up.begin(), given_up.end()), held)
        << "everything it held is revoked on expiry";
    // Its revoke commit comes after the others took over and committed: it must be refused, or
    // it would move their committed offsets back.
    ASSERT_GT(victim.commit_results.size(), commits_before);
    EXPECT_EQ(victim.commit_results[commits_before], io::consumer_errc::not_owned);

    ASSERT_TRUE(drive_until([&] { return settled(partitions); }));
    drive_for(500ms);
    stop_trickle();
    ASSERT_TRUE(drive_until([&] { return everything_seen(); }));
    drive_for(200ms);

    EXPECT_GE(victim.assignments, 2) << "it claimed partitions again on its new session";
    expect_znodes_match_members(topic, partitions);
    expect_no_concurrent_consumption();
    expect_consumed(false); // at least once: what it had not committed is read again
    for (auto& m : members)
        EXPECT_TRUE(m->errors.empty()) << m->name << ": " << m->errors.front().second;
}

// expire_session as it is, on a member that keeps running: it must notice, give up everything,
// and come back. (No check that nothing was consumed twice at a time here: the victim can take
// its session back from the expiring handle just before that handle ends it, and then nothing
// tells it until its requests go unanswered for 2/3 of the session timeout.)
TEST_F(BalancedSession, ExpiryFromOutsideIsNoticedAndTheMemberRejoins)
{
    const std::string topic = "expiry-outside";
    constexpr int partitions = 6;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 20);
    auto o = options_for(topic);
    o.zookeeper_session_timeout = 2s;
    add_member(o);
    member& victim = add_member(o);
    ASSERT_TRUE(drive_until([&] { return settled(partitions) && everything_seen(); }));
    std::set<std::int32_t> held = victim.live;
    auto old = victim.consumer->zookeeper_session();
    ASSERT_TRUE(old.has_value());
    const std::size_t revoked_before = victim.revoked.size();

    std::exception_ptr failure;
    std::thread expirer([&] {
        try {
            kspout::testing::expire_session(zookeeper->connect_string(), old->id, old->password);
        } catch (...) {
            failure = std::current_exception();
        }
    });
    bool rejoined = drive_until([&] {
        auto now = victim.consumer->zookeeper_session();
        return victim.revoked.size() > revoked_before && now && now->id != old->id;
    });
    expirer.join();
    ASSERT_FALSE(failure) << "expire_session failed";
    ASSERT_TRUE(rejoined);
    const auto& given_up = victim.revoked[revoked_before];
    EXPECT_EQ(std::set<std::int32_t>(given_up.begin(), given_up.end()), held);

    produce_all(topic, partitions, 5);
    ASSERT_TRUE(drive_until([&] { return settled(partitions) && everything_seen(); }));
    expect_znodes_match_members(topic, partitions);
    EXPECT_TRUE(violations.empty()) << violations.front();
    expect_consumed(false);
    for (auto& m : members)
        EXPECT_TRUE(m->errors.empty()) << m->name << ": " << m->errors.front().second;
}

// A process stopped (SIGSTOP, a long pause) past its session timeout wakes up believing it owns
// its partitions: its ZooKeeper client has not told it yet that the session ended and that
// another member may have taken over and committed further. Its first commit must wait for
// ZooKeeper to confirm the session, and is refused when it cannot.
TEST_F(BalancedSession, AMemberFrozenPastItsSessionCommitsNothingUntilZooKeeperConfirmsIt)
{
    const std::string topic = "frozen";
    constexpr int partitions = 3;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 20);
    auto o = options_for(topic);
    o.zookeeper_session_timeout = 2s;
    member& victim = add_member(o);
    ASSERT_TRUE(drive_until([&] { return settled(partitions) && everything_seen(); }));
    ASSERT_EQ(segments[0].size(), 1u);
    auto old = victim.consumer->zookeeper_session();
    ASSERT_TRUE(old.has_value());

    // The freeze is the fault itself: the executor does not run for one session timeout, longer
    // than any lease, and meanwhile the session ends, as ZooKeeper ends a silent client's.
    auto thawed_at = std::chrono::steady_clock::now() + o.zookeeper_session_timeout;
    kspout::testing::expire_session(zookeeper->connect_string(), old->id, old->password);
    std::this_thread::sleep_until(thawed_at);

    // Woken, before it has handled anything: it still believes partition 0 is its own.
    std::optional<std::error_code> result;
    victim.consumer->commit({{0, 20}}, [&](std::error_code ec) { result = ec; });
    ASSERT_TRUE(drive_until([&] { return result.has_value(); }));
    EXPECT_TRUE(*result == errc::session_unconfirmed || *result == io::consumer_errc::not_owned) << result->message();

    // On its new session it takes partition 0 again, from what the group had committed before.
    ASSERT_TRUE(drive_until([&] {
        auto now = victim.consumer->zookeeper_session();
        return now && now->id != old->id && settled(partitions) && segments[0].size() == 2;
    }));
    EXPECT_EQ(segments[0].back().start_offset, 0) << "the frozen member's commit reached the broker";
    EXPECT_TRUE(victim.errors.empty()) << victim.errors.front().second;
}

TEST_F(BalancedSession, AZooKeeperOutagePausesEveryoneAndTheGroupRecoversWithoutLossOrDoubleOwners)
{
    const std::string topic = "outage";
    constexpr int partitions = 6;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 10);
    auto o = options_for(topic);
    o.zookeeper_session_timeout = 2s; // the outage below outlasts it
    add_member(o);
    add_member(o);
    ASSERT_TRUE(drive_until([&] { return settled(partitions) && everything_seen(); }));
    std::map<std::string, std::int64_t> sessions;
    std::map<std::string, int> revocations;
    for (member* m : running()) {
        sessions[m->name] = m->consumer->zookeeper_session()->id;
        revocations[m->name] = m->revocations;
    }

    zookeeper->stop();
    // Past the session timeout without ZooKeeper, each member says so and stays paused.
    ASSERT_TRUE(drive_until([&] {
        for (member* m : running())
            if (!m->saw_error(errc::zookeeper_unreachable))
                return false;
        return true;
    }));
    std::size_t before = returned_total();
    produce_all(topic, partitions, 5);
    drive_for(700ms);
    EXPECT_EQ(returned_total(), before) << "messages were handed out while ownership was unknown";

    zookeeper->restart();
    ASSERT_TRUE(drive_until([&] { return settled(partitions) && everything_seen(); }));
    drive_for(300ms);
    expect_znodes_match_members(topic, partitions);
    expect_no_concurrent_consumption();
    bool sessions_kept = true;
    for (member* m : running())
        sessions_kept = sessions_kept && m->consumer->zookeeper_session()->id == sessions[m->name];
    if (sessions_kept) {
        // The server kept the sessions across its restart: nothing was claimed again.
        for (member* m : running())
            EXPECT_EQ(m->revocations, revocations[m->name]) << m->name;
        expect_consumed(true);
    } else {
        expect_consumed(false);
    }
}

TEST_F(BalancedSession, ADisconnectShorterThanTheSessionPausesAndResumesWithoutReclaiming)
{
    const std::string topic = "blip";
    constexpr int partitions = 4;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 10);
    auto o = options_for(topic);
    o.zookeeper_session_timeout = 8s; // the restart below stays well inside it
    member& m = add_member(o);
    ASSERT_TRUE(drive_until([&] { return settled(partitions) && everything_seen(); }));
    auto session = m.consumer->zookeeper_session()->id;
    int assignments = m.assignments;

    zookeeper->restart();
    produce_all(topic, partitions, 10);
    ASSERT_TRUE(drive_until([&] { return everything_seen(); }));
    drive_for(200ms);
    EXPECT_EQ(m.consumer->zookeeper_session()->id, session);
    EXPECT_EQ(m.assignments, assignments) << "the session survived: nothing to claim again";
    EXPECT_EQ(m.revocations, 0);
    EXPECT_TRUE(m.errors.empty()) << m.errors.front().second;
    expect_znodes_match_members(topic, partitions);
    expect_consumed(true);
}

} // namespace
} // namespace kspout::balanced::testing
