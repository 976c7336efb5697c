// tuple_mapper: each field, nulls, invalid UTF-8 policies, JSON values, declared output fields.
#include "spout/tuple_mapper.hpp"

#include "multilang/messages.hpp"
#include "protocol/text/utf8.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace kspout::spout {
namespace {

using nlohmann::json;

const std::string fffd = "\xEF\xBF\xBD";

wire::bytes_view bytes(const std::string& s)
{
    return wire::as_bytes(s);
}

struct record_fixture {
    std::string key = "k1";
    std::string value = "hello";
    std::vector<std::string> header_storage{"h1", "v1", "h2", "v2"};
    records::record record;
    std::vector<records::header> headers;

    record_fixture()
    {
        record.offset = 42;
        record.timestamp = 1700000000123;
        record.key = bytes(key);
        record.value = bytes(value);
        headers.push_back({header_storage[0], bytes(header_storage[1])});
        headers.push_back({header_storage[2], bytes(header_storage[3])});
        record.header_count = 2;
    }
};

std::vector<tuple_field> all_fields()
{
    return {tuple_field::topic, tuple_field::partition, tuple_field::offset, tuple_field::key,
            tuple_field::value, tuple_field::timestamp, tuple_field::headers};
}

// What Storm would read: the emit must serialize (strings must be valid UTF-8).
std::string emit_text(const json& values)
{
    multilang::emit_message emit;
    emit.tuple = values;
    emit.id = "t:3:42";
    return multilang::to_json_text(emit);
}

TEST(SpoutTupleMapper, DefaultFieldsAreTopicPartitionOffsetKeyValue)
{
    record_fixture f;
    tuple_mapper mapper(default_tuple_fields());
    auto t = mapper.map("events", 3, f.record, f.headers);
    ASSERT_TRUE(t.ok()) << t.error;
    EXPECT_EQ(t.values, json::parse(R"(["events", 3, 42, "k1", "hello"])"));
    EXPECT_TRUE(t.note.empty());
}

TEST(SpoutTupleMapper, EveryFieldInTheConfiguredOrder)
{
    record_fixture f;
    auto fields = all_fields();
    std::reverse(fields.begin(), fields.end());
    tuple_mapper mapper(fields);
    auto t = mapper.map("events", 3, f.record, f.headers);
    ASSERT_TRUE(t.ok()) << t.error;
    EXPECT_EQ(t.values, json::parse(R"([{"h1": "v1", "h2": "v2"}, 1700000000123, "hello", "k1", 42, 3, "events"])"));
    EXPECT_NO_THROW(emit_text(t.values));
}

TEST(SpoutTupleMapper, AbsentKeyValueTimestampAndHeaderValueAreNull)
{
    record_fixture f;
    f.record.key.reset();
    f.record.value.reset();
    f.record.timestamp = -1; // format v0 records carry none
    f.headers[0].value.reset();
    tuple_mapper mapper(all_fields());
    auto t = mapper.map("t", 0, f.record, f.headers);
    ASSERT_TRUE(t.ok()) << t.error;
    EXPECT_TRUE(t.values[3].is_null());
    EXPECT_TRUE(t.values[4].is_null());
    EXPECT_TRUE(t.values[5].is_null());
    EXPECT_EQ(t.values[6], json::parse(R"({"h1": null, "h2": "v2"})"));
}

TEST(SpoutTupleMapper, RepeatedHeaderNamesKeepTheLastValue)
{
    record_fixture f;
    std::string again = "h1", later = "later";
    f.headers.push_back({again, bytes(later)});
    tuple_mapper mapper({tuple_field::headers});
    auto t = mapper.map("t", 0, f.record, f.headers);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.values[0], json::parse(R"({"h1": "later", "h2": "v2"})"));
}

TEST(SpoutTupleMapper, EmptyKeyAndValueAreEmptyStringsNotNull)
{
    record_fixture f;
    std::string empty;
    f.record.key = bytes(empty);
    f.record.value = bytes(empty);
    tuple_mapper mapper({tuple_field::key, tuple_field::value});
    auto t = mapper.map("t", 0, f.record, {});
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.values, json::parse(R"(["", ""])"));
}

