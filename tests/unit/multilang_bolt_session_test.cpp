// bolt_session over real pipes: handshake, tuples to the handler, heartbeat syncs, bad input, EOF.
#include "multilang/bolt_session.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>

namespace kspout::multilang {
namespace {

using namespace std::chrono_literals;

class BoltSessionTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_EQ(::pipe(to_bolt_), 0);
        ASSERT_EQ(::pipe(from_bolt_), 0);
        ::fcntl(from_bolt_[0], F_SETFL, O_NONBLOCK);
        pid_dir_ = std::filesystem::temp_directory_path() / ("kspout-bolt-session-" + std::to_string(::getpid()));
        std::filesystem::create_directories(pid_dir_);
    }

    void TearDown() override
    {
        for (int fd : {to_bolt_[0], to_bolt_[1], from_bolt_[0], from_bolt_[1]}) {
            if (fd >= 0) ::close(fd);
        }
        std::filesystem::remove_all(pid_dir_);
    }

    void start(bolt_session::handlers h)
    {
        auto ch = channel::create(ioc_.get_executor(), to_bolt_[0], from_bolt_[1]);
        ::close(to_bolt_[0]); // the channel holds its own duplicates
        ::close(from_bolt_[1]);
        to_bolt_[0] = from_bolt_[1] = -1;
        session_ = bolt_session::create(ch, std::move(h), 5151);
        session_->start();
    }

    void storm_writes(const std::string& json_text)
    {
        std::string framed = frame(json_text);
        ASSERT_EQ(::write(to_bolt_[1], framed.data(), framed.size()), static_cast<ssize_t>(framed.size()));
    }

    void close_stdin()
    {
        ::close(to_bolt_[1]);
        to_bolt_[1] = -1;
    }

    // Runs the executor until `count` messages came out or `until` holds (bounded by `limit`),
    // returning the messages parsed. Checks that nothing more comes pass a short limit.
    std::vector<json> read_messages(std::size_t count, std::chrono::milliseconds limit = 5s,
                                    const std::function<bool()>& until = {})
    {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (out_.size() < count && !(until && until()) && std::chrono::steady_clock::now() < deadline) {
            ioc_.restart();
            ioc_.run_for(5ms);
            char buf[4096];
            ssize_t n;
            while ((n = ::read(from_bolt_[0], buf, sizeof buf)) > 0) {
                reader_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
            }
            std::error_code ec;
            while (auto m = reader_.next(ec)) out_.push_back(json::parse(*m));
        }
        std::vector<json> taken(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(std::min(count, out_.size())));
        out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(taken.size()));
        return taken;
    }

    std::string handshake_text() const
    {
        return json{{"pidDir", pid_dir_.string()}, {"conf", {{"k", "v"}}}, {"context", {{"taskid", 2}}}}.dump();
    }

    static std::string tuple_text(const std::string& id, const json& values, const std::string& stream = "default")
    {
        return json{{"id", id}, {"comp", "words"}, {"stream", stream}, {"task", 9}, {"tuple", values}}.dump();
    }

    static std::string heartbeat_text(const std::string& id)
    {
        return json{{"id", id}, {"comp", nullptr}, {"stream", "__heartbeat"}, {"task", -1}, {"tuple", json::array()}}
            .dump();
    }

    boost::asio::io_context ioc_;
    int to_bolt_[2] = {-1, -1};
    int from_bolt_[2] = {-1, -1};
    std::filesystem::path pid_dir_;
    std::shared_ptr<bolt_session> session_;
    message_reader reader_;
    std::vector<json> out_;
};

TEST_F(BoltSessionTest, HandshakeCreatesPidFileThenReplies)
{
    bool pid_file_existed_at_handshake = false;
    std::string conf_value;
    bolt_session::handlers h;
    h.on_handshake = [&](const handshake& hs) -> std::optional<std::string> {
        pid_file_existed_at_handshake = std::filesystem::exists(std::filesystem::path(hs.pid_dir) / "5151");
        conf_value = hs.conf.value("k", std::string());
        return std::nullopt;
    };
    start(h);
    storm_writes(handshake_text());
    auto out = read_messages(1);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], json({{"pid", 5151}}));
    EXPECT_TRUE(pid_file_existed_at_handshake);
    EXPECT_EQ(conf_value, "v");
    EXPECT_TRUE(session_->handshake_done());
}

