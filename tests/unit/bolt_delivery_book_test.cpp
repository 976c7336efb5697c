// delivery_book: acks only for delivered records, one verdict per tuple, the in-flight bound and its waiting line.
#include "spout/bolt/delivery_book.hpp"

#include <gtest/gtest.h>

namespace kspout::spout::bolt {
namespace {

outgoing_record record(std::string value)
{
    outgoing_record r;
    r.topic = "t";
    r.value = std::move(value);
    return r;
}

TEST(BoltDeliveryBook, AcksOnlyWhatWasDeliveredAndFailsTheRest)
{
    delivery_book book(10);
    book.admit("a", record("1"));
    book.admit("b", record("2"));
    auto out = book.take_sendable();
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].tuple_id, "a");
    EXPECT_EQ(out[1].record.value, "2");
    EXPECT_EQ(book.in_flight(), 2u);

    auto b = book.settle(out[1].ticket, false);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->tuple_id, "b");
    EXPECT_FALSE(b->ack);
    auto a = book.settle(out[0].ticket, true);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->tuple_id, "a");
    EXPECT_TRUE(a->ack);
    EXPECT_TRUE(book.idle());
    EXPECT_EQ(book.acked(), 1u);
    EXPECT_EQ(book.failed(), 1u);
}

TEST(BoltDeliveryBook, EachTicketGetsOneVerdict)
{
    delivery_book book(10);
    book.admit("a", record("1"));
    auto out = book.take_sendable();
    EXPECT_TRUE(book.settle(out[0].ticket, true));
    EXPECT_FALSE(book.settle(out[0].ticket, true));
    EXPECT_FALSE(book.settle(out[0].ticket, false));
    EXPECT_FALSE(book.settle(12345, true)); // never handed out
    EXPECT_EQ(book.acked(), 1u);
}

TEST(BoltDeliveryBook, TheBoundHoldsTuplesBackInOrder)
{
    delivery_book book(2);
    for (std::string id : {"a", "b", "c", "d"}) book.admit(id, record(id));
    EXPECT_TRUE(book.full());
    auto first = book.take_sendable();
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[1].tuple_id, "b");
    EXPECT_EQ(book.waiting(), 2u);
    EXPECT_TRUE(book.take_sendable().empty()); // no room until a record settles

    book.settle(first[0].ticket, true);
    auto next = book.take_sendable();
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].tuple_id, "c");
    EXPECT_TRUE(book.full()); // b and c in flight, d waiting

    book.settle(first[1].ticket, true);
    book.settle(next[0].ticket, true);
    EXPECT_FALSE(book.full());
    EXPECT_EQ(book.take_sendable()[0].tuple_id, "d");
}

TEST(BoltDeliveryBook, StoppingSendsEverythingInHand)
{
    delivery_book book(1);
    for (std::string id : {"a", "b", "c"}) book.admit(id, record(id));
    EXPECT_EQ(book.take_sendable().size(), 1u);
    auto rest = book.take_all();
    ASSERT_EQ(rest.size(), 2u);
    EXPECT_EQ(rest[0].tuple_id, "b");
    EXPECT_EQ(book.in_flight(), 3u);
    EXPECT_EQ(book.waiting(), 0u);
}

TEST(BoltDeliveryBook, WhatTheProducerHadNoRoomForGoesOutFirstLater)
{
    delivery_book book(10);
    for (std::string id : {"a", "b", "c"}) book.admit(id, record(id));
    auto out = book.take_sendable();
    ASSERT_EQ(out.size(), 3u);
    book.put_back(std::move(out[2])); // in reverse, as the bolt does: the order is kept
    book.put_back(std::move(out[1]));
    EXPECT_EQ(book.in_flight(), 1u);
    EXPECT_EQ(book.waiting(), 2u);
    EXPECT_FALSE(book.settle(out[1].ticket, true)); // not in flight any more
    auto again = book.take_sendable();
    ASSERT_EQ(again.size(), 2u);
    EXPECT_EQ(again[0].tuple_id, "b");
    EXPECT_EQ(again[1].tuple_id, "c");
    EXPECT_EQ(again[1].record.value, "c");
}

} // namespace
} // namespace kspout::spout::bolt
