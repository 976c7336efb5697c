// Producer batching: size estimates, linger and batch-size accounting, expiry, and encoding per Produce version.
#include "protocol/io/produce_batch.hpp"
#include "protocol/io/producer_error.hpp"
#include "protocol/records/records.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kspout::io {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

queued_record make_record(std::string value, clock_type::time_point enqueued, std::uint64_t sequence = 0)
{
    queued_record r;
    r.key = "k" + std::to_string(sequence);
    r.value = std::move(value);
    r.timestamp = 1700000000000 + static_cast<std::int64_t>(sequence);
    r.sequence = sequence;
    r.enqueued = enqueued;
    r.size = estimated_size(r.key, r.value, r.headers);
    return r;
}

TEST(EstimatedSize, CountsKeyValueAndHeaders)
{
    std::vector<record_header> none;
    std::size_t empty = estimated_size(std::nullopt, std::nullopt, none);
    EXPECT_EQ(estimated_size(std::string(10, 'k'), std::string(100, 'v'), none), empty + 110);
    std::vector<record_header> two{{"trace", std::string("abc")}, {"flag", std::nullopt}};
    std::size_t with_headers = estimated_size(std::nullopt, std::nullopt, two);
    EXPECT_GT(with_headers, empty + 5 + 3 + 4);
}

// The estimate is an upper bound of what the record really takes in every format.
TEST(EstimatedSize, IsAnUpperBoundOfTheEncodedSize)
{
    std::vector<queued_record> records;
    auto now = clock_type::now();
    for (int i = 0; i < 50; ++i) {
        auto r = make_record(std::string(static_cast<std::size_t>(i * 37 % 300), 'x'), now, static_cast<std::uint64_t>(i));
        if (i % 3 == 0) r.key.reset();
        if (i % 7 == 0) r.value.reset();
        r.size = estimated_size(r.key, r.value, r.headers);
        records.push_back(std::move(r));
    }
    std::size_t estimate = batch_overhead;
    for (const auto& r : records) estimate += r.size;
    for (std::int16_t version : std::initializer_list<std::int16_t>{0, 2, 3, 7}) {
        wire::byte_buffer out;
        ASSERT_FALSE(encode_batch(records, version, records::compression::none, out));
        EXPECT_LE(out.size(), estimate) << "Produce v" << version;
    }
    // Headers too, in the one format that carries them.
    records[1].headers = {{"h", std::string(40, 'y')}, {"n", std::nullopt}};
    records[1].size = estimated_size(records[1].key, records[1].value, records[1].headers);
    wire::byte_buffer one;
    ASSERT_FALSE(encode_batch(std::span(&records[1], 1), 7, records::compression::none, one));
    EXPECT_LE(one.size(), batch_overhead + records[1].size);
}

TEST(PartitionQueue, TracksBytesAndRecords)
{
    partition_queue q;
    auto now = clock_type::now();
    EXPECT_TRUE(q.empty());
    q.push(make_record("aaaa", now, 0));
    q.push(make_record("bbbbbbbb", now, 1));
    EXPECT_EQ(q.size(), 2u);
    std::size_t expected = make_record("aaaa", now, 0).size + make_record("bbbbbbbb", now, 1).size;
    EXPECT_EQ(q.bytes(), expected);
    auto all = q.take_all();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(*all[0].value, "aaaa");
    EXPECT_EQ(*all[1].value, "bbbbbbbb");
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.bytes(), 0u);
}

TEST(PartitionQueue, ReadyAfterLingerOrWhenABatchIsFull)
{
    partition_queue q;
    auto t0 = clock_type::now();
    EXPECT_FALSE(q.ready(t0 + 1h, 0ms, 1000));
    q.push(make_record("small", t0, 0));
    EXPECT_FALSE(q.ready(t0, 10ms, 1000));
    EXPECT_FALSE(q.ready(t0 + 9ms, 10ms, 1000));
    EXPECT_TRUE(q.ready(t0 + 10ms, 10ms, 1000));
    EXPECT_EQ(q.linger_expiry(10ms), t0 + 10ms);
    EXPECT_TRUE(q.ready(t0, 0ms, 1000)); // no linger: ready at once

    // Full before the linger ends: header plus records reach batch_size.
    std::size_t full = batch_overhead + q.bytes();
    EXPECT_TRUE(q.ready(t0, 1h, full));
    EXPECT_FALSE(q.ready(t0, 1h, full + 1));
    // The linger counts from the oldest record, not the newest.
    q.push(make_record("later", t0 + 50ms, 1));
    EXPECT_TRUE(q.ready(t0 + 10ms, 10ms, 1 << 20));
}

TEST(PartitionQueue, TakeBatchRespectsBatchSize)
{
    partition_queue q;
    auto now = clock_type::now();
    for (std::uint64_t i = 0; i < 10; ++i) q.push(make_record(std::string(100, 'v'), now, i));
    const std::size_t each = q.bytes() / 10;
    // Room for exactly three records after the header.
    auto first = q.take_batch(batch_overhead + 3 * each);
    ASSERT_EQ(first.size(), 3u);
    EXPECT_EQ(first[0].sequence, 0u);
    EXPECT_EQ(first[2].sequence, 2u);
    EXPECT_EQ(q.size(), 7u);
    EXPECT_EQ(q.bytes(), 7 * each);
    // One byte short of three: two.
    auto second = q.take_batch(batch_overhead + 3 * each - 1);
    ASSERT_EQ(second.size(), 2u);
    EXPECT_EQ(second[0].sequence, 3u);
    // A batch size below one record still takes one, so an oversized record is not stuck.
    auto third = q.take_batch(1);
    ASSERT_EQ(third.size(), 1u);
    EXPECT_EQ(third[0].sequence, 5u);
    auto rest = q.take_batch(1 << 20);
    EXPECT_EQ(rest.size(), 4u);
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.bytes(), 0u);
    EXPECT_TRUE(q.take_batch(1 << 20).empty());
}