TEST_F(BoltSessionTest, RefusedHandshakeSendsNoPid)
{
    std::string error;
    bolt_session::handlers h;
    h.on_handshake = [](const handshake&) -> std::optional<std::string> { return "bad conf"; };
    h.on_protocol_error = [&](const std::string& what) { error = what; };
    start(h);
    storm_writes(handshake_text());
    EXPECT_TRUE(read_messages(1, 5s, [&] { return !error.empty(); }).empty());
    EXPECT_TRUE(read_messages(1, 300ms).empty());
    EXPECT_EQ(error, "bad conf");
    EXPECT_FALSE(session_->handshake_done());
}

TEST_F(BoltSessionTest, TupleReachesHandlerWhichEmitsAnchoredAndAcks)
{
    std::vector<bolt_tuple> seen;
    bolt_session::handlers h;
    h.on_tuple = [&](const bolt_tuple& t, bolt_session& s) {
        seen.push_back(t);
        s.emit({t.id}, "", json::array({t.values[0].get<std::string>() + "!"}));
        s.emit({t.id, "other"}, "side", json::array({1}));
        s.ack(t.id);
    };
    start(h);
    storm_writes(handshake_text());
    storm_writes(tuple_text("-12345", json::array({"hi"})));
    auto out = read_messages(4);
    ASSERT_EQ(out.size(), 4u);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].id, "-12345");
    EXPECT_EQ(seen[0].component, "words");
    EXPECT_EQ(seen[0].stream, "default");
    EXPECT_EQ(seen[0].task, 9);
    EXPECT_EQ(out[1],
              json({{"command", "emit"}, {"anchors", {"-12345"}}, {"tuple", {"hi!"}}, {"need_task_ids", false}}));
    EXPECT_EQ(out[2]["stream"], "side");
    EXPECT_EQ(out[2]["anchors"], json({"-12345", "other"}));
    EXPECT_FALSE(out[2].contains("id"));
    EXPECT_EQ(out[3], json({{"command", "ack"}, {"id", "-12345"}}));
}

TEST_F(BoltSessionTest, HeartbeatsAreAnsweredWithSyncAndNeverReachTheHandler)
{
    std::vector<std::string> handled;
    bolt_session::handlers h;
    h.on_tuple = [&](const bolt_tuple& t, bolt_session& s) {
        handled.push_back(t.stream);
        s.ack(t.id);
    };
    start(h);
    storm_writes(handshake_text());
    storm_writes(heartbeat_text("hb1"));
    storm_writes("[4,5]"); // a task-id array: dropped silently
    storm_writes(json{{"id", "t1"}, {"comp", "__system"}, {"stream", "__tick"}, {"task", -1}, {"tuple", {30}}}.dump());
    storm_writes(heartbeat_text("hb2"));
    auto out = read_messages(4);
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[1], json({{"command", "sync"}}));
    EXPECT_EQ(out[2], json({{"command", "ack"}, {"id", "t1"}})); // tick tuples are tuples to ack
    EXPECT_EQ(out[3], json({{"command", "sync"}}));
    EXPECT_EQ(handled, (std::vector<std::string>{"__tick"}));
    EXPECT_EQ(session_->heartbeats_answered(), 2u);
    EXPECT_TRUE(read_messages(1, 300ms).empty());
}

TEST_F(BoltSessionTest, HandlerMayAckOrFailLater)
{
    std::vector<std::string> held;
    bolt_session::handlers h;
    h.on_tuple = [&](const bolt_tuple& t, bolt_session&) { held.push_back(t.id); };
    start(h);
    storm_writes(handshake_text());
    storm_writes(tuple_text("a", json::array({"x"})));
    storm_writes(tuple_text("b", json::array({"y"})));
    ASSERT_EQ(read_messages(1).size(), 1u);
    EXPECT_TRUE(read_messages(1, 5s, [&] { return held.size() == 2; }).empty()); // nothing until we answer
    ASSERT_EQ(held, (std::vector<std::string>{"a", "b"}));
    session_->fail("b");
    session_->log("held a while", log_level::debug);
    session_->ack("a");
    auto out = read_messages(3);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0], json({{"command", "fail"}, {"id", "b"}}));
    EXPECT_EQ(out[1], json({{"command", "log"}, {"msg", "held a while"}, {"level", 1}}));
    EXPECT_EQ(out[2], json({{"command", "ack"}, {"id", "a"}}));
}

struct bad_input {
    const char* text;
    const char* expected;
};

