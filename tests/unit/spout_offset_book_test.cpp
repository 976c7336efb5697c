// offset_book: ownership, late acks after a revoke, and commit points across partitions.
#include "spout/offset_book.hpp"

#include "spout/message_id.hpp"

#include <gtest/gtest.h>

namespace kspout::spout {
namespace {

TEST(SpoutOffsetBook, CallsForPartitionsNotOwnedAreIgnored)
{
    offset_book book;
    EXPECT_EQ(book.acked({"t", 0}, 5), track_result::not_owned);
    EXPECT_EQ(book.emitted({"t", 0}, 5), track_result::not_owned);
    EXPECT_EQ(book.failed({"t", 0}, 5), track_result::not_owned);
    EXPECT_EQ(book.give_up({"t", 0}, 5), track_result::not_owned);
    EXPECT_FALSE(book.committed({"t", 0}, 6));
    EXPECT_EQ(book.not_owned_count(), 4u);
    EXPECT_TRUE(book.committable().empty());
}

TEST(SpoutOffsetBook, RevokeDropsStateAndLateAcksReportNotOwned)
{
    offset_book book;
    ASSERT_TRUE(book.assign({"t", 1}, 10));
    ASSERT_EQ(book.emitted({"t", 1}, 10), track_result::ok);
    ASSERT_EQ(book.emitted({"t", 1}, 11), track_result::ok);
    ASSERT_EQ(book.acked({"t", 1}, 10), track_result::ok);
    auto points = book.committable();
    ASSERT_EQ(points.size(), 1u);
    EXPECT_EQ(points[0].offset, 11);

    EXPECT_TRUE(book.revoke({"t", 1}));
    EXPECT_FALSE(book.revoke({"t", 1}));
    EXPECT_FALSE(book.owns({"t", 1}));
    EXPECT_EQ(book.acked({"t", 1}, 11), track_result::not_owned);
    EXPECT_FALSE(book.committed({"t", 1}, 12));
    EXPECT_TRUE(book.committable().empty());

    // Assigned again later: a fresh tracker from the new start, nothing of the old state.
    ASSERT_TRUE(book.assign({"t", 1}, 11));
    EXPECT_EQ(book.acked({"t", 1}, 11), track_result::not_emitted);
    EXPECT_EQ(book.find({"t", 1})->committed_offset(), 11);
}

TEST(SpoutOffsetBook, AssigningAnOwnedPartitionKeepsItsState)
{
    offset_book book;
    ASSERT_TRUE(book.assign({"t", 0}, 0));
    ASSERT_EQ(book.emitted({"t", 0}, 0), track_result::ok);
    EXPECT_FALSE(book.assign({"t", 0}, 50));
    EXPECT_EQ(book.find({"t", 0})->committed_offset(), 0);
    EXPECT_EQ(book.acked({"t", 0}, 0), track_result::ok);
}

TEST(SpoutOffsetBook, CommitPointsArePerPartitionInOrder)
{
    offset_book book;
    ASSERT_TRUE(book.assign({"b", 0}, 0));
    ASSERT_TRUE(book.assign({"a", 2}, 100));
    ASSERT_TRUE(book.assign({"a", 1}, 7));
    for (auto o = 0; o < 3; ++o) ASSERT_EQ(book.emitted({"b", 0}, o), track_result::ok);
    ASSERT_EQ(book.emitted({"a", 2}, 100), track_result::ok);
    ASSERT_EQ(book.emitted({"a", 1}, 7), track_result::ok);
    ASSERT_EQ(book.acked({"b", 0}, 0), track_result::ok);
    ASSERT_EQ(book.acked({"b", 0}, 2), track_result::ok);
    ASSERT_EQ(book.acked({"a", 2}, 100), track_result::ok);

    auto points = book.committable();
    ASSERT_EQ(points.size(), 2u); // a/1 has nothing new
    EXPECT_EQ(points[0].partition, (topic_partition{"a", 2}));
    EXPECT_EQ(points[0].offset, 101);
    EXPECT_EQ(points[1].partition, (topic_partition{"b", 0}));
    EXPECT_EQ(points[1].offset, 1);

    EXPECT_TRUE(book.committed({"a", 2}, 101));
    EXPECT_EQ(book.committable().size(), 1u);
    auto owned = book.owned();
    ASSERT_EQ(owned.size(), 3u);
    EXPECT_EQ(owned[0], (topic_partition{"a", 1}));
    EXPECT_EQ(owned[2], (topic_partition{"b", 0}));
}

TEST(SpoutOffsetBook, TopicAndPartitionBothIdentifyATracker)
{
    offset_book book;
    ASSERT_TRUE(book.assign({"t", 0}, 0));
    ASSERT_TRUE(book.assign({"u", 0}, 0));
    ASSERT_EQ(book.emitted({"t", 0}, 0), track_result::ok);
    EXPECT_EQ(book.acked({"u", 0}, 0), track_result::not_emitted);
    EXPECT_EQ(book.acked({"t", 1}, 0), track_result::not_owned);
    std::string topic = "t"; // a lookup through a view of another string
    EXPECT_EQ(book.acked({std::string_view(topic), 0}, 0), track_result::ok);
}

// The path an ack takes: Storm's JSON id, parsed, looked up by the views it holds.
TEST(SpoutOffsetBook, AcksArriveAsMessageIds)
{
    offset_book book;
    ASSERT_TRUE(book.assign({"events", 2}, 0));
    for (auto o = 0; o < 2; ++o) ASSERT_EQ(book.emitted({"events", 2}, o), track_result::ok);
    for (auto text : {"events:2:1", "events:2:0", "events:3:0", "other:2:0"}) {
        nlohmann::json id = text;
        std::string error;
        auto parsed = parse_ack_id(id, error);
        ASSERT_TRUE(parsed) << error;
        book.acked(parsed->partition, parsed->offset);
    }
    EXPECT_EQ(book.not_owned_count(), 2u);
    auto points = book.committable();
    ASSERT_EQ(points.size(), 1u);
    EXPECT_EQ(points[0].offset, 2);
}

} // namespace
} // namespace kspout::spout
