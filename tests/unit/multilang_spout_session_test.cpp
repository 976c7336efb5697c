// spout_session over real pipes: handshake, one sync per command in order, bad input, EOF.
#include "multilang/spout_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

namespace kspout::multilang {
namespace {

using namespace std::chrono_literals;

class SpoutSessionTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_EQ(::pipe(to_spout_), 0);
        ASSERT_EQ(::pipe(from_spout_), 0);
        ::fcntl(from_spout_[0], F_SETFL, O_NONBLOCK);
        pid_dir_ = std::filesystem::temp_directory_path() / ("kspout-session-" + std::to_string(::getpid()));
        std::filesystem::create_directories(pid_dir_);
    }

    void TearDown() override
    {
        for (int fd : {to_spout_[0], to_spout_[1], from_spout_[0], from_spout_[1]}) {
            if (fd >= 0) ::close(fd);
        }
        std::filesystem::remove_all(pid_dir_);
    }

    void start(spout_session::handlers h)
    {
        auto ch = channel::create(ioc_.get_executor(), to_spout_[0], from_spout_[1]);
        ::close(to_spout_[0]); // the channel holds its own duplicates
        ::close(from_spout_[1]);
        to_spout_[0] = from_spout_[1] = -1;
        session_ = spout_session::create(ch, std::move(h), 4242);
        session_->start();
    }

    void storm_writes(const std::string& json_text)
    {
        std::string framed = frame(json_text);
        ASSERT_EQ(::write(to_spout_[1], framed.data(), framed.size()), static_cast<ssize_t>(framed.size()));
    }

    void close_stdin()
    {
        ::close(to_spout_[1]);
        to_spout_[1] = -1;
    }

    // Runs the executor until `count` messages came out or `limit` passed, returning them parsed.
    std::vector<json> read_messages(std::size_t count, std::chrono::milliseconds limit = 5s)
    {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (out_.size() < count && std::chrono::steady_clock::now() < deadline) {
            ioc_.restart();
            ioc_.run_for(5ms);
            char buf[4096];
            ssize_t n;
            while ((n = ::read(from_spout_[0], buf, sizeof buf)) > 0) reader_.feed(std::string_view(buf, n));
            std::error_code ec;
            while (auto m = reader_.next(ec)) out_.push_back(json::parse(*m));
        }
        std::vector<json> taken(out_.begin(), out_.begin() + std::min(count, out_.size()));
        out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(taken.size()));
        return taken;
    }

    std::string handshake_text() const
    {
        return json{{"pidDir", pid_dir_.string()}, {"conf", json::object()}, {"context", {{"taskid", 1}}}}.dump();
    }

    boost::asio::io_context ioc_;
    int to_spout_[2] = {-1, -1};
    int from_spout_[2] = {-1, -1};
    std::filesystem::path pid_dir_;
    std::shared_ptr<spout_session> session_;
    message_reader reader_;
    std::vector<json> out_;
};

TEST_F(SpoutSessionTest, HandshakeCreatesPidFileThenReplies)
{
    bool pid_file_existed_at_handshake = false;
    spout_session::handlers h;
    h.on_handshake = [&](const handshake& hs) -> std::optional<std::string> {
        pid_file_existed_at_handshake = std::filesystem::exists(std::filesystem::path(hs.pid_dir) / "4242");
        return std::nullopt;
    };
    start(h);
    storm_writes(handshake_text());
    auto out = read_messages(1);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], json({{"pid", 4242}}));
    EXPECT_TRUE(pid_file_existed_at_handshake);
}

TEST_F(SpoutSessionTest, OneSyncPerCommandInOrderEvenWhenCommandsQueue)
{
    spout_session::handlers h;
    std::vector<std::string> calls;
    h.on_next = [&](spout_session::done_callback done) {
        calls.push_back("next");
        session_->emit({std::nullopt, json::array({"v"}), "t:0:7", {}, std::nullopt, false});
        // Finish later, as a bounded wait for data would: the ack below queues meanwhile.
        auto timer = std::make_shared<boost::asio::steady_timer>(ioc_, 30ms);
        timer->async_wait([timer, done](auto) { done(); });
    };
    h.on_ack = [&](const json& id, spout_session::done_callback done) {
        calls.push_back("ack " + id.get<std::string>());
        done();
    };
    start(h);
    storm_writes(handshake_text());
    storm_writes(R"({"command":"next","id":""})");
    storm_writes(R"({"command":"ack","id":"t:0:7"})"); // zero-acker re-entrancy: before our sync
    storm_writes("[3]");                               // a task-id array: dropped silently
    storm_writes(R"({"command":"bogus","id":""})");
    storm_writes(R"({"command":"activate","id":""})");
    auto out = read_messages(7);
    ASSERT_EQ(out.size(), 7u);
    EXPECT_EQ(out[0]["pid"], 4242);
    EXPECT_EQ(out[1]["command"], "emit");
    EXPECT_EQ(out[1]["id"], "t:0:7");
    EXPECT_EQ(out[1]["need_task_ids"], false);
    EXPECT_EQ(out[2], json({{"command", "sync"}})); // ends next
    EXPECT_EQ(out[3], json({{"command", "sync"}})); // ends ack
    EXPECT_EQ(out[4]["command"], "log");            // the unknown command, then its sync
    EXPECT_EQ(out[5], json({{"command", "sync"}}));
    EXPECT_EQ(out[6], json({{"command", "sync"}})); // activate (no handler: plain sync)
    EXPECT_EQ(calls, (std::vector<std::string>{"next", "ack t:0:7"}));
    EXPECT_TRUE(read_messages(1, 300ms).empty());
}

