// Producer batches: size estimates, what fits, linger, and encoding per Produce version.
#include "protocol/io/produce_batch.hpp"
#include "protocol/io/producer_error.hpp"
#include "protocol/records/records.hpp"
#include "protocol/wire/reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kspout::io {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

struct sample {
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<record_header> headers;
    std::int64_t timestamp = -1;

    std::size_t size() const { return estimated_size(key, value, headers); }
};

sample make_record(std::string value, std::uint64_t sequence)
{
    return {"k" + std::to_string(sequence), std::move(value), {}, 1700000000000 + static_cast<std::int64_t>(sequence)};
}

void append(batch_records& batch, const sample& r, std::uint64_t sequence = 0)
{
    batch.append(r.key, r.value, r.headers, r.timestamp, {{}, sequence}, r.size());
}

batch_records batch_of(const std::vector<sample>& records)
{
    batch_records batch(clock_type::now());
    for (std::size_t i = 0; i < records.size(); ++i) append(batch, records[i], i);
    return batch;
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
    std::vector<sample> records;
    for (int i = 0; i < 50; ++i) {
        auto r = make_record(std::string(static_cast<std::size_t>(i * 37 % 300), 'x'), static_cast<std::uint64_t>(i));
        if (i % 3 == 0) r.key.reset();
        if (i % 7 == 0) r.value.reset();
        records.push_back(std::move(r));
    }
    std::size_t estimate = batch_overhead;
    for (const auto& r : records) estimate += r.size();
    auto batch = batch_of(records);
    EXPECT_EQ(batch.bytes() + batch_overhead, estimate);
    for (std::int16_t version : std::initializer_list<std::int16_t>{0, 2, 3, 7}) {
        wire::byte_buffer out;
        ASSERT_FALSE(batch.encode(version, records::compression::none, out));
        EXPECT_LE(out.size(), estimate) << "Produce v" << version;
    }
    // Headers too, in the one format that carries them.
    records[1].headers = {{"h", std::string(40, 'y')}, {"n", std::nullopt}};
    auto one = batch_of({records[1]});
    wire::byte_buffer out;
    ASSERT_FALSE(one.encode(7, records::compression::none, out));
    EXPECT_LE(out.size(), batch_overhead + records[1].size());
}

TEST(BatchRecords, CountsRecordsBytesAndReceipts)
{
    batch_records batch(clock_type::now());
    EXPECT_TRUE(batch.empty());
    append(batch, make_record("aaaa", 0), 7);
    append(batch, make_record("bbbbbbbb", 1), 8);
    EXPECT_EQ(batch.count(), 2u);
    EXPECT_EQ(batch.bytes(), make_record("aaaa", 0).size() + make_record("bbbbbbbb", 1).size());
    ASSERT_EQ(batch.receipts().size(), 2u);
    EXPECT_EQ(batch.receipts()[0].sequence, 7u);
    EXPECT_EQ(batch.receipts()[1].sequence, 8u);
}

TEST(BatchRecords, ReadyAfterLingerOrWhenFull)
{
    auto t0 = clock_type::now();
    batch_records batch(t0);
    EXPECT_FALSE(batch.ready(t0 + 1h, 0ms, 1000)) << "an empty batch is never ready";
    append(batch, make_record("small", 0));
    EXPECT_FALSE(batch.ready(t0, 10ms, 1000));
    EXPECT_FALSE(batch.ready(t0 + 9ms, 10ms, 1000));
    EXPECT_TRUE(batch.ready(t0 + 10ms, 10ms, 1000));
    EXPECT_EQ(batch.linger_expiry(10ms), t0 + 10ms);
    EXPECT_TRUE(batch.ready(t0, 0ms, 1000)); // no linger: ready at once

    // Full before the linger ends: header plus records reach batch_size.
    std::size_t full = batch_overhead + batch.bytes();
    EXPECT_TRUE(batch.ready(t0, 1h, full));
    EXPECT_FALSE(batch.ready(t0, 1h, full + 1));
}

TEST(BatchRecords, FitsWhatStaysWithinTheBatchSize)
{
    const std::size_t each = make_record(std::string(100, 'v'), 0).size();
    const std::size_t three = batch_overhead + 3 * each;
    batch_records batch(clock_type::now());
    EXPECT_TRUE(batch.fits(10 * three, 1)) << "an empty batch takes a record larger than a batch";
    for (std::uint64_t i = 0; i < 2; ++i) append(batch, make_record(std::string(100, 'v'), i));
    EXPECT_TRUE(batch.fits(each, three));
    EXPECT_FALSE(batch.fits(each, three - 1));
    append(batch, make_record(std::string(100, 'v'), 2));
    EXPECT_FALSE(batch.fits(1, three));
}

