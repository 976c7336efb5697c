// pykafka's range and round-robin assignment: coverage, balance, order by string key, exact tables.
#include "protocol/group/assignment.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace kspout::group {
namespace {

// Like pykafka's own test: participants "test-debian:<n>", partition k led by broker k % C.
std::vector<std::string> make_participants(int count)
{
    std::vector<std::string> ids;
    for (int p = 0; p < count; ++p)
        ids.push_back("test-debian:" + std::to_string(p));
    return ids;
}

std::vector<partition_info> make_partitions(int count, int leaders)
{
    std::vector<partition_info> partitions;
    for (int k = 0; k < count; ++k)
        partitions.push_back({k, k % leaders});
    return partitions;
}

std::vector<std::int32_t> ids_of(const std::vector<partition_info>& partitions)
{
    std::vector<std::int32_t> ids;
    for (const partition_info& p : partitions)
        ids.push_back(p.id);
    return ids;
}

// The properties pykafka's test checks, for 100 (participants, partitions) combinations, plus the
// exact shape of each strategy: contiguous blocks in key order for range, every C-th for round robin.
void check_strategy(assignment_strategy strategy)
{
    const std::string topic = "testtopic";
    for (int i = 0; i < 100; ++i) {
        int members = i + 1;
        int count = 100 - i;
        std::vector<std::string> participants = make_participants(members);
        std::vector<partition_info> partitions = make_partitions(count, members);
        std::vector<partition_info> in_key_order = sort_partitions(topic, partitions);
        std::vector<std::string> sorted_participants = participants;
        std::sort(sorted_participants.begin(), sorted_participants.end());

        std::map<std::int32_t, int> times_assigned;
        std::vector<partition_info> concatenated;
        std::size_t smallest = SIZE_MAX;
        std::size_t largest = 0;
        for (std::size_t index = 0; index < sorted_participants.size(); ++index) {
            auto mine = decide_partitions(strategy, topic, partitions, participants, sorted_participants[index]);
            ASSERT_TRUE(mine.has_value());
            std::size_t expected_size = static_cast<std::size_t>(count / members) +
                                        (static_cast<int>(index) < count % members ? 1 : 0);
            EXPECT_EQ(mine->size(), expected_size)
                << members << " members, " << count << " partitions, index " << index;
            smallest = std::min(smallest, mine->size());
            largest = std::max(largest, mine->size());
            for (const partition_info& p : *mine)
                ++times_assigned[p.id];
            if (strategy == assignment_strategy::round_robin) {
                for (std::size_t j = 0; j < mine->size(); ++j) {
                    EXPECT_EQ((*mine)[j], in_key_order[index + j * sorted_participants.size()]);
                }
            }
            concatenated.insert(concatenated.end(), mine->begin(), mine->end());
        }
        EXPECT_LE(largest - smallest, 1u);
        ASSERT_EQ(times_assigned.size(), static_cast<std::size_t>(count));
        for (const auto& [id, times] : times_assigned)
            EXPECT_EQ(times, 1) << "partition " << id;
        if (strategy == assignment_strategy::range) {
            EXPECT_EQ(concatenated, in_key_order) << members << " members, " << count << " partitions";
        }
    }
}

TEST(GroupAssignment, RangeCoversEveryPartitionOnceInBalancedContiguousBlocks)
{
    check_strategy(assignment_strategy::range);
}

TEST(GroupAssignment, RoundRobinCoversEveryPartitionOnceDealingInKeyOrder)
{
    check_strategy(assignment_strategy::round_robin);
}

TEST(GroupAssignment, SortKeyIsTopicLeaderPartition)
{
    EXPECT_EQ(partition_sort_key("events", {7, 3}), "events-3-7");
    EXPECT_EQ(partition_sort_key("t", {0, -1}), "t--1-0");
}

TEST(GroupAssignment, PartitionsSortAsStringsSoTenComesBeforeTwo)
{
    std::vector<partition_info> partitions;
    for (int k = 0; k < 12; ++k)
        partitions.push_back({k, 1});
    EXPECT_EQ(ids_of(sort_partitions("t", partitions)),
              (std::vector<std::int32_t>{0, 1, 10, 11, 2, 3, 4, 5, 6, 7, 8, 9}));

    std::vector<std::string> participants = {"b:2", "a:1"};
    auto first = decide_partitions_range("t", partitions, participants, "a:1");
    auto second = decide_partitions_range("t", partitions, participants, "b:2");
    ASSERT_TRUE(first && second);
    EXPECT_EQ(ids_of(*first), (std::vector<std::int32_t>{0, 1, 10, 11, 2, 3}));
    EXPECT_EQ(ids_of(*second), (std::vector<std::int32_t>{4, 5, 6, 7, 8, 9}));

    auto dealt = decide_partitions_round_robin("t", partitions, participants, "a:1");
    ASSERT_TRUE(dealt);
    EXPECT_EQ(ids_of(*dealt), (std::vector<std::int32_t>{0, 10, 2, 4, 6, 8}));
}

TEST(GroupAssignment, LeaderComesBeforePartitionInTheOrder)
{
    // "t-1-1" < "t-2-0": partition 1 sorts first because of its leader.
    std::vector<partition_info> partitions = {{0, 2}, {1, 1}};
    EXPECT_EQ(ids_of(sort_partitions("t", partitions)), (std::vector<std::int32_t>{1, 0}));
    std::vector<std::string> participants = {"m1", "m2"};
    auto first = decide_partitions_range("t", partitions, participants, "m1");
    ASSERT_TRUE(first);
    EXPECT_EQ(ids_of(*first), std::vector<std::int32_t>{1});
}

TEST(GroupAssignment, SmallTableByHand)
{
    // 7 partitions, 3 members: sizes 3, 2, 2 in member order, blocks in key order.
    std::vector<partition_info> partitions;
    for (int k = 0; k < 7; ++k)
        partitions.push_back({k, 5});
    std::vector<std::string> participants = {"host:c", "host:a", "host:b"};
    EXPECT_EQ(ids_of(*decide_partitions_range("x", partitions, participants, "host:a")),
              (std::vector<std::int32_t>{0, 1, 2}));
    EXPECT_EQ(ids_of(*decide_partitions_range("x", partitions, participants, "host:b")),
              (std::vector<std::int32_t>{3, 4}));
    EXPECT_EQ(ids_of(*decide_partitions_range("x", partitions, participants, "host:c")),
              (std::vector<std::int32_t>{5, 6}));
    EXPECT_EQ(ids_of(*decide_partitions_round_robin("x", partitions, participants, "host:a")),
              (std::vector<std::int32_t>{0, 3, 6}));
    EXPECT_EQ(ids_of(*decide_partitions_round_robin("x", partitions, participants, "host:b")),
              (std::vector<std::int32_t>{1, 4}));
    EXPECT_EQ(ids_of(*decide_partitions_round_robin("x", partitions, participants, "host:c")),
              (std::vector<std::int32_t>{2, 5}));
}

TEST(GroupAssignment, ParticipantOrderIsBytewise)
{
    // 'B' (0x42) < 'a' (0x61) < 0xc3 (a UTF-8 lead byte): the unsigned byte order pykafka gets.
    std::vector<partition_info> partitions = {{0, 1}, {1, 1}, {2, 1}};
    std::vector<std::string> participants = {"\xc3\xa9:1", "a:1", "B:1"};
    EXPECT_EQ(ids_of(*decide_partitions_range("t", partitions, participants, "B:1")), std::vector<std::int32_t>{0});
    EXPECT_EQ(ids_of(*decide_partitions_range("t", partitions, participants, "a:1")), std::vector<std::int32_t>{1});
    EXPECT_EQ(ids_of(*decide_partitions_range("t", partitions, participants, "\xc3\xa9:1")),
              std::vector<std::int32_t>{2});
}

TEST(GroupAssignment, MoreMembersThanPartitionsLeavesTheLastOnesEmpty)
{
    std::vector<partition_info> partitions = {{0, 1}, {1, 1}};
    std::vector<std::string> participants = {"a", "b", "c"};
    EXPECT_EQ(decide_partitions_range("t", partitions, participants, "a")->size(), 1u);
    EXPECT_EQ(decide_partitions_range("t", partitions, participants, "b")->size(), 1u);
    EXPECT_TRUE(decide_partitions_range("t", partitions, participants, "c")->empty());
    EXPECT_TRUE(decide_partitions_round_robin("t", partitions, participants, "c")->empty());
}

TEST(GroupAssignment, NotAParticipantGivesNothing)
{
    std::vector<partition_info> partitions = {{0, 1}};
    std::vector<std::string> participants = {"a", "b"};
    EXPECT_FALSE(decide_partitions_range("t", partitions, participants, "z").has_value());
    EXPECT_FALSE(decide_partitions_round_robin("t", partitions, participants, "z").has_value());
    EXPECT_FALSE(decide_partitions_range("t", partitions, {}, "a").has_value());
}

TEST(GroupAssignment, NoPartitionsAssignsNothing)
{
    std::vector<std::string> participants = {"a"};
    auto mine = decide_partitions_range("t", {}, participants, "a");
    ASSERT_TRUE(mine);
    EXPECT_TRUE(mine->empty());
}

} // namespace
} // namespace kspout::group