class BoltSessionBadInput : public BoltSessionTest, public ::testing::WithParamInterface<bad_input> {};

TEST_P(BoltSessionBadInput, IsAProtocolErrorAndStopsOutput)
{
    std::string error;
    int handled = 0;
    bolt_session::handlers h;
    h.on_tuple = [&](const bolt_tuple&, bolt_session&) { ++handled; };
    h.on_protocol_error = [&](const std::string& what) { error = what; };
    start(h);
    storm_writes(handshake_text());
    storm_writes(GetParam().text);
    storm_writes(heartbeat_text("after"));
    ASSERT_EQ(read_messages(1).size(), 1u); // the pid reply
    EXPECT_TRUE(read_messages(1, 5s, [&] { return !error.empty(); }).empty());
    EXPECT_TRUE(read_messages(1, 300ms).empty()); // nothing after bad input, not even the heartbeat's sync
    EXPECT_EQ(handled, 0);
    EXPECT_NE(error.find(GetParam().expected), std::string::npos) << error;
    session_->ack("late");
    EXPECT_TRUE(read_messages(1, 300ms).empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BoltSessionBadInput,
    ::testing::Values(bad_input{"{\"id\":\"1\",\"tuple\":", "malformed JSON"},
                      bad_input{R"({"id":7,"comp":"c","stream":"default","task":1,"tuple":[]})", "malformed tuple"},
                      bad_input{R"({"id":"1","comp":"c","stream":"default","task":1,"tuple":"x"})", "malformed tuple"},
                      bad_input{R"({"command":"next","id":""})", "a bolt received a command"},
                      bad_input{R"("just a string")", "not a JSON object"}));

TEST_F(BoltSessionTest, EndOfInputIsReportedOnceAndCleanly)
{
    int ends = 0;
    std::string error;
    bolt_session::handlers h;
    h.on_end_of_input = [&] { ++ends; };
    h.on_protocol_error = [&](const std::string& what) { error = what; };
    start(h);
    storm_writes(handshake_text());
    close_stdin();
    read_messages(2, 5s, [&] { return ends > 0 || !error.empty(); });
    EXPECT_EQ(ends, 1);
    EXPECT_TRUE(error.empty()) << error;
}

TEST_F(BoltSessionTest, EndOfInputInsideAMessageIsAnError)
{
    std::string error;
    bolt_session::handlers h;
    h.on_end_of_input = [&] { error = "clean end"; };
    h.on_protocol_error = [&](const std::string& what) { error = what; };
    start(h);
    storm_writes(handshake_text());
    ASSERT_EQ(::write(to_bolt_[1], "{\"id\":\"1\",", 10), 10);
    close_stdin();
    read_messages(2, 5s, [&] { return !error.empty(); });
    EXPECT_NE(error.find("middle of a message"), std::string::npos) << error;
}

TEST_F(BoltSessionTest, PausedInputHoldsMessagesBackAndLosesNone)
{
    std::vector<std::string> seen;
    std::size_t heartbeats_seen = 0;
    bolt_session::handlers h;
    h.on_handshake = [](const handshake&) -> std::optional<std::string> { return std::nullopt; };
    h.on_tuple = [&](const bolt_tuple& t, bolt_session& s) {
        seen.push_back(t.id);
        if (seen.size() == 1) s.output()->pause_reading(); // the rest, already read, must wait
    };
    h.on_heartbeat = [&] { ++heartbeats_seen; };
    start(h);
    storm_writes(handshake_text());
    ASSERT_EQ(read_messages(1).size(), 1u); // the pid
    storm_writes(tuple_text("1", json::array({"a"})) + "\nend\n" + tuple_text("2", json::array({"b"})) + "\nend\n" +
                 heartbeat_text("hb") + "\nend\n" + tuple_text("3", json::array({"c"})));
    EXPECT_TRUE(read_messages(1, 300ms).empty()); // no sync for the heartbeat while paused
    EXPECT_EQ(seen, std::vector<std::string>{"1"});
    EXPECT_TRUE(session_->output()->paused());

    session_->output()->resume_reading();
    auto out = read_messages(1, 5s, [&] { return seen.size() == 3; });
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], json({{"command", "sync"}}));
    EXPECT_EQ(seen, (std::vector<std::string>{"1", "2", "3"}));
    EXPECT_EQ(heartbeats_seen, 1u);
}

} // namespace
} // namespace kspout::multilang
