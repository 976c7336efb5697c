// message_id: round trips and every kind of malformed id.
#include "spout/message_id.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace kspout::spout {
namespace {

TEST(SpoutMessageId, RoundTrips)
{
    struct sample {
        std::string topic;
        std::int32_t partition;
        std::int64_t offset;
    };
    constexpr auto max32 = std::numeric_limits<std::int32_t>::max();
    constexpr auto max64 = std::numeric_limits<std::int64_t>::max();
    for (const auto& s : {sample{"t", 0, 0}, sample{"my.topic_name-1", 17, 123456789}, sample{"x", max32, max64}}) {
        auto text = format_message_id(s.topic, s.partition, s.offset);
        std::string error;
        auto id = parse_message_id(text, error);
        ASSERT_TRUE(id) << text << ": " << error;
        EXPECT_EQ(id->partition.topic, s.topic);
        EXPECT_EQ(id->partition.partition, s.partition);
        EXPECT_EQ(id->offset, s.offset);
    }
    EXPECT_EQ(format_message_id("events", 3, 42), "events:3:42");
}

TEST(SpoutMessageId, FormatAppends)
{
    std::string out = "prefix|";
    format_message_id(out, "t", 1, 2);
    EXPECT_EQ(out, "prefix|t:1:2");
}

TEST(SpoutMessageId, ParsesFromTheRight)
{
    std::string error;
    auto id = parse_message_id("odd:name:4:5", error);
    ASSERT_TRUE(id) << error;
    EXPECT_EQ(id->partition.topic, "odd:name");
    EXPECT_EQ(id->partition.partition, 4);
    EXPECT_EQ(id->offset, 5);
}

TEST(SpoutMessageId, RejectsMalformedIds)
{
    struct bad {
        std::string text;
        std::string reason;
    };
    const bad cases[] = {
        {"", "form"},
        {"topic", "form"},
        {"topic:1", "form"},
        {":1:2", "empty topic"},
        {"t::2", "partition"},
        {"t:1:", "offset"},
        {"t:-1:2", "partition"},
        {"t:+1:2", "partition"},
        {"t:1:-2", "offset"},
        {"t:01:2", "partition"},
        {"t:1:02", "offset"},
        {"t:1.5:2", "partition"},
        {"t:1: 2", "offset"},
        {"t:1:2x", "offset"},
        {"t:1:0x10", "offset"},
        {"t:2147483648:0", "partition"},
        {"t:0:9223372036854775808", "offset"},
        {"t:0:99999999999999999999999", "offset"},
    };
    for (const auto& c : cases) {
        std::string error;
        EXPECT_FALSE(parse_message_id(c.text, error)) << c.text;
        EXPECT_NE(error.find(c.reason), std::string::npos) << c.text << " -> " << error;
    }
}

TEST(SpoutMessageId, JsonIdsMustBeStrings)
{
    using nlohmann::json;
    std::string error;
    json good = "t:1:2";
    auto id = parse_ack_id(good, error);
    ASSERT_TRUE(id) << error;
    EXPECT_EQ(id->offset, 2);

    for (const auto& [value, type] : {std::pair{json(5), "number"}, std::pair{json(nullptr), "null"},
                                      std::pair{json::object({{"a", 1}}), "object"},
                                      std::pair{json::array({"t", 1, 2}), "array"}, std::pair{json(true), "boolean"}}) {
        error.clear();
        EXPECT_FALSE(parse_ack_id(value, error)) << value;
        EXPECT_NE(error.find(type), std::string::npos) << error;
        EXPECT_NE(error.find("not a string"), std::string::npos) << error;
    }
    error.clear();
    EXPECT_FALSE(parse_ack_id(json("t:1"), error));
    EXPECT_FALSE(error.empty());
}

} // namespace
} // namespace kspout::spout
