// Balanced consumers and topic metadata: partitions added at run time, leaders that move.
#include "tests/integration/balanced_fixture.hpp"
#include "tests/integration/balanced_proxy.hpp"

namespace kspout::balanced::testing {
namespace {

class BalancedMetadata : public BalancedFixture {
protected:
    std::unique_ptr<metadata_proxy> proxy;

    // The mock cannot add partitions to a topic, so members see it through a proxy that hides
    // the higher partitions from Metadata until the test shows them.
    io::cluster_options through_proxy()
    {
        if (!proxy) {
            std::map<std::int32_t, std::string> upstream;
            for (int id = 1; id <= mock->broker_count(); ++id)
                upstream[id] = mock->broker_address(id);
            proxy = std::make_unique<metadata_proxy>(ioc, upstream);
        }
        io::cluster_options o = cluster_options();
        o.bootstrap_servers = {proxy->bootstrap()};
        return o;
    }

    void TearDown() override
    {
        // Members first: they still talk to the brokers through the proxy while they stop.
        BalancedFixture::TearDown();
        proxy.reset();
        ioc.restart();
        ioc.poll(); // runs the posted shut-down handlers
    }

    std::size_t rebalance_count(const member& m) const
    {
        std::size_t n = 0;
        for (const auto& line : logs)
            n += line.starts_with(m.name + " ") && line.find(": rebalanced; owns") != std::string::npos;
        return n;
    }

    bool seen_any_of(std::int32_t from, std::int32_t to) const
    {
        for (const auto& [key, n] : seen)
            if (key.first >= from && key.first < to)
                return true;
        return false;
    }
};

TEST_F(BalancedMetadata, PartitionsAddedAtRunTimeAreClaimedAndConsumed)
{
    const std::string topic = "growing";
    mock->create_topic(topic, 6);
    through_proxy();
    proxy->set_visible_partitions(topic, 3);
    produce_all(topic, 6, 10);

    add_member(options_for(topic), through_proxy());
    add_member(options_for(topic), through_proxy());
    ASSERT_TRUE(drive_until([&] {
        for (std::int32_t p = 0; p < 3; ++p)
            for (std::int64_t o = 0; o < produced[p]; ++o)
                if (!seen.contains({p, o}))
                    return false;
        return settled(3);
    }));
    EXPECT_EQ(zk_owners(topic).size(), 3u);
    EXPECT_FALSE(seen_any_of(3, 6)) << "hidden partitions were consumed";
    EXPECT_GT(proxy->metadata_replies(), 0);

    proxy->set_visible_partitions(topic, -1); // "partitions added"
    ASSERT_TRUE(drive_until([&] { return settled(6) && everything_seen(); }));
    drive_for(200ms);
    expect_znodes_match_members(topic, 6);
    expect_consumed(true);
    expect_no_concurrent_consumption();
}

TEST_F(BalancedMetadata, StaticMembersPickUpAddedPartitionsToo)
{
    const std::string topic = "growing-static";
    mock->create_topic(topic, 5);
    through_proxy();
    proxy->set_visible_partitions(topic, 2);
    produce_all(topic, 5, 8);
    for (int i = 0; i < 2; ++i) {
        auto o = options_for(topic);
        o.zookeeper_connect.clear();
        o.fixed = static_member{i, 2};
        add_member(o, through_proxy());
    }
    ASSERT_TRUE(drive_until([&] { return members[0]->live.size() == 1 && members[1]->live.size() == 1; }));
    EXPECT_EQ(members[0]->live, (std::set<std::int32_t>{0}));
    EXPECT_EQ(members[1]->live, (std::set<std::int32_t>{1}));

    proxy->set_visible_partitions(topic, -1);
    ASSERT_TRUE(drive_until([&] { return everything_seen(); }));
    EXPECT_EQ(members[0]->live, (std::set<std::int32_t>{0, 2, 4}));
    EXPECT_EQ(members[1]->live, (std::set<std::int32_t>{1, 3}));
    expect_consumed(true);
}

TEST_F(BalancedMetadata, LeaderMovesRebalanceWithoutDoubleOwners)
{
    const std::string topic = "moving";
    constexpr int partitions = 6;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 10);
    for (int i = 0; i < 3; ++i)
        add_member(options_for(topic));
    ASSERT_TRUE(drive_until([&] { return settled(partitions) && everything_seen(); }));

    // pykafka's order sorts by "topic-leader-partition", so leaders decide the shares. With
    // leaders 1,1,2,2,3,3 the first member (by id) takes 0 and 1; with 3,3,2,2,1,1 it takes 4
    // and 5: the second move must hand partitions over.
    auto move_leaders = [&](auto leader_of) {
        std::map<std::string, std::size_t> rebalances;
        for (member* m : running())
            rebalances[m->name] = rebalance_count(*m);
        for (int p = 0; p < partitions; ++p)
            mock->set_leader(topic, p, leader_of(p));
        return drive_until([&] {
            for (member* m : running())
                if (rebalance_count(*m) <= rebalances[m->name])
                    return false;
            return settled(partitions);
        });
    };
    ASSERT_TRUE(move_leaders([](int p) { return 1 + p / 2; }));
    std::map<std::string, std::set<std::int32_t>> before;
    for (member* m : running())
        before[m->name] = m->live;
    start_trickle(topic, partitions);
    drive_for(200ms);
    ASSERT_TRUE(move_leaders([](int p) { return 3 - p / 2; }));
    int changed = 0;
    for (member* m : running())
        changed += m->live != before[m->name];
    EXPECT_EQ(changed, 2) << "the first and the last member swap their shares";

    drive_for(300ms);
    stop_trickle();
    ASSERT_TRUE(drive_until([&] { return settled(partitions) && everything_seen(); }));
    drive_for(200ms);
    expect_znodes_match_members(topic, partitions);
    expect_consumed(true);
    expect_no_concurrent_consumption();
    for (auto& m : members)
        EXPECT_TRUE(m->errors.empty()) << m->name << ": " << m->errors.front().second;
}

} // namespace
} // namespace kspout::balanced::testing