std::vector<sample> sample_records(bool with_headers)
{
    std::vector<sample> out;
    for (std::uint64_t i = 0; i < 4; ++i) {
        auto r = make_record("value " + std::string(30, static_cast<char>('a' + i)), i);
        if (i == 1) r.key.reset();
        if (i == 2) r.value.reset();
        if (with_headers) r.headers = {{"h", "x" + std::to_string(i)}, {"null", std::nullopt}};
        out.push_back(std::move(r));
    }
    return out;
}

void expect_decodes_to(const wire::byte_buffer& blob, const std::vector<sample>& records, bool timestamps,
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
    auto batch = batch_of(records);
    for (auto codec : {records::compression::none, records::compression::gzip, records::compression::snappy,
                       records::compression::lz4}) {
        SCOPED_TRACE(std::string(records::to_string(codec)));
        wire::byte_buffer out{0xAA}; // appends after what is there
        ASSERT_FALSE(batch.encode(version, codec, out));
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

// A v2 batch carries the idempotent producer's stamp; the same records encode again with another.
TEST(EncodeBatch, CarriesTheProducerIdentity)
{
    auto batch = batch_of(sample_records(false));
    wire::byte_buffer first, second;
    ASSERT_FALSE(batch.encode(8, records::compression::none, first, {42, 3, 100}));
    ASSERT_FALSE(batch.encode(8, records::compression::none, second, {42, 4, 0}));
    wire::reader r(first);
    r.skip(43);
    EXPECT_EQ(r.int64(), 42);  // producer id
    EXPECT_EQ(r.int16(), 3);   // epoch
    EXPECT_EQ(r.int32(), 100); // base sequence
    EXPECT_NE(first, second);
    expect_decodes_to(second, sample_records(false), true, false);
}

// A finished batch's buffers serve the next one: its capacity stays, none of its records do.
TEST(BatchRecords, ReusedStorageKeepsItsRoomButNotItsRecords)
{
    auto first = batch_of(sample_records(true));
    wire::byte_buffer first_bytes;
    ASSERT_FALSE(first.encode(8, records::compression::none, first_bytes));
    const std::size_t used = first.encoded_bytes();
    ASSERT_GT(used, 0u);

    batch_storage storage = first.take_storage();
    EXPECT_TRUE(first.empty());
    EXPECT_EQ(first.bytes(), 0u);
    EXPECT_GE(storage.bytes.capacity(), used);
    EXPECT_GE(storage.receipts.capacity(), sample_records(true).size());

    std::vector<sample> others = {make_record("other", 7), make_record("records", 8)};
    batch_records second(clock_type::now(), std::move(storage));
    for (std::size_t i = 0; i < others.size(); ++i) append(second, others[i], i);
    EXPECT_EQ(second.count(), others.size());
    wire::byte_buffer reused_bytes, fresh_bytes;
    ASSERT_FALSE(second.encode(8, records::compression::none, reused_bytes));
    ASSERT_FALSE(batch_of(others).encode(8, records::compression::none, fresh_bytes));
    EXPECT_EQ(reused_bytes, fresh_bytes);
    expect_decodes_to(reused_bytes, others, true, true);
}

TEST(BatchStorage, ReserveMakesRoomForABatchLikeTheLast)
{
    batch_storage storage;
    storage.reserve(4096, 30);
    EXPECT_GE(storage.bytes.capacity(), 4096u);
    EXPECT_GE(storage.receipts.capacity(), 30u);
    EXPECT_GE(storage.capacity(), 4096u + 30 * sizeof(record_receipt));
}

TEST(EncodeBatchErrors, ZstdNeedsProduceV7)
{
    auto records = sample_records(false);
    auto batch = batch_of(records);
    wire::byte_buffer out;
    EXPECT_EQ(batch.encode(6, records::compression::zstd, out), producer_errc::zstd_needs_produce_v7);
    EXPECT_EQ(batch.encode(2, records::compression::zstd, out), producer_errc::zstd_needs_produce_v7);
    EXPECT_TRUE(out.empty());
    ASSERT_FALSE(batch.encode(7, records::compression::zstd, out));
    EXPECT_EQ(out[16], 2);
    EXPECT_EQ(out[22] & 0x7, 4); // the codec bits in the batch attributes
    expect_decodes_to(out, records, true, false);
}

TEST(EncodeBatchErrors, HeadersNeedProduceV3)
{
    auto batch = batch_of(sample_records(true));
    wire::byte_buffer out{1, 2, 3};
    auto ec = batch.encode(2, records::compression::none, out);
    EXPECT_EQ(ec, producer_errc::headers_need_produce_v3);
    EXPECT_NE(ec.message().find("Produce v3"), std::string::npos);
    EXPECT_EQ(out, (wire::byte_buffer{1, 2, 3}));
}

} // namespace
} // namespace kspout::io
