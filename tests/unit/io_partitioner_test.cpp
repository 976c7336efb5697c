// murmur2 against kafka-python's values, keyed partition choice, round-robin and sticky null keys.
#include "protocol/io/partitioner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace kspout::io {
namespace {

wire::bytes_view bytes(const std::string& s)
{
    return wire::as_bytes(s);
}

// Each expected value was printed by kafka-python 2.0.2 (Debian python3-kafka), which returns the
// hash as an unsigned number:
//   python3 -c "from kafka.partitioner.default import murmur2; print(murmur2(b'hello'))"
TEST(Murmur2, MatchesKafkaPython)
{
    std::string all_bytes;
    for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
    const std::vector<std::pair<std::string, std::uint32_t>> cases{
        {"", 275646681u},
        {"a", 2731586172u},
        {"ab", 316155434u},
        {"abc", 479470107u},
        {"abcd", 2971317748u},
        {"abcdefg", 3948500121u},
        {"hello", 2132663229u},
        {"kafka", 3496464228u},
        {"key-0", 29210041u},
        {std::string("\x00\xff\x80", 3), 2506231675u},
        {"\xff\xff\xff\xff\xff", 3931128674u},
        {"The quick brown fox jumps over the lazy dog", 495243318u},
        {all_bytes, 2346620022u},
    };
    for (const auto& [key, expected] : cases) {
        EXPECT_EQ(static_cast<std::uint32_t>(murmur2(bytes(key))), expected) << "key of " << key.size() << " bytes";
    }
}

// kafka-python's DefaultPartitioner()(key, list(range(n)), list(range(n))) for n = 1, 3, 7, 12.
TEST(Murmur2, KeyedPartitionMatchesDefaultPartitioner)
{
    const std::map<std::string, std::vector<std::int32_t>> expected{
        {"hello", {0, 0, 4, 9}},  {"kafka", {0, 1, 3, 4}},   {"user-1", {0, 2, 3, 8}},
        {"user-2", {0, 2, 0, 8}}, {"user-3", {0, 2, 0, 11}},
    };
    const std::int32_t counts[] = {1, 3, 7, 12};
    for (const auto& [key, partitions] : expected) {
        for (std::size_t i = 0; i < partitions.size(); ++i) {
            EXPECT_EQ(partition_for_key(bytes(key), counts[i]), partitions[i]) << key << " over " << counts[i];
        }
    }
    // The sign bit is masked, not negated: "a" hashes to a negative int32.
    EXPECT_LT(murmur2(bytes("a")), 0);
    EXPECT_EQ(partition_for_key(bytes("a"), 1000), static_cast<std::int32_t>(584102524 % 1000));
}

TEST(Partitioner, KeyedRecordsIgnoreAvailabilityAndMode)
{
    partitioner sticky(null_key_partitioning::sticky);
    const std::vector<std::int32_t> only_two{2};
    for (int i = 0; i < 20; ++i) {
        std::string key = "user-" + std::to_string(i);
        std::optional<wire::bytes_view> k = bytes(key);
        EXPECT_EQ(sticky.choose(k, 12, only_two), partition_for_key(bytes(key), 12));
    }
    // An empty key is a key (it hashes), not a null key.
    std::string empty;
    EXPECT_EQ(sticky.choose(bytes(empty), 7, {}), static_cast<std::int32_t>(275646681 % 7));
}

TEST(Partitioner, RoundRobinCyclesThroughAvailablePartitions)
{
    partitioner p;
    const std::vector<std::int32_t> available{0, 2, 5};
    std::vector<std::int32_t> chosen;
    for (int i = 0; i < 6; ++i) chosen.push_back(p.choose(std::nullopt, 6, available));
    EXPECT_EQ(chosen, (std::vector<std::int32_t>{0, 2, 5, 0, 2, 5}));

    // No partition has a leader: cycle through all of them.
    std::set<std::int32_t> seen;
    for (int i = 0; i < 4; ++i) seen.insert(p.choose(std::nullopt, 4, {}));
    EXPECT_EQ(seen, (std::set<std::int32_t>{0, 1, 2, 3}));
}

TEST(Partitioner, RoundRobinKeepsOneCounterPerTopic)
{
    partitioner a, b; // one per topic
    EXPECT_EQ(a.choose(std::nullopt, 3, {}), 0);
    EXPECT_EQ(a.choose(std::nullopt, 3, {}), 1);
    EXPECT_EQ(b.choose(std::nullopt, 3, {}), 0);
    EXPECT_EQ(a.choose(std::nullopt, 3, {}), 2);
}

TEST(Partitioner, StickyStaysUntilABatchIsFormed)
{
    partitioner p(null_key_partitioning::sticky);
    std::int32_t first = p.choose(std::nullopt, 4, {});
    for (int i = 0; i < 10; ++i) EXPECT_EQ(p.choose(std::nullopt, 4, {}), first);
    p.batch_formed((first + 1) % 4); // another partition's batch changes nothing
    EXPECT_EQ(p.choose(std::nullopt, 4, {}), first);
    p.batch_formed(first);
    std::int32_t second = p.choose(std::nullopt, 4, {});
    EXPECT_NE(second, first);
    EXPECT_EQ(p.choose(std::nullopt, 4, {}), second);
}

TEST(Partitioner, StickyLeavesAPartitionThatLostItsLeader)
{
    partitioner p(null_key_partitioning::sticky);
    const std::vector<std::int32_t> all{0, 1, 2};
    std::int32_t first = p.choose(std::nullopt, 3, all);
    std::vector<std::int32_t> without_first;
    for (auto id : all) {
        if (id != first) without_first.push_back(id);
    }
    std::int32_t moved = p.choose(std::nullopt, 3, without_first);
    EXPECT_NE(moved, first);
    EXPECT_TRUE(std::count(without_first.begin(), without_first.end(), moved));
}

} // namespace
} // namespace kspout::io
