// Balanced consumers in one process: a group growing and shrinking (1 -> 4 -> 2 -> 1), static members.
#include "tests/integration/balanced_fixture.hpp"

namespace kspout::balanced::testing {
namespace {

class BalancedGroup : public BalancedFixture {};

TEST_F(BalancedGroup, GrowingAndShrinkingKeepsEveryPartitionOwnedOnceAndConsumesEverything)
{
    const std::string topic = "grow-shrink";
    constexpr int partitions = 12;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 20);

    add_member(options_for(topic));
    ASSERT_TRUE(drive_until([&] { return settled(partitions); })) << "1 member";
    expect_znodes_match_members(topic, partitions);

    for (int i = 0; i < 3; ++i)
        add_member(options_for(topic));
    produce_all(topic, partitions, 10);
    ASSERT_TRUE(drive_until([&] { return settled(partitions); })) << "4 members";
    for (member* m : running())
        EXPECT_EQ(m->live.size(), 3u) << m->name;
    expect_znodes_match_members(topic, partitions);

    stop_member(*members[0]);
    stop_member(*members[2]);
    produce_all(topic, partitions, 10);
    ASSERT_TRUE(drive_until([&] { return settled(partitions); })) << "2 members";
    expect_znodes_match_members(topic, partitions);

    stop_member(*members[1]);
    produce_all(topic, partitions, 10);
    ASSERT_TRUE(drive_until([&] { return settled(partitions) && everything_seen(); })) << "1 member";
    expect_znodes_match_members(topic, partitions);
    drive_for(300ms); // a duplicate, if one were coming, would show up now

    // Every hand-over went through on_revoking, which committed what had been returned, so
    // the next owner started right after it: nothing lost, nothing twice.
    expect_consumed(true);
    expect_no_concurrent_consumption();
    for (auto& m : members) {
        EXPECT_TRUE(m->errors.empty()) << m->name << ": " << m->errors.front().second;
        for (std::error_code ec : m->commit_results)
            EXPECT_FALSE(ec) << m->name << ": " << ec.message();
    }
    EXPECT_GE(members[3]->assignments, 2) << "the last member took partitions over at least once";
}

TEST_F(BalancedGroup, StoppedMembersLeaveNoZnodesBehind)
{
    const std::string topic = "leave-clean";
    mock->create_topic(topic, 4);
    member& a = add_member(options_for(topic));
    member& b = add_member(options_for(topic));
    ASSERT_TRUE(drive_until([&] { return settled(4); }));
    stop_member(a);
    stop_member(b);
    EXPECT_TRUE(zk_owners(topic).empty());
    auto ids = zk_children(group::ids_path(group));
    ASSERT_TRUE(ids.has_value());
    EXPECT_TRUE(ids->empty());
    EXPECT_GE(a.revocations, 1);
    EXPECT_GE(b.revocations, 1);
}

TEST_F(BalancedGroup, MoreMembersThanPartitionsLeavesTheExtraIdle)
{
    const std::string topic = "few";
    mock->create_topic(topic, 2);
    produce_all(topic, 2, 5);
    for (int i = 0; i < 3; ++i)
        add_member(options_for(topic));
    ASSERT_TRUE(drive_until([&] { return settled(2) && everything_seen(); }));
    int idle = 0;
    for (member* m : running())
        idle += m->live.empty();
    EXPECT_EQ(idle, 1);
    expect_znodes_match_members(topic, 2);
    expect_consumed(true);
}

TEST_F(BalancedGroup, RoundRobinMembersAlsoSplitEveryPartitionOnce)
{
    const std::string topic = "rr";
    constexpr int partitions = 7;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 5);
    for (int i = 0; i < 3; ++i) {
        auto o = options_for(topic);
        o.strategy = assignment_strategy::round_robin;
        add_member(o);
    }
    ASSERT_TRUE(drive_until([&] { return settled(partitions) && everything_seen(); }));
    expect_znodes_match_members(topic, partitions);
    expect_consumed(true);
}

TEST_F(BalancedGroup, ResetOffsetOnStartCoversOnlyTheFirstAssignment)
{
    const std::string topic = "reset-once";
    constexpr int partitions = 4;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 10);
    // A first member reads everything and commits 10 per partition as it stops.
    member& first = add_member(options_for(topic));
    ASSERT_TRUE(drive_until([&] { return settled(partitions) && everything_seen(); }));
    stop_member(first);

    std::map<std::int32_t, std::vector<std::int64_t>> starts; // partition -> start offsets announced to `a`
    auto o = options_for(topic);
    o.consumer.reset_offset_on_start = true; // with auto_offset_reset earliest: back to 0
    member& a = add_member(o);
    ASSERT_TRUE(drive_until([&] { return settled(partitions); }));
    for (const auto& [p, list] : segments)
        for (const auto& s : list)
            if (s.member == a.name)
                starts[p].push_back(s.start_offset);
    for (int p = 0; p < partitions; ++p)
        EXPECT_EQ(starts[p], (std::vector<std::int64_t>{0})) << "partition " << p << " reset on start";

    // Partitions `a` takes over later start where their previous owner committed.
    member& b = add_member(options_for(topic));
    ASSERT_TRUE(drive_until([&] { return settled(partitions); }));
    std::set<std::int32_t> moved = b.live;
    ASSERT_FALSE(moved.empty());
    produce_all(topic, partitions, 5);
    ASSERT_TRUE(drive_until([&] { return everything_seen(); }));
    stop_member(b);
    ASSERT_TRUE(drive_until([&] { return settled(partitions); }));
    for (std::int32_t p : moved) {
        std::vector<std::int64_t> announced;
        for (const auto& s : segments[p])
            if (s.member == a.name)
                announced.push_back(s.start_offset);
        ASSERT_EQ(announced.size(), 2u) << "partition " << p;
        EXPECT_EQ(announced[1], 15) << "partition " << p << " continues from b's commit";
    }
}

TEST_F(BalancedGroup, StaticMembersCoverEveryPartitionExactlyOnce)
{
    const std::string topic = "static";
    constexpr int partitions = 8;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 15);
    for (int i = 0; i < 3; ++i) {
        auto o = options_for(topic);
        o.zookeeper_connect.clear();
        o.fixed = static_member{i, 3};
        add_member(o);
    }
    ASSERT_TRUE(drive_until([&] { return everything_seen(); }));
    drive_for(200ms);
    std::set<std::int32_t> covered;
    for (int i = 0; i < 3; ++i) {
        for (std::int32_t p : members[static_cast<std::size_t>(i)]->live) {
            EXPECT_EQ(p % 3, i) << "member " << i;
            EXPECT_TRUE(covered.insert(p).second) << "partition " << p << " twice";
        }
        EXPECT_EQ(members[static_cast<std::size_t>(i)]->consumer->owned(),
                  std::vector<std::int32_t>(members[static_cast<std::size_t>(i)]->live.begin(),
                                            members[static_cast<std::size_t>(i)]->live.end()));
        EXPECT_FALSE(members[static_cast<std::size_t>(i)]->consumer->zookeeper_session().has_value());
    }
    EXPECT_EQ(covered.size(), static_cast<std::size_t>(partitions));
    expect_consumed(true);
    expect_no_concurrent_consumption();
    // Static mode writes nothing to ZooKeeper.
    EXPECT_FALSE(zk_children("/consumers").has_value());

    stop_member(*members[1]);
    EXPECT_GE(members[1]->revocations, 1) << "stop() revokes through the listener in static mode too";
}

} // namespace
} // namespace kspout::balanced::testing
