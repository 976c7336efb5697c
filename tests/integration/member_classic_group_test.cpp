// Broker-managed classic group members against the librdkafka mock: partitions split, handed over, all consumed.
#include "tests/integration/group_members_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace kspout::io::consumer_testing {
namespace {

using ClassicGroupTest = GroupMembersFixture<ConsumerFixture>;

TEST_F(ClassicGroupTest, TwoMembersSplitThePartitionsThenOneTakesAllWhenTheOtherLeaves)
{
    topic_with_records("split", 4, 10);

    auto& a = join("split-group", "split");
    auto& b = join("split-group", "split");
    ASSERT_TRUE(run_until_split(a, b, 4, 40));
    EXPECT_FALSE(overlap);
    for (std::int32_t p : a.owned)
        EXPECT_FALSE(b.owned.contains(p));
    std::set<std::pair<std::int32_t, std::int64_t>> all = a.consumed;
    all.insert(b.consumed.begin(), b.consumed.end());
    EXPECT_EQ(all.size(), 40u); // every record, none twice

    // Commits carry the generation: the broker takes them for owned partitions; others are refused.
    std::string read, expected;
    std::error_code committed = commit_owned(a, 10, "split-group", "split", &read, &expected, *b.owned.begin());
    EXPECT_EQ(committed, make_error_code(consumer_errc::not_owned));
    EXPECT_EQ(read, expected);

    // b leaves: a gets every partition.
    ASSERT_TRUE(run_until_handed_over(a, b, 4));
    EXPECT_FALSE(overlap);
    EXPECT_TRUE(a.errors.empty());
    EXPECT_TRUE(b.errors.empty());
}

// Group errors injected into a running group, handled as the protocol says: REBALANCE_IN_PROGRESS
// on a Heartbeat makes the member give its partitions up and join again (eager); NOT_COORDINATOR
// on a Heartbeat or an OffsetCommit makes it find the coordinator again, and the commit still
// lands. Nothing is owned twice, and no error reaches the owner.
TEST_F(ClassicGroupTest, InjectedRebalanceAndCoordinatorErrorsAreHandledAsTheProtocolSays)
{
    topic_with_records("injected", 4, 10);
    auto& a = join("injected-group", "injected");
    auto& b = join("injected-group", "injected");
    ASSERT_TRUE(run_until_split(a, b, 4, 40));

    const std::size_t revoked_before = a.revoked.size() + b.revoked.size();
    mock.push_errors(wire::api_key::heartbeat, 27, 1); // REBALANCE_IN_PROGRESS
    ASSERT_TRUE(testing::run_until(ioc, [&] {
        a.poll_all();
        b.poll_all();
        return a.revoked.size() + b.revoked.size() > revoked_before && !a.owned.empty() && !b.owned.empty() &&
               owns_exactly({&a, &b}, 4);
    }, std::chrono::seconds(60)));
    EXPECT_FALSE(overlap);

    mock.push_errors(wire::api_key::heartbeat, 16, 1);     // NOT_COORDINATOR
    mock.push_errors(wire::api_key::offset_commit, 16, 1); // NOT_COORDINATOR
    std::string read, expected;
    std::error_code committed = commit_owned(a, 7, "injected-group", "injected", &read, &expected);
    EXPECT_FALSE(committed) << committed.message();
    EXPECT_EQ(read, expected);
    EXPECT_FALSE(overlap);
    EXPECT_TRUE(a.errors.empty());
    EXPECT_TRUE(b.errors.empty());
}

// The default protocol choice on a broker without KIP-848 (the mock, like any broker before 4.0):
// the member falls back to the classic protocol, says so once, and the group works.
TEST_F(ClassicGroupTest, TheBestOfferedProtocolIsTheClassicOneWhereTheBrokerLacksKip848)
{
    topic_with_records("auto", 4, 10);
    auto& a = join("auto-group", "auto", member::group_protocol::best_offered);
    auto& b = join("auto-group", "auto", member::group_protocol::best_offered);
    ASSERT_TRUE(run_until_split(a, b, 4, 40));
    EXPECT_FALSE(overlap);
    auto fell_back = std::count_if(logs.begin(), logs.end(), [](const std::string& l) {
        return l.find("does not offer KIP-848's consumer group protocol; using the classic one") != std::string::npos;
    });
    EXPECT_EQ(fell_back, 2) << "one line per member";
    EXPECT_TRUE(a.errors.empty()) << a.errors.front();
    EXPECT_TRUE(b.errors.empty()) << b.errors.front();
}

// librdkafka's balanced consumer (kcat -G) and our member in one group: each gets a share, no
// partition is held by both, and every record is consumed by one or the other.
TEST_F(ClassicGroupTest, AMemberSplitsThePartitionsWithKcat)
{
    topic_with_records("mixed", 4, 10);
    auto& ours = join("mixed-group", "mixed");
    ASSERT_TRUE(testing::run_until(ioc, [&] { return ours.owned.size() == 4; }, std::chrono::seconds(60)));

    expect_share_with_kcat(ours, "mixed-group", "mixed", 40);
}

} // namespace
} // namespace kspout::io::consumer_testing
