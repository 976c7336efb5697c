// record_mapping: every part from its named field, the spout's tuples copied unchanged, and each bad value named.
#include "spout/bolt/record_mapping.hpp"

#include <gtest/gtest.h>

namespace kspout::spout::bolt {
namespace {

using nlohmann::json;

record_fields spout_fields()
{
    return {.input = {"topic", "partition", "offset", "key", "value"},
            .topic = "",
            .key = "key",
            .value = "value",
            .headers = "headers",
            .partition = "partition",
            .timestamp = "timestamp"};
}

TEST(BoltRecordMapping, TheSpoutsDefaultTupleCopiesKeyValueAndPartition)
{
    record_mapping m(spout_fields(), value_encoding::string, "copies");
    auto r = m.map(json::array({"events", 2, 41, "k", "v"}));
    ASSERT_TRUE(r.record) << r.error;
    EXPECT_EQ(r.record->topic, "copies");
    EXPECT_EQ(r.record->partition, 2);
    EXPECT_EQ(r.record->key, "k");
    EXPECT_EQ(r.record->value, "v");
    EXPECT_TRUE(r.record->headers.empty());
    EXPECT_FALSE(r.record->timestamp);
}

TEST(BoltRecordMapping, NullsAreAbsentPartsAndTombstones)
{
    record_mapping m(spout_fields(), value_encoding::string, "copies");
    auto r = m.map(json::array({"events", nullptr, 0, nullptr, nullptr}));
    ASSERT_TRUE(r.record) << r.error;
    EXPECT_FALSE(r.record->partition);
    EXPECT_FALSE(r.record->key);
    EXPECT_FALSE(r.record->value);
}

TEST(BoltRecordMapping, EveryPartFromItsField)
{
    record_fields f{.input = {"dest", "k", "v", "h", "p", "ts"},
                    .topic = "dest",
                    .key = "k",
                    .value = "v",
                    .headers = "h",
                    .partition = "p",
                    .timestamp = "ts"};
    record_mapping m(f, value_encoding::string, "");
    auto r = m.map(json::array({"out.1", "key", "value", json{{"a", "1"}, {"b", nullptr}}, 0, 1700000000123}));
    ASSERT_TRUE(r.record) << r.error;
    EXPECT_EQ(r.record->topic, "out.1");
    EXPECT_EQ(r.record->partition, 0);
    EXPECT_EQ(r.record->timestamp, 1700000000123);
    ASSERT_EQ(r.record->headers.size(), 2u);
    EXPECT_EQ(r.record->headers[0].key, "a");
    EXPECT_EQ(r.record->headers[0].value, "1");
    EXPECT_EQ(r.record->headers[1].key, "b");
    EXPECT_FALSE(r.record->headers[1].value);
}

TEST(BoltRecordMapping, ValueEncodings)
{
    record_fields f{.input = {"value"}, .value = "value"};
    record_mapping as_json(f, value_encoding::json, "t");
    EXPECT_EQ(as_json.map(json::array({json{{"n", 1}}})).record->value, R"({"n":1})");
    EXPECT_EQ(as_json.map(json::array({"text"})).record->value, R"("text")");
    EXPECT_EQ(as_json.map(json::array({42})).record->value, "42");

    record_mapping as_bytes(f, value_encoding::base64, "t");
    EXPECT_EQ(as_bytes.map(json::array({"AP8="})).record->value, std::string("\0\xff", 2));
    auto bad = as_bytes.map(json::array({"not base64"}));
    EXPECT_FALSE(bad.record);
    EXPECT_EQ(bad.error, R"(field "value" (position 0): expected base64 text or null, got "not base64")");

    record_mapping as_text(f, value_encoding::string, "t");
    bad = as_text.map(json::array({12}));
    EXPECT_EQ(bad.error, R"(field "value" (position 0): expected a string or null, got 12)");
}

TEST(BoltRecordMapping, WrongTypesAreNamed)
{
    record_mapping m(spout_fields(), value_encoding::string, "copies");
    auto error = [&](json tuple) {
        auto r = m.map(tuple);
        EXPECT_FALSE(r.record);
        return r.error;
    };
    EXPECT_EQ(error(json::array({"events", "two", 0, "k", "v"})),
              R"(field "partition" (position 1): expected a partition number or null, got "two")");
    EXPECT_EQ(error(json::array({"events", -1, 0, "k", "v"})),
              R"(field "partition" (position 1): expected a partition number or null, got -1)");
    EXPECT_EQ(error(json::array({"events", 2147483648LL, 0, "k", "v"})),
              R"(field "partition" (position 1): expected a partition number or null, got 2147483648)");
    auto e = error(json::array({"events", 0, 0, json::array({1}), "v"}));
    EXPECT_TRUE(e.starts_with(R"(field "key" (position 3): expected a string or null, got )")) << e;
}

TEST(BoltRecordMapping, MissingAndExtraValuesAreErrors)
{
    record_mapping m(spout_fields(), value_encoding::string, "copies");
    EXPECT_EQ(m.map(json::array({"events", 0, 0, "k"})).error, "the tuple has 4 values, kafka.bolt.fields names 5");
    EXPECT_EQ(m.map(json::array({"events", 0, 0, "k", "v", "x"})).error,
              "the tuple has 6 values, kafka.bolt.fields names 5");
    EXPECT_EQ(m.map(json::object()).error, "the tuple has no values, kafka.bolt.fields names 5");
}

TEST(BoltRecordMapping, TopicFieldsAndHeadersAreChecked)
{
    record_fields f{.input = {"topic", "value", "headers"}, .topic = "topic", .value = "value", .headers = "headers"};
    record_mapping m(f, value_encoding::string, "fallback");
    EXPECT_EQ(m.map(json::array({"bad topic", "v", nullptr})).error,
              R"(field "topic" (position 0): expected a topic name, got "bad topic")");
    auto e = m.map(json::array({"t", "v", json{{"a", 1}}})).error;
    EXPECT_TRUE(e.starts_with(R"(field "headers" (position 2): expected an object of name: string or null)")) << e;
    EXPECT_EQ(m.map(json::array({"t", "v", nullptr})).record->topic, "t");
}

} // namespace
} // namespace kspout::spout::bolt