TEST(SpoutTupleMapper, InvalidUtf8BecomesBase64ByDefault)
{
    record_fixture f;
    f.value = std::string("\xFF\xFE\xFD", 3);
    f.record.value = bytes(f.value);
    f.key = "caf\xC3\xA9"; // valid: kept as text
    f.record.key = bytes(f.key);
    tuple_mapper mapper({tuple_field::key, tuple_field::value});
    auto t = mapper.map("t", 0, f.record, {});
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.values[0], "caf\xC3\xA9");
    EXPECT_EQ(t.values[1], "//79");
    EXPECT_NO_THROW(emit_text(t.values));
}

TEST(SpoutTupleMapper, InvalidUtf8ReplacedWithReplacementCharacters)
{
    record_fixture f;
    f.value = "ok\xE2\x82 and \xED\xA0\x80";
    f.record.value = bytes(f.value);
    tuple_mapper mapper({tuple_field::value}, value_format::string, invalid_utf8_policy::replace);
    auto t = mapper.map("t", 0, f.record, {});
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.values[0], "ok" + fffd + " and " + fffd + fffd + fffd);
    EXPECT_NO_THROW(emit_text(t.values));
}

TEST(SpoutTupleMapper, InvalidUtf8UnderErrorPolicyNamesTheFieldAndRecord)
{
    struct spot {
        const char* name;
        void (*spoil)(record_fixture&);
        const char* expected;
    };
    static std::string bad = "ab\xC0\x80";
    const spot spots[] = {
        {"key", [](record_fixture& f) { f.record.key = bytes(bad); }, "key of record t/3 offset 42"},
        {"value", [](record_fixture& f) { f.record.value = bytes(bad); }, "value of record t/3 offset 42"},
        {"header name", [](record_fixture& f) { f.headers[1].key = bad; }, "header name of record t/3 offset 42"},
        {"header value", [](record_fixture& f) { f.headers[0].value = bytes(bad); },
         "header \"h1\" of record t/3 offset 42"},
    };
    for (const auto& s : spots) {
        record_fixture f;
        s.spoil(f);
        tuple_mapper mapper(all_fields(), value_format::string, invalid_utf8_policy::error);
        auto t = mapper.map("t", 3, f.record, f.headers);
        EXPECT_FALSE(t.ok()) << s.name;
        EXPECT_NE(t.error.find(s.expected), std::string::npos) << t.error;
        EXPECT_NE(t.error.find("byte at 2"), std::string::npos) << t.error;
        EXPECT_TRUE(t.values.empty()) << s.name;

        tuple_mapper lenient(all_fields(), value_format::string, invalid_utf8_policy::replace);
        auto ok = lenient.map("t", 3, f.record, f.headers);
        EXPECT_TRUE(ok.ok()) << s.name;
        EXPECT_NO_THROW(emit_text(ok.values)) << s.name;
    }
}

TEST(SpoutTupleMapper, JsonValuesAreParsed)
{
    record_fixture f;
    f.value = R"({"user": "ada", "n": [1, 2.5, true, null]})";
    f.record.value = bytes(f.value);
    tuple_mapper mapper({tuple_field::value}, value_format::json);
    auto t = mapper.map("t", 0, f.record, {});
    ASSERT_TRUE(t.ok());
    EXPECT_TRUE(t.note.empty());
    EXPECT_EQ(t.values[0], json::parse(f.value));

    f.value = "17";
    f.record.value = bytes(f.value);
    t = mapper.map("t", 0, f.record, {});
    EXPECT_EQ(t.values[0], 17);
}

TEST(SpoutTupleMapper, UnparsableJsonFallsBackToTheStringWithANote)
{
    tuple_mapper mapper({tuple_field::value}, value_format::json);
    const std::string samples[] = {
        "{not json",
        "{\"a\": 1} trailing",
        "\"\\ud800\"",                     // a lone surrogate escape
        std::string("\"\xFF\"", 3),        // invalid UTF-8 inside a JSON string
        "1e400",                           // out of double range
        "",
    };
    for (const auto& sample : samples) {
        record_fixture f;
        f.value = sample;
        f.record.value = bytes(f.value);
        auto t = mapper.map("t", 5, f.record, {});
        ASSERT_TRUE(t.ok()) << sample;
        EXPECT_NE(t.note.find("value of record t/5 offset 42 is not valid JSON"), std::string::npos) << sample;
        ASSERT_TRUE(t.values[0].is_string()) << sample;
        if (text::is_valid_utf8(sample)) {
            EXPECT_EQ(t.values[0], sample);
        } else {
            EXPECT_EQ(t.values[0], "Iv8i"); // base64 of the whole value: 22 FF 22
        }
        EXPECT_NO_THROW(emit_text(t.values)) << sample;
    }
}

