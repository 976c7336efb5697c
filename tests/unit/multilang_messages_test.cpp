// Parsing Storm's commands and components' messages with Storm's rules; strict JSON out.
#include "multilang/context.hpp"
#include "multilang/messages.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace kspout::multilang {
namespace {

template <typename T>
const T& as(const parse_result& r)
{
    EXPECT_TRUE(r.message.has_value()) << r.error;
    return std::get<T>(*r.message);
}

TEST(MultilangMessages, SpoutCommands)
{
    auto next = as<spout_command>(parse_storm_message(R"({"id":"","command":"next"})"));
    EXPECT_EQ(next.kind, spout_command_kind::next);
    auto ack = as<spout_command>(parse_storm_message(R"({"command":"ack","id":"t:3:42"})"));
    EXPECT_EQ(ack.kind, spout_command_kind::ack);
    EXPECT_EQ(ack.id, "t:3:42");
    EXPECT_EQ(as<spout_command>(parse_storm_message(R"({"command":"deactivate","id":""})")).kind,
              spout_command_kind::deactivate);
    auto unknown = as<unknown_command>(parse_storm_message(R"({"command":"bogus","id":""})"));
    EXPECT_EQ(unknown.name, "bogus");
}

TEST(MultilangMessages, TaskIdsAndTuples)
{
    EXPECT_EQ(as<task_ids>(parse_storm_message("[3,5]")).ids, (std::vector<std::int64_t>{3, 5}));
    EXPECT_TRUE(as<task_ids>(parse_storm_message("[]")).ids.empty());
    auto hb = as<bolt_tuple>(
        parse_storm_message(R"({"id":"-6955786537413359385","comp":null,"stream":"__heartbeat","task":-1,"tuple":[]})"));
    EXPECT_TRUE(hb.is_heartbeat());
    EXPECT_FALSE(hb.component.has_value());
    auto t = as<bolt_tuple>(parse_storm_message(R"({"id":"7","comp":"spout","stream":"default","task":9,"tuple":["a",1]})"));
    EXPECT_EQ(t.component, "spout");
    EXPECT_EQ(t.values, json::parse(R"(["a",1])"));
}

TEST(MultilangMessages, MalformedInputGivesAClearError)
{
    for (const char* bad : {"{not json", "\"a string\"", R"({"id":""})", R"({"command":5,"id":""})",
                            R"({"command":"next"})", "[1,\"x\"]"}) {
        auto r = parse_storm_message(bad);
        EXPECT_FALSE(r.message.has_value()) << bad;
        EXPECT_FALSE(r.error.empty()) << bad;
    }
}

TEST(MultilangMessages, HandshakeWithEscapedSlashesAndAnyKeyOrder)
{
    std::string error;
    auto h = parse_handshake(R"({"context":{"taskid":3},"conf":{"k":1},"pidDir":"\/tmp\/x\/pids"})", error);
    ASSERT_TRUE(h.has_value()) << error;
    EXPECT_EQ(h->pid_dir, "/tmp/x/pids");
    EXPECT_EQ(h->conf["k"], 1);
    EXPECT_FALSE(parse_handshake(R"({"conf":{}})", error).has_value());
    EXPECT_NE(error.find("pidDir"), std::string::npos);
}

TEST(MultilangMessages, OurMessagesAreStrictJson)
{
    emit_message e;
    e.tuple = json::array({"end", "quote \" backslash \\ newline \n nul " + std::string(1, '\0'), "\xF0\x9F\x98\x80"});
    e.id = "t:0:1";
    std::string text = to_json_text(e);
    EXPECT_EQ(text.find('\n'), std::string::npos);
    json back = json::parse(text);
    EXPECT_EQ(back["command"], "emit");
    EXPECT_EQ(back["tuple"], e.tuple);
    EXPECT_EQ(back["need_task_ids"], false);
    EXPECT_FALSE(back.contains("task"));
    EXPECT_FALSE(back.contains("stream"));

    emit_message bad;
    bad.tuple = json::array({std::string("\xff\xfe")});
    EXPECT_THROW(to_json_text(bad), json::type_error);

    EXPECT_EQ(to_json_text(sync_message{}), R"({"command":"sync"})");
    EXPECT_EQ(json::parse(to_json_text(log_message{"hi", log_level::warn}))["level"], 3);
    EXPECT_EQ(to_json_text(pid_message{42}), R"({"pid":42})");
}

TEST(MultilangMessages, ComponentMessagesFollowStormDefaults)
{
    auto r = parse_component_message(R"({"command":"emit","tuple":[1]})");
    ASSERT_TRUE(r.message) << r.error;
    const auto& e = std::get<emit_message>(*r.message);
    EXPECT_EQ(e.stream, "default");
    EXPECT_TRUE(e.need_task_ids);
    EXPECT_FALSE(e.id.has_value());

    EXPECT_EQ(parse_component_message(R"({"command":"ack","id":"x"})").message->index(), 6u);
    EXPECT_EQ(parse_component_message(R"({"command":"bogus"})").error, "Unknown command received: bogus");
    EXPECT_FALSE(parse_component_message(R"({"command":"sync","msg":5})").message.has_value());
    EXPECT_FALSE(parse_component_message(R"({"command":"emit","tuple":[],"need_task_ids":"no"})").message);
    EXPECT_FALSE(parse_component_message(R"({"pid":"12"})").message.has_value());
    auto pid = parse_component_message(R"({"pid":12})");
    ASSERT_TRUE(pid.message);
    EXPECT_EQ(std::get<pid_message>(*pid.message).pid, 12);
}

TEST(MultilangContext, TaskIndexAmongTheComponentsTasks)
{
    std::string error;
    auto ctx = parse_context(json::parse(R"({"taskid":7,"componentid":"kafka",
        "task->component":{"1":"__acker","7":"kafka","3":"kafka","12":"kafka","5":"bolt"},
        "stream->outputfields":{"default":["topic","partition","offset","key","value"]}})"),
                             error);
    ASSERT_TRUE(ctx.has_value()) << error;
    EXPECT_EQ(ctx->task_index_and_count(), (std::pair{1, 3}));
    EXPECT_EQ(ctx->stream_output_fields["default"].size(), 5u);

    auto old = parse_context(json::parse(R"({"taskid":5,"task->component":{"5":"bolt"}})"), error);
    ASSERT_TRUE(old.has_value());
    EXPECT_EQ(old->component_id, "bolt");
    EXPECT_FALSE(parse_context(json::parse(R"({"taskid":"5"})"), error).has_value());
    // A task id beyond 64 bits was read as the largest one.
    EXPECT_FALSE(parse_context(json::parse(R"({"taskid":5,"task->component":{"99999999999999999999":"bolt"}})"),
                               error).has_value());
    EXPECT_EQ(error, "context \"task->component\" has a bad entry \"99999999999999999999\"");
}

TEST(MultilangContext, PidFile)
{
    auto dir = std::filesystem::temp_directory_path() / ("kspout-pid-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    EXPECT_FALSE(create_pid_file(dir.string(), 4242).has_value());
    EXPECT_TRUE(std::filesystem::exists(dir / "4242"));
    EXPECT_EQ(std::filesystem::file_size(dir / "4242"), 0u);
    std::filesystem::remove_all(dir);
    auto failure = create_pid_file(dir.string(), 1);
    ASSERT_TRUE(failure.has_value());
    EXPECT_NE(failure->find(dir.string()), std::string::npos);
}

} // namespace
} // namespace kspout::multilang
