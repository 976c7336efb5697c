// connection on an in-memory stream: pipelining, correlation, deadlines, close, failure at every I/O.
#include "protocol/io/connection.hpp"
#include "protocol/io/error.hpp"
#include "tests/support/test_stream.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <vector>

namespace kspout::io {
namespace {

using namespace std::chrono_literals;
using testing::test_peer;

struct outcome {
    std::error_code ec;
    std::string body;
    int calls = 0;
};

connection::response_handler record(outcome& out)
{
    return [&out](std::error_code ec, response_frame frame) {
        ++out.calls;
        out.ec = ec;
        out.body = std::string(wire::as_text(frame.body()));
    };
}

wire::byte_buffer response(std::int32_t correlation_id, std::string_view body)
{
    wire::writer w;
    std::size_t at = w.reserve_int32();
    w.int32(correlation_id);
    w.raw(wire::as_bytes(body));
    w.patch_size_since(at);
    return w.take();
}

struct request_seen {
    std::int16_t key;
    std::int16_t version;
    std::int32_t correlation_id;
    std::string client_id;
    std::string body;
};

std::vector<request_seen> parse_requests(const wire::byte_buffer& written)
{
    std::vector<request_seen> out;
    wire::frame_splitter splitter;
    splitter.feed(written);
    std::error_code ec;
    while (auto frame = splitter.next(ec)) {
        wire::reader r(*frame);
        request_seen seen{r.int16(), r.int16(), r.int32(), std::string(r.string()), {}};
        seen.body = std::string(wire::as_text(r.rest()));
        out.push_back(seen);
    }
    EXPECT_FALSE(ec);
    return out;
}

auto body_text(std::string_view text)
{
    return [text](wire::writer& w) { w.raw(wire::as_bytes(text)); };
}

class ConnectionTest : public ::testing::Test {
protected:
    boost::asio::io_context ioc;
    std::shared_ptr<test_peer> peer = std::make_shared<test_peer>(ioc.get_executor());
    std::shared_ptr<connection> conn = connection::create(ioc.get_executor(), peer->make_stream(), {"tester"});

    void run() { ioc.restart(), ioc.run_for(5s); }
    void poll() { ioc.restart(), ioc.poll(); }
};

TEST_F(ConnectionTest, PipelinesRequestsAndMatchesResponsesInOrder)
{
    outcome a, b;
    conn->send(wire::api_key::metadata, 0, body_text("one"), 10s, record(a));
    conn->send(wire::api_key::fetch, 4, body_text("two"), 10s, record(b));
    poll();
    auto requests = parse_requests(peer->written());
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].key, 3);
    EXPECT_EQ(requests[1].key, 1);
    EXPECT_EQ(requests[1].version, 4);
    EXPECT_EQ(requests[0].client_id, "tester");
    EXPECT_EQ(requests[0].body, "one");
    EXPECT_NE(requests[0].correlation_id, requests[1].correlation_id);
    EXPECT_EQ(conn->in_flight(), 2u);

    auto both = response(requests[0].correlation_id, "first");
    auto second = response(requests[1].correlation_id, "second");
    both.insert(both.end(), second.begin(), second.end());
    peer->feed(both);
    poll();
    EXPECT_EQ(a.calls, 1);
    EXPECT_FALSE(a.ec);
    EXPECT_EQ(a.body, "first");
    EXPECT_EQ(b.body, "second");
    EXPECT_EQ(conn->in_flight(), 0u);
}

TEST_F(ConnectionTest, ResponsesSplitAtEveryByte)
{
    std::string big(200000, 'x'); // larger than the read buffer: read straight into its own frame
    for (std::string body : {std::string("small"), big}) {
        outcome a;
        peer->clear_written();
        conn->send(wire::api_key::fetch, 4, body_text("q"), 10s, record(a));
        poll();
        auto requests = parse_requests(peer->written());
        ASSERT_EQ(requests.size(), 1u);
        auto bytes = response(requests[0].correlation_id, body);
        std::size_t step = body.size() > 1000 ? 4099 : 1;
        for (std::size_t i = 0; i < bytes.size(); i += step) {
            peer->feed(wire::bytes_view(bytes).subspan(i, std::min(step, bytes.size() - i)));
            poll();
        }
        EXPECT_EQ(a.calls, 1);
        EXPECT_EQ(a.body, body);
    }
}

TEST_F(ConnectionTest, UnknownCorrelationIdClosesAndFailsEverything)
{
    outcome a, b;
    conn->send(wire::api_key::metadata, 0, body_text("x"), 10s, record(a));
    conn->send(wire::api_key::metadata, 0, body_text("y"), 10s, record(b));
    poll();
    auto requests = parse_requests(peer->written());
    peer->feed(response(requests[1].correlation_id, "out of order"));
    poll();
    EXPECT_EQ(a.ec, make_error_code(errc::correlation_mismatch));
    EXPECT_EQ(b.ec, make_error_code(errc::correlation_mismatch));
    EXPECT_FALSE(conn->is_open());
    EXPECT_TRUE(peer->closed_locally());
}

