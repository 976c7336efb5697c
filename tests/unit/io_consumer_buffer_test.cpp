// message_buffer and take_round_robin: counts, byte accounting, chunk lifetime, fair hand-out.
#include "protocol/io/message_buffer.hpp"
#include "tests/unit/io_consumer_test_util.hpp"

#include <gtest/gtest.h>

namespace kspout::io {
namespace {

using namespace consumer_test;

// Decodes `blob` from fetch_offset into a chunk the buffer can take.
void push_decoded(message_buffer& buffer, wire::byte_buffer blob, std::int64_t fetch_offset)
{
    auto frame = frame_of(std::move(blob));
    auto set = std::make_unique<records::record_set>();
    ASSERT_FALSE(records::read_records(frame.body(), fetch_offset, {}, {}, *set));
    buffer.push(frame, std::move(set));
}

TEST(ConsumerBuffer, CountsMessagesAndPayloadBytes)
{
    message_buffer buffer;
    EXPECT_TRUE(buffer.empty());
    EXPECT_FALSE(buffer.front_offset());
    push_decoded(buffer, batch(0, {{"a", "xyz"}, {"bb", ""}}), 0);
    push_decoded(buffer, batch(2, {{"", "1234"}}), 2);
    EXPECT_EQ(buffer.messages(), 3u);
    EXPECT_EQ(buffer.bytes(), 4u + 2u + 4u);
    EXPECT_EQ(buffer.front_offset(), 0);

    std::vector<consumer_message> out;
    std::vector<buffered_chunk> lent;
    EXPECT_EQ(buffer.take(1, "t", 7, out, lent), 1u);
    EXPECT_EQ(buffer.messages(), 2u);
    EXPECT_EQ(buffer.bytes(), 6u);
    EXPECT_EQ(buffer.front_offset(), 1);
    EXPECT_TRUE(lent.empty()); // the first chunk still has a message to hand out

    EXPECT_EQ(buffer.take(10, "t", 7, out, lent), 2u);
    EXPECT_TRUE(buffer.empty());
    EXPECT_EQ(buffer.bytes(), 0u);
    EXPECT_EQ(lent.size(), 2u);
    ASSERT_EQ(out.size(), 3u);
    for (std::size_t i = 0; i < out.size(); ++i) {
        EXPECT_EQ(out[i].offset, static_cast<std::int64_t>(i));
        EXPECT_EQ(out[i].partition, 7);
        EXPECT_EQ(out[i].topic, "t");
    }
    EXPECT_EQ(text(out[0].key), "a");
    EXPECT_EQ(text(out[0].value), "xyz");
    EXPECT_EQ(text(out[2].value), "1234");
    EXPECT_EQ(out[2].timestamp, 1700000000002);
}

TEST(ConsumerBuffer, HandedOutViewsOutliveTheBufferUntilLentIsDropped)
{
    message_buffer buffer;
    push_decoded(buffer, numbered_batch(10, 3), 10);
    std::vector<consumer_message> out;
    std::vector<buffered_chunk> lent;
    buffer.take(3, "t", 0, out, lent);
    buffer.clear(); // nothing left in the buffer itself
    ASSERT_EQ(lent.size(), 1u);
    EXPECT_EQ(text(out[2].key), "k12"); // still readable: `lent` keeps the response bytes
    EXPECT_EQ(lent[0].frame.buffer.use_count(), 1);
}

TEST(ConsumerBuffer, ClearDropsEverything)
{
    message_buffer buffer;
    push_decoded(buffer, numbered_batch(0, 4), 0);
    buffer.clear();
    EXPECT_TRUE(buffer.empty());
    EXPECT_EQ(buffer.messages(), 0u);
    EXPECT_EQ(buffer.bytes(), 0u);
    EXPECT_FALSE(buffer.front_offset());
}

TEST(ConsumerBuffer, EmptyResultsAreNotBuffered)
{
    message_buffer buffer;
    buffer.push(frame_of({}), std::make_unique<records::record_set>());
    buffer.push(frame_of({}), nullptr);
    EXPECT_TRUE(buffer.empty());
}

TEST(ConsumerBuffer, RoundRobinTakesOneFromEachInTurn)
{
    message_buffer a, b, c;
    push_decoded(a, numbered_batch(0, 3), 0);
    push_decoded(b, numbered_batch(100, 1), 100);
    push_decoded(c, numbered_batch(200, 2), 200);
    std::vector<poll_source> sources = {{0, &a}, {1, &b}, {2, &c}};
    std::vector<consumer_message> out;
    std::vector<buffered_chunk> lent;
    EXPECT_EQ(take_round_robin(sources, 100, "t", out, lent), 6u);
    std::vector<std::pair<std::int32_t, std::int64_t>> order;
    for (const auto& m : out) order.emplace_back(m.partition, m.offset);
    std::vector<std::pair<std::int32_t, std::int64_t>> want = {{0, 0}, {1, 100}, {2, 200}, {0, 1}, {2, 201}, {0, 2}};
    EXPECT_EQ(order, want);
}

TEST(ConsumerBuffer, RoundRobinStopsAtMax)
{
    message_buffer a, b;
    push_decoded(a, numbered_batch(0, 5), 0);
    push_decoded(b, numbered_batch(50, 5), 50);
    std::vector<poll_source> sources = {{1, &b}, {0, &a}};
    std::vector<consumer_message> out;
    std::vector<buffered_chunk> lent;
    EXPECT_EQ(take_round_robin(sources, 3, "t", out, lent), 3u);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].offset, 50);
    EXPECT_EQ(out[1].offset, 0);
    EXPECT_EQ(out[2].offset, 51);
    EXPECT_EQ(a.messages(), 4u);
    EXPECT_EQ(b.messages(), 3u);
}

TEST(ConsumerBuffer, AMessageAsARecordKeepsEveryField)
{
    const std::string key = "k";
    const std::string value = "v";
    records::header headers[2];
    consumer_message m;
    m.topic = "t";
    m.partition = 3;
    m.offset = 42;
    m.timestamp = 1700000000000;
    m.timestamp_type = records::timestamp_type::log_append_time;
    m.key = wire::as_bytes(key);
    m.value = wire::as_bytes(value);
    m.headers = headers;
    auto r = as_record(m);
    EXPECT_EQ(r.offset, 42);
    EXPECT_EQ(r.timestamp, 1700000000000);
    EXPECT_EQ(r.ts_type, records::timestamp_type::log_append_time);
    ASSERT_TRUE(r.key && r.value);
    EXPECT_EQ(r.key->data(), m.key->data());
    EXPECT_EQ(r.value->size(), 1u);
    EXPECT_EQ(r.header_count, 2u);
    m.key.reset();
    EXPECT_FALSE(as_record(m).key);
}

} // namespace
} // namespace kspout::io
