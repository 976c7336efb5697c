// The consumer protocol's subscription and assignment payloads: layouts per version, round trips, bad input.
#include "protocol/group/consumer_protocol.hpp"
#include "tests/unit/hex_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace kspout::group {
namespace {

using wire::byte_buffer;
using wire::bytes_view;
using test::hex;
using test::unhex;

consumer_subscription subscription(std::int16_t version)
{
    consumer_subscription s;
    s.version = version;
    s.topics = {"a", "b"};
    if (version >= 1) s.owned_partitions = {{"a", {0, 1}}};
    if (version >= 2) s.generation_id = 7;
    if (version >= 3) s.rack_id = "r1";
    return s;
}

TEST(ConsumerProtocol, SubscriptionLayoutPerVersion)
{
    // version, [topics], user data (null)
    const std::string v0 = "0000" "00000002" "000161" "000162" "ffffffff";
    EXPECT_EQ(hex(encode(subscription(0))), v0);
    // + owned partitions [topic, [partition]]
    const std::string owned = "00000001" "000161" "00000002" "00000000" "00000001";
    EXPECT_EQ(hex(encode(subscription(1))), "0001" + v0.substr(4) + owned);
    // + generation id
    EXPECT_EQ(hex(encode(subscription(2))), "0002" + v0.substr(4) + owned + "00000007");
    // + rack id
    EXPECT_EQ(hex(encode(subscription(3))), "0003" + v0.substr(4) + owned + "00000007" + "00027231");
}

TEST(ConsumerProtocol, SubscriptionRoundTripsAtEveryVersion)
{
    for (std::int16_t v = 0; v <= consumer_protocol_version; ++v) {
        consumer_subscription s = subscription(v);
        s.user_data = byte_buffer{1, 2, 3};
        consumer_subscription back;
        auto error = decode(encode(s), back);
        ASSERT_FALSE(error.has_value()) << error->message();
        EXPECT_EQ(back, s) << "version " << v;
    }
}

TEST(ConsumerProtocol, NewerVersionsReadAsTheNewestWeKnow)
{
    // A v4 subscription: v3's fields and one more the Java client would ignore as well.
    consumer_subscription s = subscription(3);
    byte_buffer bytes = encode(s);
    bytes[1] = 4;
    bytes.insert(bytes.end(), {0xca, 0xfe});
    consumer_subscription back;
    ASSERT_FALSE(decode(bytes, back).has_value());
    EXPECT_EQ(back.version, 4);
    EXPECT_EQ(back.owned_partitions, s.owned_partitions);
    EXPECT_EQ(back.rack_id, "r1");
}

TEST(ConsumerProtocol, BadSubscriptionsFailNamingThePayload)
{
    const byte_buffer bytes = encode(subscription(3));
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
        consumer_subscription back;
        auto error = decode(bytes_view(bytes).first(cut), back);
        ASSERT_TRUE(error.has_value()) << "cut at " << cut;
        EXPECT_EQ(error->context, "consumer protocol subscription");
    }
    consumer_subscription back;
    EXPECT_EQ(decode(unhex("ffff" "00000000" "ffffffff"), back)->code, wire::errc::bad_value);
    EXPECT_EQ(decode(unhex("0000" "7fffffff"), back)->code, wire::errc::bad_length);
}

TEST(ConsumerProtocol, AssignmentLayoutAndRoundTrip)
{
    consumer_assignment a;
    a.version = 0;
    a.assigned_partitions = {{"a", {2}}, {"b", {0, 5}}};
    EXPECT_EQ(hex(encode(a)), "0000" "00000002" "000161" "00000001" "00000002"
                              "000162" "00000002" "00000000" "00000005" "ffffffff");
    for (std::int16_t v = 0; v <= consumer_protocol_version; ++v) {
        a.version = v;
        a.user_data = byte_buffer{9};
        consumer_assignment back;
        ASSERT_FALSE(decode(encode(a), back).has_value());
        EXPECT_EQ(back, a);
    }
}

TEST(ConsumerProtocol, EmptyAssignmentBytesAreAnEmptyAssignment)
{
    consumer_assignment back;
    back.assigned_partitions = {{"stale", {1}}};
    ASSERT_FALSE(decode(bytes_view{}, back).has_value());
    EXPECT_TRUE(back.assigned_partitions.empty());
}

TEST(ConsumerProtocol, TruncatedAssignmentsFail)
{
    consumer_assignment a;
    a.assigned_partitions = {{"topic", {0, 1, 2}}};
    const byte_buffer bytes = encode(a);
    for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
        consumer_assignment back;
        auto error = decode(bytes_view(bytes).first(cut), back);
        ASSERT_TRUE(error.has_value()) << "cut at " << cut;
        EXPECT_EQ(error->context, "consumer protocol assignment");
    }
}

} // namespace
} // namespace kspout::group
