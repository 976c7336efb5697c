// request_pipeline without sockets: bytes out, frames in, the events asserted; time is passed in.
#include "protocol/io/error.hpp"
#include "protocol/io/request_pipeline.hpp"
#include "protocol/wire/frame_splitter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kspout::io {
namespace {

using namespace std::chrono_literals;
using time_point = request_pipeline::time_point;

const time_point t0{};

struct calls {
    std::vector<std::string> log; // "name:ok:body" or "name:error message"
};

response_handler named(calls& out, std::string name)
{
    return [&out, name](std::error_code ec, response_frame frame) {
        out.log.push_back(ec ? name + ":" + ec.message() : name + ":ok:" + std::string(wire::as_text(frame.body())));
    };
}

auto body(std::string text)
{
    return [text](wire::writer& w) { w.raw(wire::as_bytes(text)); };
}

std::shared_ptr<wire::byte_buffer> response(std::int32_t correlation_id, std::string_view text)
{
    wire::writer w;
    w.int32(correlation_id);
    w.raw(wire::as_bytes(text));
    return std::make_shared<wire::byte_buffer>(w.take());
}

// Response header v1: the correlation id, then a tagged-field section (here one field, tag 0).
std::shared_ptr<wire::byte_buffer> flexible_response(std::int32_t correlation_id, std::string_view text)
{
    wire::writer w;
    w.int32(correlation_id);
    w.uvarint(1);
    w.uvarint(0);
    w.uvarint(2);
    w.raw(wire::as_bytes(std::string_view("xy")));
    w.raw(wire::as_bytes(text));
    return std::make_shared<wire::byte_buffer>(w.take());
}

struct written_request {
    std::int32_t correlation_id;
    std::string body;
};

// Takes what the pipeline has to write, as the broker would read it.
std::vector<written_request> take_written(request_pipeline& p, std::vector<response_handler>* acks0 = nullptr)
{
    wire::byte_buffer bytes;
    std::vector<response_handler> written;
    p.take_output(bytes, written);
    if (acks0) *acks0 = std::move(written);
    wire::frame_splitter splitter;
    splitter.feed(bytes);
    std::vector<written_request> out;
    std::error_code ec;
    while (auto frame = splitter.next(ec)) {
        wire::reader r(*frame);
        r.skip(4); // api key, version
        std::int32_t id = r.int32();
        (void)r.nullable_string(); // client id
        out.push_back({id, std::string(wire::as_text(r.rest()))});
    }
    EXPECT_FALSE(ec);
    return out;
}

// Feeds a response and runs what it delivers; returns the error that must close the connection.
std::error_code answer(request_pipeline& p, std::int32_t correlation_id, std::string_view text)
{
    std::error_code ec;
    auto delivery = p.on_response(response(correlation_id, text), ec);
    if (delivery && delivery->handler) delivery->handler({}, std::move(delivery->frame));
    return ec;
}

TEST(RequestPipeline, ResponsesMatchRequestsInOrder)
{
    request_pipeline p({"tester"});
    calls out;
    p.add(wire::api_key::metadata, 1, body("a"), t0 + 1s, named(out, "a"), true);
    p.add(wire::api_key::fetch, 4, body("b"), t0 + 1s, named(out, "b"), true);
    auto sent = take_written(p);
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].body, "a");
    EXPECT_EQ(sent[1].correlation_id, sent[0].correlation_id + 1);
    EXPECT_FALSE(answer(p, sent[0].correlation_id, "A"));
    EXPECT_FALSE(answer(p, sent[1].correlation_id, "B"));
    EXPECT_EQ(out.log, (std::vector<std::string>{"a:ok:A", "b:ok:B"}));
    EXPECT_EQ(p.in_flight(), 0u);
}

TEST(RequestPipeline, AResponseOutOfOrderOrUnknownIsAnError)
{
    request_pipeline p({});
    calls out;
    p.add(wire::api_key::metadata, 1, body("a"), t0 + 1s, named(out, "a"), true);
    p.add(wire::api_key::metadata, 1, body("b"), t0 + 1s, named(out, "b"), true);
    auto sent = take_written(p);
    EXPECT_EQ(answer(p, sent[1].correlation_id, "B"), make_error_code(errc::correlation_mismatch));
    EXPECT_EQ(answer(p, 999, "?"), make_error_code(errc::correlation_mismatch));
    EXPECT_TRUE(out.log.empty());
    EXPECT_EQ(p.take_all().size(), 2u);
}

TEST(RequestPipeline, AFrameTooShortForAHeaderIsABadResponse)
{
    request_pipeline p({});
    calls out;
    p.add(wire::api_key::metadata, 1, body("a"), t0 + 1s, named(out, "a"), true);
    std::error_code ec;
    EXPECT_FALSE(p.on_response(std::make_shared<wire::byte_buffer>(wire::byte_buffer{0, 0}), ec));
    EXPECT_EQ(ec, make_error_code(errc::bad_response));
}

