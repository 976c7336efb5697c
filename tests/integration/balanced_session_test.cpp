// Balanced consumers and their ZooKeeper session: forced expiry of one member, a ZooKeeper outage.
#include "tests/integration/balanced_fixture.hpp"

#include "protocol/balanced/balanced_error.hpp"

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

TEST_F(BalancedSession, AnExpiredMemberStopsAtOnceRejoinsAndNothingIsConsumedTwiceAtATime)
{
    const std::string topic = "expiry";
    constexpr int partitions = 9;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 20);
    for (int i = 0; i < 3; ++i)
        add_member(options_for(topic));
    ASSERT_TRUE(drive_until([&] { return settled(partitions); }));
    start_trickle(topic, partitions);
    drive_for(300ms);

    member& victim = *members[1];
    std::set<std::int32_t> held = victim.live;
    ASSERT_FALSE(held.empty());
    auto old = victim.consumer->zookeeper_session();
    ASSERT_TRUE(old.has_value());
    const std::size_t revoked_before = victim.revoked.size();

    // Expired from outside while every member keeps running: the others may claim its
    // partitions as soon as the server drops its nodes.
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
    ASSERT_TRUE(rejoined) << "the member neither gave its partitions up nor got a new session";
    const auto& given_up = victim.revoked[revoked_before];
    EXPECT_EQ(std::set<std::int32_t>(given_up.begin(), given_up.end()), held)
        << "everything it held is revoked on expiry";

    ASSERT_TRUE(drive_until([&] { return settled(partitions); }));
    drive_for(500ms);
    stop_trickle();
    ASSERT_TRUE(drive_until([&] { return everything_seen(); }));
    drive_for(200ms);

    EXPECT_GE(victim.assignments, 2) << "it claimed partitions again on its new session";
    expect_znodes_match_members(topic, partitions);
    expect_no_concurrent_consumption();
    expect_consumed(false); // at least once: its revocation commit may trail the next owner's start
    for (auto& m : members)
        EXPECT_TRUE(m->errors.empty()) << m->name << ": " << m->errors.front().second;
}

TEST_F(BalancedSession, AZooKeeperOutagePausesEveryoneAndTheGroupRecoversWithoutLossOrDoubleOwners)
{
    const std::string topic = "outage";
    constexpr int partitions = 6;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 10);
    add_member(options_for(topic));
    add_member(options_for(topic));
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