// Storm reads stdout only while a command is out: what a spout logs between commands waits for
// the next one, so an idle spout cannot fill the pipe; past the cap only a count goes out.
TEST_F(SpoutSessionTest, LogsBetweenCommandsWaitForTheNextCommand)
{
    spout_session::handlers h;
    h.on_activate = [&](spout_session::done_callback done) {
        session_->log("during activate");
        done();
    };
    start(h);
    storm_writes(handshake_text());
    ASSERT_EQ(read_messages(1).size(), 1u); // the pid
    session_->log("idle 1");
    session_->error("idle 2");
    EXPECT_TRUE(read_messages(1, 300ms).empty()) << "written while no command was out";

    storm_writes(R"({"command":"activate","id":""})");
    auto out = read_messages(4);
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[0], json({{"command", "log"}, {"msg", "idle 1"}, {"level", 2}}));
    EXPECT_EQ(out[1], json({{"command", "error"}, {"msg", "idle 2"}}));
    EXPECT_EQ(out[2]["msg"], "during activate");
    EXPECT_EQ(out[3], json({{"command", "sync"}}));

    for (std::size_t i = 0; i < spout_session::held_messages_cap + 5; ++i) session_->log("line " + std::to_string(i));
    EXPECT_TRUE(read_messages(1, 300ms).empty());
    storm_writes(R"({"command":"deactivate","id":""})");
    out = read_messages(spout_session::held_messages_cap + 2);
    ASSERT_EQ(out.size(), spout_session::held_messages_cap + 2);
    EXPECT_EQ(out.front()["msg"], "line 0");
    EXPECT_EQ(out[spout_session::held_messages_cap - 1]["msg"],
              "line " + std::to_string(spout_session::held_messages_cap - 1));
    EXPECT_EQ(out[spout_session::held_messages_cap]["level"], 3);
    EXPECT_EQ(out[spout_session::held_messages_cap]["msg"].get<std::string>().rfind("5 more log", 0), 0u);
    EXPECT_EQ(out.back(), json({{"command", "sync"}}));
    EXPECT_TRUE(read_messages(1, 300ms).empty());
}

TEST_F(SpoutSessionTest, MalformedJsonIsAProtocolErrorAndStopsOutput)
{
    std::string error;
    spout_session::handlers h;
    h.on_protocol_error = [&](const std::string& what) { error = what; };
    start(h);
    storm_writes(handshake_text());
    storm_writes("{\"command\":\"next\"");
    storm_writes(R"({"command":"next","id":""})");
    auto out = read_messages(3, 500ms);
    ASSERT_EQ(out.size(), 1u); // the pid reply only: no sync after bad input
    EXPECT_NE(error.find("malformed JSON"), std::string::npos);
}

TEST_F(SpoutSessionTest, UnwritablePidDirFailsTheHandshake)
{
    std::string error;
    spout_session::handlers h;
    h.on_protocol_error = [&](const std::string& what) { error = what; };
    start(h);
    storm_writes(json{{"pidDir", "/nonexistent/kspout"}, {"conf", json::object()}, {"context", json::object()}}.dump());
    EXPECT_TRUE(read_messages(1, 300ms).empty());
    EXPECT_NE(error.find("/nonexistent/kspout"), std::string::npos);
}

TEST_F(SpoutSessionTest, EndOfInputIsReportedOnceAndCleanly)
{
    int ends = 0;
    std::string error;
    spout_session::handlers h;
    h.on_end_of_input = [&] { ++ends; };
    h.on_protocol_error = [&](const std::string& what) { error = what; };
    start(h);
    storm_writes(handshake_text());
    close_stdin();
    read_messages(2, 500ms);
    EXPECT_EQ(ends, 1);
    EXPECT_TRUE(error.empty());
}

TEST_F(SpoutSessionTest, EndOfInputInsideAMessageIsAnError)
{
    std::string error;
    spout_session::handlers h;
    h.on_end_of_input = [&] { error = "clean end"; };
    h.on_protocol_error = [&](const std::string& what) { error = what; };
    start(h);
    storm_writes(handshake_text());
    ASSERT_EQ(::write(to_spout_[1], "{\"command\":", 11), 11);
    close_stdin();
    read_messages(2, 500ms);
    EXPECT_NE(error.find("middle of a message"), std::string::npos) << error;
}

} // namespace
} // namespace kspout::multilang
