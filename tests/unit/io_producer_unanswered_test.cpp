// A connection survives a broker that answers Produce acks=0 requests anyway (the librdkafka mock does).
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

wire::byte_buffer response(std::int32_t correlation_id, std::string_view body)
{
    wire::writer w;
    std::size_t at = w.reserve_int32();
    w.int32(correlation_id);
    w.raw(wire::as_bytes(body));
    w.patch_size_since(at);
    return w.take();
}

std::vector<std::int32_t> correlation_ids(const wire::byte_buffer& written)
{
    std::vector<std::int32_t> out;
    wire::frame_splitter splitter;
    splitter.feed(written);
    std::error_code ec;
    while (auto frame = splitter.next(ec)) {
        wire::reader r(*frame);
        r.skip(4); // api key, version
        out.push_back(r.int32());
    }
    return out;
}

struct result {
    int calls = 0;
    std::error_code ec;
    std::string body;
};

connection::response_handler record(result& out)
{
    return [&out](std::error_code ec, response_frame frame) {
        ++out.calls;
        out.ec = ec;
        out.body = std::string(wire::as_text(frame.body()));
    };
}

class UnansweredRequests : public ::testing::Test {
protected:
    boost::asio::io_context ioc;
    std::shared_ptr<test_peer> peer = std::make_shared<test_peer>(ioc.get_executor());
    std::shared_ptr<connection> conn = connection::create(ioc.get_executor(), peer->make_stream(), {"tester"});

    void poll() { ioc.restart(), ioc.poll(); }
};

TEST_F(UnansweredRequests, AnswerToANoResponseRequestIsDropped)
{
    result produce, produce2, metadata;
    auto body = [](wire::writer& w) { w.int8(1); };
    conn->send(wire::api_key::produce, 7, body, 10s, record(produce), false);
    conn->send(wire::api_key::produce, 7, body, 10s, record(produce2), false);
    conn->send(wire::api_key::metadata, 2, body, 10s, record(metadata));
    poll();
    EXPECT_EQ(produce.calls, 1); // completed once written
    EXPECT_EQ(produce2.calls, 1);
    auto ids = correlation_ids(peer->written());
    ASSERT_EQ(ids.size(), 3u);

    // The broker answers all three, in order.
    auto bytes = response(ids[0], "ack 1");
    auto second = response(ids[1], "ack 2");
    auto third = response(ids[2], "metadata");
    bytes.insert(bytes.end(), second.begin(), second.end());
    bytes.insert(bytes.end(), third.begin(), third.end());
    peer->feed(bytes);
    poll();
    EXPECT_TRUE(conn->is_open());
    EXPECT_EQ(metadata.calls, 1);
    EXPECT_FALSE(metadata.ec);
    EXPECT_EQ(metadata.body, "metadata");
    EXPECT_EQ(produce.calls, 1); // the dropped answers call nothing
    EXPECT_EQ(produce2.calls, 1);
}

TEST_F(UnansweredRequests, ABrokerThatStaysSilentIsFineToo)
{
    result produce, metadata, late;
    auto body = [](wire::writer& w) { w.int8(1); };
    conn->send(wire::api_key::produce, 7, body, 10s, record(produce), false);
    conn->send(wire::api_key::metadata, 2, body, 10s, record(metadata));
    poll();
    auto ids = correlation_ids(peer->written());
    ASSERT_EQ(ids.size(), 2u);
    peer->feed(response(ids[1], "metadata"));
    poll();
    EXPECT_TRUE(conn->is_open());
    EXPECT_EQ(metadata.body, "metadata");

    // An answer to the acks=0 request now would be out of order: a protocol violation as before.
    conn->send(wire::api_key::metadata, 2, body, 10s, record(late));
    poll();
    peer->feed(response(ids[0], "too late"));
    poll();
    EXPECT_FALSE(conn->is_open());
    EXPECT_EQ(late.ec, make_error_code(errc::correlation_mismatch));
}

TEST_F(UnansweredRequests, UnknownIdsStillCloseTheConnection)
{
    result produce, metadata;
    auto body = [](wire::writer& w) { w.int8(1); };
    conn->send(wire::api_key::produce, 7, body, 10s, record(produce), false);
    conn->send(wire::api_key::metadata, 2, body, 10s, record(metadata));
    poll();
    auto ids = correlation_ids(peer->written());
    ASSERT_EQ(ids.size(), 2u);
    peer->feed(response(ids[1] + 100, "stray"));
    poll();
    EXPECT_FALSE(conn->is_open());
    EXPECT_EQ(metadata.ec, make_error_code(errc::correlation_mismatch));
}

} // namespace
} // namespace kspout::io