TEST(RequestPipeline, AnswersToAcksZeroRequestsAreDroppedAndOthersStillMatch)
{
    request_pipeline p({});
    calls out;
    p.add(wire::api_key::produce, 3, body("p0"), t0 + 1s, named(out, "p0"), false);
    p.add(wire::api_key::metadata, 1, body("m"), t0 + 1s, named(out, "m"), true);
    std::vector<response_handler> written;
    auto sent = take_written(p, &written);
    ASSERT_EQ(written.size(), 1u); // completes once written, not answered
    EXPECT_EQ(p.in_flight(), 1u);

    std::error_code ec;
    auto dropped = p.on_response(response(sent[0].correlation_id, "late"), ec);
    ASSERT_TRUE(dropped);
    EXPECT_FALSE(dropped->handler);
    EXPECT_FALSE(ec);
    EXPECT_FALSE(answer(p, sent[1].correlation_id, "M"));
    EXPECT_EQ(out.log, (std::vector<std::string>{"m:ok:M"}));
    // Once a later request was answered, the acks=0 id can no longer be answered.
    EXPECT_EQ(answer(p, sent[0].correlation_id, "again"), make_error_code(errc::correlation_mismatch));
}

TEST(RequestPipeline, TheInFlightLimitHoldsRequestsUntilAnAnswerFreesAPlace)
{
    request_pipeline p({"tester", 2});
    calls out;
    for (std::string name : {"a", "b", "c", "d"}) p.add(wire::api_key::fetch, 4, body(name), t0 + 1s, named(out, name), true);
    auto first = take_written(p);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(p.in_flight(), 2u);
    EXPECT_EQ(p.held(), 2u);
    EXPECT_FALSE(p.has_output());

    EXPECT_FALSE(answer(p, first[0].correlation_id, "A"));
    auto second = take_written(p);
    ASSERT_EQ(second.size(), 1u);
    EXPECT_EQ(second[0].body, "c");
    EXPECT_EQ(second[0].correlation_id, first[1].correlation_id + 1);
    EXPECT_EQ(p.held(), 1u);
}

TEST(RequestPipeline, AnAcksZeroRequestWaitsBehindHeldOnesToKeepTheOrder)
{
    request_pipeline p({"tester", 1});
    calls out;
    p.add(wire::api_key::fetch, 4, body("a"), t0 + 1s, named(out, "a"), true);
    p.add(wire::api_key::fetch, 4, body("b"), t0 + 1s, named(out, "b"), true);
    p.add(wire::api_key::produce, 3, body("p"), t0 + 1s, named(out, "p"), false);
    auto first = take_written(p);
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(p.held(), 2u);

    EXPECT_FALSE(answer(p, first[0].correlation_id, "A"));
    std::vector<response_handler> written;
    auto next = take_written(p, &written);
    ASSERT_EQ(next.size(), 2u);
    EXPECT_EQ(next[0].body, "b");
    EXPECT_EQ(next[1].body, "p");
    EXPECT_EQ(written.size(), 1u);
}

TEST(RequestPipeline, FlexibleVersionsGetRequestHeaderV2)
{
    request_pipeline p({"tester"});
    calls out;
    p.add(wire::api_key::metadata, 8, body("a"), t0 + 1s, named(out, "a"), true);
    p.add(wire::api_key::metadata, 9, body("b"), t0 + 1s, named(out, "b"), true);
    p.add(wire::api_key::api_versions, 3, body("c"), t0 + 1s, named(out, "c"), true);
    auto sent = take_written(p);
    ASSERT_EQ(sent.size(), 3u);
    EXPECT_EQ(sent[0].body, "a");
    EXPECT_EQ(sent[1].body, std::string("\0b", 2)); // an empty tagged-field section after the client id
    EXPECT_EQ(sent[2].body, std::string("\0c", 2));
}

TEST(RequestPipeline, FlexibleResponsesSkipTheTaggedFieldsOfHeaderV1)
{
    request_pipeline p({"tester"});
    calls out;
    p.add(wire::api_key::offset_commit, 8, body("a"), t0 + 1s, named(out, "a"), true);
    p.add(wire::api_key::offset_commit, 7, body("b"), t0 + 1s, named(out, "b"), true);
    p.add(wire::api_key::api_versions, 3, body("c"), t0 + 1s, named(out, "c"), true); // header v0 always
    auto sent = take_written(p);
    ASSERT_EQ(sent.size(), 3u);
    std::error_code ec;
    for (auto frame : {flexible_response(sent[0].correlation_id, "A"), response(sent[1].correlation_id, "B"),
                       response(sent[2].correlation_id, "C")}) {
        auto delivery = p.on_response(frame, ec);
        ASSERT_TRUE(delivery);
        delivery->handler({}, std::move(delivery->frame));
    }
    EXPECT_FALSE(ec);
    EXPECT_EQ(out.log, (std::vector<std::string>{"a:ok:A", "b:ok:B", "c:ok:C"}));
}

