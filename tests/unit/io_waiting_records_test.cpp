// waiting_records: records kept whole, in order, with null keys and values, until taken or expired.
#include "protocol/io/waiting_records.hpp"

#include <gtest/gtest.h>

#include <string>

namespace kspout::io {
namespace {

using clock_type = std::chrono::steady_clock;

void push(waiting_records& w, std::optional<std::string_view> key, std::optional<std::string_view> value,
          std::uint64_t sequence)
{
    w.push(key, value, {}, 1700000000000, std::nullopt, {{}, sequence}, clock_type::now(), 10);
}

TEST(WaitingRecords, KeepsKeysAndValuesIncludingNullsInOrder)
{
    waiting_records w;
    EXPECT_TRUE(w.empty());
    push(w, "k1", "v1", 1);
    push(w, std::nullopt, "only a value", 2);
    push(w, "only a key", std::nullopt, 3);
    push(w, std::nullopt, std::nullopt, 4);
    push(w, "", "", 5);
    w.push("k6", "v6", {{"h", std::string("x")}}, 42, 3, {{}, 6}, clock_type::now(), 99);

    auto entries = w.entries();
    ASSERT_EQ(entries.size(), 6u);
    EXPECT_EQ(w.key(entries[0]), "k1");
    EXPECT_EQ(w.value(entries[0]), "v1");
    EXPECT_EQ(w.key(entries[1]), std::nullopt);
    EXPECT_EQ(w.value(entries[1]), "only a value");
    EXPECT_EQ(w.key(entries[2]), "only a key");
    EXPECT_EQ(w.value(entries[2]), std::nullopt);
    EXPECT_EQ(w.key(entries[3]), std::nullopt);
    EXPECT_EQ(w.value(entries[3]), std::nullopt);
    EXPECT_EQ(w.key(entries[4]), "");
    EXPECT_EQ(w.value(entries[4]), "");
    EXPECT_EQ(w.key(entries[5]), "k6");
    EXPECT_EQ(w.value(entries[5]), "v6");
    EXPECT_EQ(entries[5].partition, 3);
    EXPECT_EQ(entries[5].timestamp, 42);
    EXPECT_EQ(entries[5].size, 99u);
    ASSERT_EQ(entries[5].headers.size(), 1u);
    for (std::size_t i = 0; i < entries.size(); ++i) EXPECT_EQ(entries[i].receipt.sequence, i + 1);
}

TEST(WaitingRecords, PoppedFromTheFrontUntilEmptyThenReusable)
{
    waiting_records w;
    push(w, "a", "1", 1);
    push(w, "b", "2", 2);
    EXPECT_EQ(w.front().receipt.sequence, 1u);
    w.pop_front();
    ASSERT_EQ(w.entries().size(), 1u);
    EXPECT_EQ(w.key(w.front()), "b");
    EXPECT_EQ(w.value(w.front()), "2");
    w.pop_front();
    EXPECT_TRUE(w.empty());
    push(w, "c", "3", 3);
    ASSERT_EQ(w.entries().size(), 1u);
    EXPECT_EQ(w.key(w.front()), "c");
    w.clear();
    EXPECT_TRUE(w.empty());
    EXPECT_TRUE(w.entries().empty());
}

} // namespace
} // namespace kspout::io
