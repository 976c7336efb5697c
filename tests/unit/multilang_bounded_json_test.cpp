// parse_bounded_json and describe: deep nesting refused while parsing, errors short and printable.
#include "multilang/bounded_json.hpp"
#include "multilang/describe.hpp"
#include "multilang/messages.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kspout::multilang {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string nested_arrays(std::size_t depth)
{
    return std::string(depth, '[') + std::string(depth, ']');
}

TEST(BoundedJson, AcceptsNestingUpToTheLimit)
{
    std::string error;
    auto value = parse_bounded_json(nested_arrays(max_json_depth), error);
    ASSERT_TRUE(value) << error;
    EXPECT_TRUE(value->is_array());
    auto object = parse_bounded_json(R"({"a":{"b":[1,{"c":null}]}})", error, 4);
    ASSERT_TRUE(object) << error;
    EXPECT_EQ((*object)["a"]["b"][1]["c"], json());
}

TEST(BoundedJson, RefusesOneLevelTooDeep)
{
    std::string error;
    EXPECT_FALSE(parse_bounded_json(nested_arrays(max_json_depth + 1), error));
    EXPECT_THAT(error, HasSubstr("nested deeper than 128 levels"));
    EXPECT_FALSE(parse_bounded_json(R"({"a":{"b":{}}})", error, 2));
}

// The reproduced crash: 100k levels overflowed the stack in nlohmann's recursive copy and dump.
TEST(BoundedJson, HundredThousandLevelsAreAnErrorNotACrash)
{
    std::string error;
    EXPECT_FALSE(parse_bounded_json(nested_arrays(100000), error));
    EXPECT_THAT(error, HasSubstr("nested deeper"));
    EXPECT_LT(error.size(), 400u);
    EXPECT_FALSE(parse_bounded_json(R"({"x":)" + nested_arrays(100000) + "}", error));
    EXPECT_THAT(error, HasSubstr("nested deeper"));
}

TEST(BoundedJson, MalformedTextNamesTheByteAndQuotesLittle)
{
    std::string error;
    EXPECT_FALSE(parse_bounded_json(R"({"command": "next", "id": )", error));
    EXPECT_THAT(error, HasSubstr("malformed JSON"));
    EXPECT_THAT(error, HasSubstr("near byte"));
    std::string huge = "{\"x\":\"" + std::string(1 << 20, 'y');
    EXPECT_FALSE(parse_bounded_json(huge, error));
    EXPECT_LT(error.size(), 400u);
    EXPECT_THAT(error, HasSubstr("(1048582 bytes)"));
    EXPECT_FALSE(parse_bounded_json("1e999", error)) << "not representable as a double";
}

TEST(Describe, NeverDumpsContainers)
{
    json deep = json::array({json::array({json::array()})});
    EXPECT_EQ(describe(deep), "an array of 1 elements");
    EXPECT_EQ(describe(json{{"a", 1}, {"b", 2}}), "an object of 2 keys");
    EXPECT_EQ(describe(json(42)), "42");
    EXPECT_EQ(describe(json(std::string(10'000'000, 'i'))).size(), 1u + 200 + 1 + 20);
}

// Every way the reproduction reached nlohmann's recursion now ends in a parse error.
TEST(BoundedJson, StormMessagesTooDeepAreRefusedByTheParser)
{
    std::string deep = nested_arrays(100000);
    for (const std::string& text : {deep, R"({"x":)" + deep + "}", R"({"command":"ack","id":)" + deep + "}"}) {
        auto parsed = parse_storm_message(text);
        EXPECT_FALSE(parsed.message);
        EXPECT_THAT(parsed.error, HasSubstr("nested deeper"));
        EXPECT_LT(parsed.error.size(), 400u);
    }
    std::string error;
    EXPECT_FALSE(parse_handshake(R"({"pidDir":"/tmp","conf":{"k":)" + deep + "}}", error));
    EXPECT_THAT(error, HasSubstr("nested deeper"));
    EXPECT_FALSE(parse_component_message(R"({"command":"emit","tuple":)" + deep + "}").message);
}

TEST(BoundedJson, ErrorsAboutStormMessagesQuoteABoundedPrintableExcerpt)
{
    auto parsed = parse_storm_message("[1, \"" + std::string(1000, 'z') + "\"]");
    EXPECT_THAT(parsed.error, HasSubstr("non-integer"));
    EXPECT_THAT(parsed.error, Not(HasSubstr(std::string(300, 'z'))));
    parsed = parse_storm_message("{\"command\":\"\x1b[2J\xff");
    EXPECT_THAT(parsed.error, HasSubstr("malformed JSON"));
    EXPECT_THAT(parsed.error, HasSubstr("\\x1b[2J\\xff"));
    EXPECT_THAT(parsed.error, Not(HasSubstr("\x1b")));
}

// A log line may quote what a broker or file said; the strict writer must not throw on it.
TEST(BoundedJson, LogAndErrorTextsThatAreNotUtf8AreRepairedNotThrown)
{
    std::string log_text, error_text;
    ASSERT_NO_THROW(log_text = to_json_text(log_message{"broker said \xff\xfe", log_level::warn}));
    ASSERT_NO_THROW(error_text = to_json_text(error_message{"cut \xe2\x82"}));
    EXPECT_EQ(json::parse(log_text)["msg"], "broker said \xef\xbf\xbd\xef\xbf\xbd");
    EXPECT_EQ(json::parse(error_text)["msg"], "cut \xef\xbf\xbd");
}

} // namespace
} // namespace kspout::multilang