TEST(SpoutTupleMapper, FieldNamesParseAndPrint)
{
    for (auto field : all_fields()) EXPECT_EQ(parse_tuple_field(to_string(field)), field);
    EXPECT_EQ(parse_tuple_field("Value"), std::nullopt);
    EXPECT_EQ(parse_tuple_field("bytes"), std::nullopt);
    EXPECT_EQ(parse_value_format("json"), value_format::json);
    EXPECT_EQ(parse_value_format("xml"), std::nullopt);
    EXPECT_EQ(parse_invalid_utf8_policy("replace"), invalid_utf8_policy::replace);
    EXPECT_EQ(parse_invalid_utf8_policy("drop"), std::nullopt);
}

multilang::topology_context context_from(const char* text)
{
    std::string error;
    auto ctx = multilang::parse_context(json::parse(text), error);
    EXPECT_TRUE(ctx) << error;
    return ctx.value_or(multilang::topology_context{});
}

TEST(SpoutTupleMapper, DeclaredOutputFieldsWin)
{
    auto ctx = context_from(R"({"taskid": 3, "componentid": "kafka",
        "stream->outputfields": {"default": ["value", "offset"], "dead": ["topic", "value"]}})");
    std::string error;
    auto fields = resolve_tuple_fields(ctx, "default", default_tuple_fields(), error);
    ASSERT_TRUE(fields) << error;
    EXPECT_EQ(*fields, (std::vector<tuple_field>{tuple_field::value, tuple_field::offset}));
    fields = resolve_tuple_fields(ctx, "dead", default_tuple_fields(), error);
    ASSERT_TRUE(fields) << error;
    EXPECT_EQ(*fields, (std::vector<tuple_field>{tuple_field::topic, tuple_field::value}));
}

TEST(SpoutTupleMapper, WithoutDeclarationsTheConfiguredFieldsApply)
{
    auto ctx = context_from(R"({"taskid": 3, "task->component": {"3": "kafka"}})");
    std::string error;
    std::vector<tuple_field> configured{tuple_field::key, tuple_field::timestamp};
    auto fields = resolve_tuple_fields(ctx, "default", configured, error);
    ASSERT_TRUE(fields) << error;
    EXPECT_EQ(*fields, configured);
}

TEST(SpoutTupleMapper, DeclaredFieldTheMapperCannotFillIsAnError)
{
    auto ctx = context_from(R"({"stream->outputfields": {"default": ["topic", "payload"]}})");
    std::string error;
    EXPECT_FALSE(resolve_tuple_fields(ctx, "default", default_tuple_fields(), error));
    EXPECT_NE(error.find("\"payload\""), std::string::npos) << error;
    EXPECT_NE(error.find("\"default\""), std::string::npos) << error;
    EXPECT_NE(error.find("timestamp"), std::string::npos) << error; // lists what it can fill
}

TEST(SpoutTupleMapper, UndeclaredStreamOrEmptyDeclarationIsAnError)
{
    auto ctx = context_from(R"({"stream->outputfields": {"default": ["value"], "empty": []}})");
    std::string error;
    EXPECT_FALSE(resolve_tuple_fields(ctx, "records", default_tuple_fields(), error));
    EXPECT_NE(error.find("\"records\""), std::string::npos) << error;
    EXPECT_NE(error.find("\"default\""), std::string::npos) << error;
    error.clear();
    EXPECT_FALSE(resolve_tuple_fields(ctx, "empty", default_tuple_fields(), error));
    EXPECT_NE(error.find("no output fields"), std::string::npos) << error;
}

} // namespace
} // namespace kspout::spout