TEST_F(ConnectionTest, TimeoutFailsTheRequestAndClosesTheConnection)
{
    outcome slow, later;
    std::error_code closed_with;
    conn->on_close([&](std::error_code ec) { closed_with = ec; });
    conn->send(wire::api_key::fetch, 4, body_text("x"), 20ms, record(slow));
    conn->send(wire::api_key::fetch, 4, body_text("y"), 10s, record(later));
    run();
    EXPECT_EQ(slow.ec, make_error_code(errc::request_timed_out));
    EXPECT_EQ(later.ec, make_error_code(errc::request_timed_out));
    EXPECT_EQ(closed_with, make_error_code(errc::request_timed_out));
    EXPECT_EQ(slow.calls + later.calls, 2);
}

TEST_F(ConnectionTest, CloseCancelsPendingAndLaterSends)
{
    outcome a, b;
    conn->send(wire::api_key::metadata, 0, body_text("x"), 10s, record(a));
    poll();
    conn->close(make_error_code(errc::shut_down));
    conn->send(wire::api_key::metadata, 0, body_text("y"), 10s, record(b));
    run();
    EXPECT_EQ(a.ec, make_error_code(errc::shut_down));
    EXPECT_EQ(b.ec, make_error_code(errc::connection_closed));
    EXPECT_EQ(a.calls, 1);
    EXPECT_EQ(b.calls, 1);
}

TEST_F(ConnectionTest, RemoteEofFailsPendingRequests)
{
    outcome a;
    conn->send(wire::api_key::metadata, 0, body_text("x"), 10s, record(a));
    poll();
    peer->close_remote();
    run();
    EXPECT_EQ(a.calls, 1);
    EXPECT_EQ(a.ec, boost::asio::error::make_error_code(boost::asio::error::eof));
}

TEST_F(ConnectionTest, OversizedFrameIsRejected)
{
    auto other_peer = std::make_shared<test_peer>(ioc.get_executor());
    auto small = connection::create(ioc.get_executor(), other_peer->make_stream(), {"t", 64});
    outcome a;
    small->send(wire::api_key::metadata, 0, body_text("x"), 10s, record(a));
    poll();
    auto requests = parse_requests(other_peer->written());
    ASSERT_EQ(requests.size(), 1u);
    other_peer->feed(response(requests.back().correlation_id, std::string(100, 'z')));
    run();
    EXPECT_EQ(a.ec, make_error_code(wire::errc::frame_too_large));
}

TEST_F(ConnectionTest, NoResponseRequestCompletesOnceWritten)
{
    outcome a;
    conn->send(wire::api_key::produce, 3, body_text("acks=0"), 10s, record(a), false);
    run();
    EXPECT_EQ(a.calls, 1);
    EXPECT_FALSE(a.ec);
    EXPECT_EQ(conn->in_flight(), 0u);
}

// Fails the n-th stream operation for every n until a whole exchange succeeds: each request's
// handler must run exactly once whatever fails, and nothing may crash or hang.
TEST(ConnectionFailures, EveryIoOperationCanFail)
{
    bool succeeded = false;
    int failures_seen = 0;
    for (int fail_at = 0; fail_at < 50 && !succeeded; ++fail_at) {
        boost::asio::io_context ioc;
        auto peer = std::make_shared<test_peer>(ioc.get_executor());
        peer->fail_at(fail_at);
        auto conn = connection::create(ioc.get_executor(), peer->make_stream(), {});
        std::vector<outcome> outcomes(3);
        for (auto& o : outcomes) {
            conn->send(wire::api_key::metadata, 0, body_text("q"), 10s, record(o));
            ioc.restart();
            ioc.poll();
        }
        for (const auto& request : parse_requests(peer->written())) {
            peer->feed(response(request.correlation_id, "r"));
            ioc.restart();
            ioc.poll();
        }
        ioc.restart();
        ioc.run_for(2s);
        bool all_ok = true;
        for (const auto& o : outcomes) {
            EXPECT_EQ(o.calls, 1) << "fail_at " << fail_at;
            all_ok = all_ok && !o.ec && o.body == "r";
        }
        succeeded = all_ok;
        if (!all_ok) {
            EXPECT_FALSE(conn->is_open()) << "fail_at " << fail_at;
        }
        failures_seen += all_ok ? 0 : 1;
    }
    EXPECT_TRUE(succeeded);
    EXPECT_GE(failures_seen, 3); // the first reads and writes did fail
}

} // namespace
} // namespace kspout::io