TEST(PartitionQueue, TakeEnqueuedByTakesOnlyTheOldest)
{
    partition_queue q;
    auto t0 = clock_type::now();
    for (std::uint64_t i = 0; i < 5; ++i) q.push(make_record("v", t0 + std::chrono::milliseconds(10 * i), i));
    std::size_t before = q.bytes();
    auto expired = q.take_enqueued_by(t0 + 20ms);
    ASSERT_EQ(expired.size(), 3u);
    EXPECT_EQ(expired.back().sequence, 2u);
    EXPECT_EQ(q.size(), 2u);
    EXPECT_EQ(q.bytes(), before - 3 * expired[0].size);
    EXPECT_TRUE(q.take_enqueued_by(t0 + 29ms).empty());
    EXPECT_EQ(q.front().sequence, 3u);
}

std::vector<queued_record> sample_records(bool with_headers)
{
    std::vector<queued_record> out;
    auto now = clock_type::now();
    for (std::uint64_t i = 0; i < 4; ++i) {
        auto r = make_record("value " + std::string(30, static_cast<char>('a' + i)), now, i);
        if (i == 1) r.key.reset();
        if (i == 2) r.value.reset();
        if (with_headers) r.headers = {{"h", "x" + std::to_string(i)}, {"null", std::nullopt}};
        out.push_back(std::move(r));
    }
    return out;
}

void expect_decodes_to(const wire::byte_buffer& blob, const std::vector<queued_record>& records, bool timestamps,
                       bool headers)
{
    records::record_set set;
    auto error = records::read_records(blob, 0, {}, {}, set);
    ASSERT_FALSE(error) << error->message();
    ASSERT_EQ(set.records.size(), records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        const auto& got = set.records[i];
        const auto& want = records[i];
        EXPECT_EQ(got.offset, static_cast<std::int64_t>(i));
        ASSERT_EQ(got.key.has_value(), want.key.has_value());
        if (want.key) {
            EXPECT_EQ(wire::as_text(*got.key), *want.key);
        }
        ASSERT_EQ(got.value.has_value(), want.value.has_value());
        if (want.value) {
            EXPECT_EQ(wire::as_text(*got.value), *want.value);
        }
        if (timestamps) {
            EXPECT_EQ(got.timestamp, want.timestamp);
        }
        auto got_headers = set.headers_of(got);
        ASSERT_EQ(got_headers.size(), headers ? want.headers.size() : 0u);
        for (std::size_t h = 0; h < got_headers.size(); ++h) {
            EXPECT_EQ(got_headers[h].key, want.headers[h].key);
            ASSERT_EQ(got_headers[h].value.has_value(), want.headers[h].value.has_value());
            if (want.headers[h].value) {
                EXPECT_EQ(wire::as_text(*got_headers[h].value), *want.headers[h].value);
            }
        }
    }
}

struct format_case {
    std::int16_t produce_version;
    int magic;
};

class EncodeBatch : public ::testing::TestWithParam<format_case> {};

TEST_P(EncodeBatch, WritesTheFormatOfTheProduceVersion)
{
    const auto [version, magic] = GetParam();
    auto records = sample_records(magic == 2);
    for (auto codec : {records::compression::none, records::compression::gzip, records::compression::snappy,
                       records::compression::lz4}) {
        SCOPED_TRACE(std::string(records::to_string(codec)));
        wire::byte_buffer out{0xAA}; // appends after what is there
        ASSERT_FALSE(encode_batch(records, version, codec, out));
        ASSERT_GT(out.size(), 17u);
        EXPECT_EQ(out[0], 0xAA);
        wire::byte_buffer blob(out.begin() + 1, out.end());
        EXPECT_EQ(blob[16], magic); // byte 16 is the magic in every format
        expect_decodes_to(blob, records, magic >= 1, magic == 2);
    }
}

INSTANTIATE_TEST_SUITE_P(Versions, EncodeBatch,
                         ::testing::Values(format_case{0, 0}, format_case{1, 0}, format_case{2, 1},
                                           format_case{3, 2}, format_case{7, 2}, format_case{8, 2}));

TEST(EncodeBatchErrors, ZstdNeedsProduceV7)
{
    auto records = sample_records(false);
    wire::byte_buffer out;
    EXPECT_EQ(encode_batch(records, 6, records::compression::zstd, out), producer_errc::zstd_needs_produce_v7);
    EXPECT_EQ(encode_batch(records, 2, records::compression::zstd, out), producer_errc::zstd_needs_produce_v7);
    EXPECT_TRUE(out.empty());
    ASSERT_FALSE(encode_batch(records, 7, records::compression::zstd, out));
    EXPECT_EQ(out[16], 2);
    EXPECT_EQ(out[22] & 0x7, 4); // the codec bits in the batch attributes
    expect_decodes_to(out, records, true, false);
}

TEST(EncodeBatchErrors, HeadersNeedProduceV3)
{
    auto records = sample_records(true);
    wire::byte_buffer out{1, 2, 3};
    auto ec = encode_batch(records, 2, records::compression::none, out);
    EXPECT_EQ(ec, producer_errc::headers_need_produce_v3);
    EXPECT_NE(ec.message().find("Produce v3"), std::string::npos);
    EXPECT_EQ(out, (wire::byte_buffer{1, 2, 3}));
}

} // namespace
} // namespace kspout::io