TEST(RequestPipeline, AFlexibleResponseCutInItsTaggedFieldsIsABadResponse)
{
    request_pipeline p({});
    calls out;
    p.add(wire::api_key::heartbeat, 4, body("a"), t0 + 1s, named(out, "a"), true);
    auto sent = take_written(p);
    wire::writer w;
    w.int32(sent[0].correlation_id);
    w.uvarint(1); // one tagged field promised, none follows
    std::error_code ec;
    EXPECT_FALSE(p.on_response(std::make_shared<wire::byte_buffer>(w.take()), ec));
    EXPECT_EQ(ec, make_error_code(errc::bad_response));
}

TEST(RequestPipeline, ARawTokenGoesOutAsABareFrameAndItsAnswerIsDeliveredWhole)
{
    request_pipeline p({});
    calls out;
    p.add(wire::api_key::sasl_handshake, 0, body("PLAIN"), t0 + 1s, named(out, "handshake"), true);
    auto handshake = take_written(p);
    ASSERT_EQ(handshake.size(), 1u);
    EXPECT_FALSE(answer(p, handshake[0].correlation_id, ""));
    p.add_raw(wire::as_bytes(std::string_view("token")), t0 + 1s, named(out, "token"));
    wire::byte_buffer bytes;
    std::vector<response_handler> written;
    p.take_output(bytes, written);
    EXPECT_EQ(std::string(wire::as_text(bytes)), std::string("\0\0\0\5token", 9));
    // The answer has no correlation id: its first bytes are the server's token, even when they
    // would read as the id of a request in flight. An empty answer is an answer too.
    std::error_code ec;
    auto delivery = p.on_response(response(0, "first"), ec);
    ASSERT_TRUE(delivery && delivery->handler);
    delivery->handler({}, std::move(delivery->frame));
    EXPECT_FALSE(ec);
    p.add_raw({}, t0 + 1s, named(out, "empty"));
    take_written(p);
    delivery = p.on_response(std::make_shared<wire::byte_buffer>(), ec);
    ASSERT_TRUE(delivery && delivery->handler);
    delivery->handler({}, std::move(delivery->frame));
    EXPECT_EQ(out.log, (std::vector<std::string>{"handshake:ok:", std::string("token:ok:\0\0\0\0first", 18),
                                                 "empty:ok:"}));
}

TEST(RequestPipeline, ARequestAfterARawTokenWaitsForItsAnswerUnderTheInFlightLimit)
{
    request_pipeline p({"", 1});
    calls out;
    p.add_raw(wire::as_bytes(std::string_view("t")), t0 + 1s, named(out, "token"));
    p.add(wire::api_key::metadata, 1, body("m"), t0 + 1s, named(out, "metadata"), true);
    wire::byte_buffer bytes;
    std::vector<response_handler> written;
    p.take_output(bytes, written);
    EXPECT_EQ(bytes.size(), 5u);
    EXPECT_EQ(p.held(), 1u);
    std::error_code ec;
    auto delivery = p.on_response(std::make_shared<wire::byte_buffer>(), ec);
    ASSERT_TRUE(delivery);
    auto sent = take_written(p);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].body, "m");
    EXPECT_FALSE(answer(p, sent[0].correlation_id, "M"));
    EXPECT_EQ(out.log, (std::vector<std::string>{"metadata:ok:M"}));
}

TEST(RequestPipeline, DeadlinesExpireByThePassedTime)
{
    request_pipeline p({"tester", 1});
    calls out;
    p.add(wire::api_key::fetch, 4, body("a"), t0 + 3s, named(out, "a"), true);
    p.add(wire::api_key::fetch, 4, body("b"), t0 + 2s, named(out, "b"), true); // held
    EXPECT_EQ(p.earliest_deadline(), t0 + 2s);
    EXPECT_TRUE(p.take_expired(t0 + 1999ms).empty());
    auto expired = p.take_expired(t0 + 2s);
    ASSERT_EQ(expired.size(), 1u);
    expired[0](make_error_code(errc::request_timed_out), {});
    EXPECT_EQ(out.log.size(), 1u);
    EXPECT_EQ(out.log[0].rfind("b:", 0), 0u);
    EXPECT_EQ(p.earliest_deadline(), t0 + 3s);
    EXPECT_EQ(p.take_expired(t0 + 10s).size(), 1u);
    EXPECT_FALSE(p.earliest_deadline());
}

TEST(RequestPipeline, TakeAllReturnsEveryWaitingHandlerOnce)
{
    request_pipeline p({"tester", 1});
    calls out;
    p.add(wire::api_key::fetch, 4, body("a"), t0 + 1s, named(out, "a"), true);
    p.add(wire::api_key::fetch, 4, body("b"), t0 + 1s, named(out, "b"), true);
    p.add(wire::api_key::produce, 3, body("p"), t0 + 1s, named(out, "p"), false);
    EXPECT_EQ(p.take_all().size(), 3u);
    EXPECT_TRUE(p.take_all().empty());
    EXPECT_FALSE(p.has_output());
    EXPECT_FALSE(p.earliest_deadline());
}

} // namespace
} // namespace kspout::io
