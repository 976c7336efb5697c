// The balanced consumer's pure decisions: static shares, release/claim plans, standing claims, backoff, options.
#include "protocol/balanced/balanced_error.hpp"
#include "protocol/balanced/rebalance_plan.hpp"

#include <gtest/gtest.h>

#include <set>

namespace kspout::balanced {
namespace {

using namespace std::chrono_literals;

std::vector<group::partition_info> partitions(int count, std::int32_t leader = 1)
{
    std::vector<group::partition_info> out;
    for (int i = 0; i < count; ++i)
        out.push_back({i, leader});
    return out;
}

TEST(BalancedStaticAssignment, MembersCoverEveryPartitionOnce)
{
    for (int count = 1; count <= 7; ++count) {
        for (int total = 0; total <= 20; ++total) {
            auto all = partitions(total);
            std::multiset<std::int32_t> seen;
            for (int index = 0; index < count; ++index) {
                for (std::int32_t p : static_assignment(all, {index, count})) {
                    EXPECT_EQ(p % count, index);
                    seen.insert(p);
                }
            }
            ASSERT_EQ(seen.size(), static_cast<std::size_t>(total)) << count << " members, " << total << " partitions";
            for (int p = 0; p < total; ++p)
                EXPECT_EQ(seen.count(p), 1u) << "partition " << p;
        }
    }
}

TEST(BalancedStaticAssignment, IgnoresLeadersAndOrder)
{
    std::vector<group::partition_info> shuffled = {{5, 3}, {0, -1}, {3, 2}, {4, 1}, {1, 1}, {2, 9}};
    EXPECT_EQ(static_assignment(shuffled, {1, 2}), (std::vector<std::int32_t>{1, 3, 5}));
    EXPECT_EQ(static_assignment(shuffled, {0, 2}), (std::vector<std::int32_t>{0, 2, 4}));
}

TEST(BalancedStaticAssignment, ImpossibleMemberGetsNothing)
{
    auto all = partitions(6);
    EXPECT_TRUE(static_assignment(all, {3, 3}).empty());
    EXPECT_TRUE(static_assignment(all, {-1, 3}).empty());
    EXPECT_TRUE(static_assignment(all, {0, 0}).empty());
}

TEST(BalancedPlan, ReleasesWhatIsNoLongerOursAndClaimsTheRest)
{
    std::vector<std::int32_t> held = {4, 1, 2};
    std::vector<std::int32_t> target = {2, 3, 5, 4};
    rebalance_plan plan = plan_rebalance(held, target);
    EXPECT_EQ(plan.release, (std::vector<std::int32_t>{1}));
    EXPECT_EQ(plan.claim, (std::vector<std::int32_t>{3, 5}));
}

TEST(BalancedPlan, NothingToDoWhenTheSetsAgree)
{
    std::vector<std::int32_t> same = {0, 7, 3};
    std::vector<std::int32_t> shuffled = {7, 3, 0};
    rebalance_plan plan = plan_rebalance(same, shuffled);
    EXPECT_TRUE(plan.release.empty());
    EXPECT_TRUE(plan.claim.empty());
    plan = plan_rebalance({}, shuffled);
    EXPECT_EQ(plan.claim, (std::vector<std::int32_t>{0, 3, 7}));
    plan = plan_rebalance(same, {});
    EXPECT_EQ(plan.release, (std::vector<std::int32_t>{0, 3, 7}));
}

TEST(BalancedStandingClaim, TheFirstCreatedStandsWhateverItsName)
{
    std::vector<claim_node> nodes = {{"3-7", 120}, {"1-7", 95}, {"2-7", 300}};
    EXPECT_EQ(standing_claim(nodes), "1-7");
    std::vector<claim_node> reversed(nodes.rbegin(), nodes.rend());
    EXPECT_EQ(standing_claim(reversed), "1-7") << "every member must reach the same verdict";
    EXPECT_FALSE(standing_claim({}).has_value());
}

TEST(BalancedStandingClaim, EqualZxidsFallBackToTheName)
{
    std::vector<claim_node> nodes = {{"2-1", 10}, {"1-1", 10}};
    EXPECT_EQ(standing_claim(nodes), "1-1");
}

TEST(BalancedMetadataChange, NoticesNewPartitionsAndMovedLeaders)
{
    auto before = partitions(4, 1);
    auto same_shuffled = before;
    std::swap(same_shuffled[0], same_shuffled[3]);
    EXPECT_FALSE(partitions_changed(before, same_shuffled));

    auto grown = partitions(6, 1);
    EXPECT_TRUE(partitions_changed(before, grown));

    auto moved = before;
    moved[2].leader = 2;
    EXPECT_TRUE(partitions_changed(before, moved));

    auto leaderless = before;
    leaderless[1].leader = -1;
    EXPECT_TRUE(partitions_changed(before, leaderless));
}

TEST(BalancedBackoff, DoublesUpToTheCap)
{
    std::vector<std::chrono::milliseconds> steps;
    std::chrono::milliseconds at{0};
    for (int i = 0; i < 7; ++i) {
        at = next_backoff(at, 100ms, 1000ms);
        steps.push_back(at);
    }
    EXPECT_EQ(steps, (std::vector<std::chrono::milliseconds>{100ms, 200ms, 400ms, 800ms, 1000ms, 1000ms, 1000ms}));
}

TEST(BalancedBackoff, DegenerateSettingsStillMoveForward)
{
    EXPECT_EQ(next_backoff(0ms, 0ms, 0ms), 1ms);
    EXPECT_EQ(next_backoff(0ms, 500ms, 100ms), 500ms) << "a cap below the first step is raised to it";
    EXPECT_EQ(next_backoff(500ms, 500ms, 100ms), 500ms);
}

balanced_options zookeeper_options()
{
    balanced_options o;
    o.topic = "events";
    o.group_id = "g";
    o.zookeeper_connect = "127.0.0.1:2181";
    return o;
}

TEST(BalancedOptions, AcceptsAWorkableSetup)
{
    EXPECT_EQ(check_options(zookeeper_options()), "");
    balanced_options fixed;
    fixed.topic = "events";
    fixed.fixed = static_member{2, 3};
    EXPECT_EQ(check_options(fixed), "") << "static members need neither group nor ZooKeeper";
}

TEST(BalancedOptions, NamesWhatCannotWork)
{
    auto o = zookeeper_options();
    o.topic.clear();
    EXPECT_NE(check_options(o).find("topic"), std::string::npos);

    o = zookeeper_options();
    o.group_id = "a/b";
    EXPECT_NE(check_options(o).find("group id 'a/b'"), std::string::npos);

    o = zookeeper_options();
    o.zookeeper_connect.clear();
    EXPECT_NE(check_options(o).find("ZooKeeper"), std::string::npos);

    o = zookeeper_options();
    o.consumer_id = "..";
    EXPECT_NE(check_options(o).find("consumer id"), std::string::npos);

    o = zookeeper_options();
    o.fixed = static_member{3, 3};
    EXPECT_NE(check_options(o).find("index 3 outside [0, 3)"), std::string::npos);

    o.fixed = static_member{0, 0};
    EXPECT_NE(check_options(o).find("count"), std::string::npos);
}

TEST(BalancedPartitionList, ReadsWellInLogs)
{
    EXPECT_EQ(partition_list(std::vector<std::int32_t>{0, 1, 5}), "0,1,5");
    EXPECT_EQ(partition_list(std::vector<std::int32_t>{}), "none");
}

TEST(BalancedStrategy, MapsOntoTheGroupAssignment)
{
    EXPECT_EQ(to_group_strategy(assignment_strategy::range), group::assignment_strategy::range);
    EXPECT_EQ(to_group_strategy(assignment_strategy::round_robin), group::assignment_strategy::round_robin);
}

TEST(BalancedError, CodesHaveTheirOwnCategoryAndMessages)
{
    std::error_code ec = errc::rebalance_timed_out;
    EXPECT_EQ(ec.category(), balanced_category());
    EXPECT_STREQ(ec.category().name(), "kspout.balanced");
    std::set<std::string> messages;
    for (int v = static_cast<int>(errc::rebalance_timed_out); v <= static_cast<int>(errc::session_unconfirmed); ++v)
        messages.insert(make_error_code(static_cast<errc>(v)).message());
    EXPECT_EQ(messages.size(), static_cast<std::size_t>(errc::session_unconfirmed)) << "each code says something else";
}

} // namespace
} // namespace kspout::balanced
