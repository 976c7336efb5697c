// write_records -> read_records for every magic and codec, offsets, timestamps, nulls, headers.
#include "protocol/records/records.hpp"
#include "protocol/records/records_writer.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace kspout::records {
namespace {

using wire::byte_buffer;
using wire::bytes_view;

struct sample {
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::int64_t timestamp;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

std::optional<bytes_view> view_of(const std::optional<std::string>& s)
{
    if (!s) return std::nullopt;
    return wire::as_bytes(*s);
}

std::optional<std::string> text_of(const std::optional<bytes_view>& b)
{
    if (!b) return std::nullopt;
    return std::string(wire::as_text(*b));
}

std::vector<sample> samples(bool with_headers)
{
    std::string big(70000, 'x'); // more than one lz4 block and two xerial blocks
    for (std::size_t i = 0; i < big.size(); i += 13) big[i] = static_cast<char>('a' + i % 26);
    std::vector<sample> s = {
        {"k0", "v0", 1700000000000, {}},
        {std::nullopt, "value with null key", 1700000000005, {}},
        {"key with null value", std::nullopt, 1699999999000, {}},
        {std::nullopt, std::nullopt, 1700000000001, {}},
        {"", "", 1700000000002, {}},
        {"big", big, 1700000000003, {}},
        {"k6", "v6", -1, {}},
    };
    if (with_headers) {
        s[0].headers = {{"h", "x0"}};
        s[1].headers = {{"trace", "abc"}, {"null-value", std::nullopt}, {"", ""}};
        s[5].headers = {{"size", "70000"}};
    }
    return s;
}

std::vector<record_to_write> to_write(const std::vector<sample>& in)
{
    std::vector<record_to_write> out;
    for (const auto& s : in) {
        record_to_write r;
        r.key = view_of(s.key);
        r.value = view_of(s.value);
        r.timestamp = s.timestamp;
        for (const auto& [k, v] : s.headers) r.headers.emplace_back(k, view_of(v));
        out.push_back(std::move(r));
    }
    return out;
}

// got.records[from...] against want[want_from...]; exact: nothing may follow.
void expect_records(const record_set& got, std::size_t from, const std::vector<sample>& want,
                    std::size_t want_from, std::int64_t first_offset, int magic, bool exact = true)
{
    std::size_t count = want.size() - want_from;
    if (exact) {
        ASSERT_EQ(got.records.size(), from + count);
    } else {
        ASSERT_GE(got.records.size(), from + count);
    }
    for (std::size_t i = want_from; i < want.size(); ++i) {
        const record& r = got.records[from + i - want_from];
        const sample& s = want[i];
        SCOPED_TRACE("record " + std::to_string(i));
        EXPECT_EQ(r.offset, first_offset + static_cast<std::int64_t>(i));
        EXPECT_EQ(r.timestamp, magic == 0 ? -1 : s.timestamp);
        EXPECT_EQ(r.ts_type, timestamp_type::create_time);
        EXPECT_EQ(text_of(r.key), s.key);
        EXPECT_EQ(text_of(r.value), s.value);
        auto headers = got.headers_of(r);
        ASSERT_EQ(headers.size(), s.headers.size());
        for (std::size_t h = 0; h < headers.size(); ++h) {
            EXPECT_EQ(headers[h].key, s.headers[h].first);
            EXPECT_EQ(text_of(headers[h].value), s.headers[h].second);
        }
    }
}

class RecordsRoundTrip : public testing::TestWithParam<std::tuple<int, compression>> {
protected:
    int magic() const { return std::get<0>(GetParam()); }
    compression codec() const { return std::get<1>(GetParam()); }
    write_options options(std::int64_t base) const
    {
        write_options o;
        o.magic = static_cast<std::int8_t>(magic());
        o.codec = codec();
        o.base_offset = base;
        return o;
    }
};

TEST_P(RecordsRoundTrip, ReadsBackWhatWasWritten)
{
    auto want = samples(magic() == 2);
    auto input = to_write(want);
    byte_buffer out;
    auto ec = write_records(input, options(100), out);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(out, write_records(input, options(100)));
    EXPECT_EQ(out[16], magic());

    record_set set;
    auto error = read_records(out, 100, {}, {}, set, "t", 0);
    ASSERT_FALSE(error) << error->message();
    expect_records(set, 0, want, 0, 100, magic());
    EXPECT_EQ(set.next_offset, 100 + static_cast<std::int64_t>(want.size()));
    EXPECT_FALSE(set.partial_tail);
    EXPECT_EQ(set.complete_bytes, out.size());
    EXPECT_EQ(set.decompressed.size(), codec() == compression::none ? 0u : 1u);
}

TEST_P(RecordsRoundTrip, SkipsRecordsBelowFetchOffset)
{
    auto want = samples(magic() == 2);
    byte_buffer out = write_records(to_write(want), options(100));
    for (std::size_t skip : {std::size_t{1}, std::size_t{4}, want.size() - 1}) {
        record_set set;
        auto error = read_records(out, 100 + static_cast<std::int64_t>(skip), {}, {}, set);
        ASSERT_FALSE(error) << error->message();
        expect_records(set, 0, want, skip, 100, magic());
        EXPECT_EQ(set.next_offset, 100 + static_cast<std::int64_t>(want.size()));
    }
    // Fetching past the whole entry yields nothing, and next_offset never moves backwards.
    record_set set;
    ASSERT_FALSE(read_records(out, 500, {}, {}, set));
    EXPECT_TRUE(set.records.empty());
    EXPECT_EQ(set.next_offset, 500);
}

std::string param_name(const testing::TestParamInfo<std::tuple<int, compression>>& p)
{
    return "magic" + std::to_string(std::get<0>(p.param)) + "_" + std::string(to_string(std::get<1>(p.param)));
}

INSTANTIATE_TEST_SUITE_P(Legacy, RecordsRoundTrip,
                         testing::Combine(testing::Values(0, 1),
                                          testing::Values(compression::none, compression::gzip,
                                                          compression::snappy, compression::lz4)),
                         param_name);
INSTANTIATE_TEST_SUITE_P(V2, RecordsRoundTrip,
                         testing::Combine(testing::Values(2),
                                          testing::Values(compression::none, compression::gzip,
                                                          compression::snappy, compression::lz4,
                                                          compression::zstd)),
                         param_name);

TEST(RecordsWriter, RejectsWhatTheFormatCannotCarry)
{
    auto input = to_write(samples(true));
    write_options o;
    o.magic = 1;
    byte_buffer out;
    EXPECT_EQ(write_records(input, o, out), wire::errc::bad_value);
    EXPECT_TRUE(out.empty());
    o.magic = 3;
    EXPECT_EQ(write_records(input, o, out), wire::errc::bad_magic);
    auto no_headers = to_write(samples(false));
    o.magic = 0;
    o.codec = compression::zstd; // zstd needs magic 2
    EXPECT_EQ(write_records(no_headers, o, out), wire::errc::unsupported_compression);
    EXPECT_TRUE(write_records(no_headers, o).empty());
    o.codec = compression::none;
    o.magic = 2;
    EXPECT_FALSE(write_records({}, o, out));
    EXPECT_TRUE(out.empty());
}

TEST(RecordsWriter, BatchHeaderFields)
{
    auto want = samples(true);
    write_options o;
    o.base_offset = 7;
    o.producer_id = 4242;
    o.producer_epoch = 3;
    o.base_sequence = 11;
    o.transactional = true;
    o.codec = compression::gzip;
    byte_buffer out = write_records(to_write(want), o);
    auto be = [&](std::size_t at, int n) {
        std::uint64_t v = 0;
        for (int i = 0; i < n; ++i) v = (v << 8) | out[at + static_cast<std::size_t>(i)];
        return v;
    };
    EXPECT_EQ(be(0, 8), 7u);
    EXPECT_EQ(be(8, 4), out.size() - 12);
    EXPECT_EQ(be(12, 4), 0xffffffffu); // partition leader epoch -1, like Java
    EXPECT_EQ(be(21, 2), 0x11u);       // gzip | transactional
    EXPECT_EQ(be(23, 4), want.size() - 1);
    EXPECT_EQ(be(27, 8), 1700000000000u);
    EXPECT_EQ(be(35, 8), 1700000000005u);
    EXPECT_EQ(be(43, 8), 4242u);
    EXPECT_EQ(be(51, 2), 3u);
    EXPECT_EQ(be(53, 4), 11u);
    EXPECT_EQ(be(57, 4), want.size());
}

TEST(RecordsWriter, ExtremeTimestampsRoundTrip)
{
    std::vector<sample> want = {{"a", "1", 0, {}},
                                {"b", "2", std::numeric_limits<std::int64_t>::max(), {}},
                                {"c", "3", std::numeric_limits<std::int64_t>::min(), {}},
                                {"d", "4", -1, {}}};
    byte_buffer out = write_records(to_write(want), {});
    record_set set;
    ASSERT_FALSE(read_records(out, 0, {}, {}, set));
    expect_records(set, 0, want, 0, 0, 2);
}

TEST(RecordsWriter, V1WrapperUsesRelativeInnerOffsets)
{
    auto want = samples(false);
    write_options o;
    o.magic = 1;
    o.codec = compression::snappy;
    o.base_offset = 1000;
    byte_buffer out = write_records(to_write(want), o);
    // Wrapper offset is the last inner offset.
    std::int64_t wrapper_offset = 0;
    for (int i = 0; i < 8; ++i) wrapper_offset = (wrapper_offset << 8) | out[static_cast<std::size_t>(i)];
    EXPECT_EQ(wrapper_offset, 1000 + static_cast<std::int64_t>(want.size()) - 1);
    EXPECT_EQ(out[17] & 0x07, 2);

    record_set set;
    ASSERT_FALSE(read_records(out, 0, {}, {}, set));
    expect_records(set, 0, want, 0, 1000, 1);
    EXPECT_EQ(set.next_offset, 1000 + static_cast<std::int64_t>(want.size()));
}

TEST(RecordsReader, AppendsAcrossCallsAndClearKeepsBuffers)
{
    auto want = samples(true);
    write_options o;
    o.codec = compression::lz4;
    byte_buffer first = write_records(to_write(want), o);
    o.base_offset = 50;
    byte_buffer second = write_records(to_write(want), o);

    record_set set;
    ASSERT_FALSE(read_records(first, 0, {}, {}, set));
    ASSERT_FALSE(read_records(second, 50, {}, {}, set));
    expect_records(set, 0, want, 0, 0, 2, false);
    expect_records(set, want.size(), want, 0, 50, 2);
    EXPECT_EQ(set.next_offset, 50 + static_cast<std::int64_t>(want.size()));
    ASSERT_EQ(set.decompressed.size(), 2u);

    const std::uint8_t* reused = set.decompressed[0].data();
    set.clear();
    EXPECT_TRUE(set.records.empty());
    EXPECT_TRUE(set.headers.empty());
    EXPECT_EQ(set.next_offset, -1);
    ASSERT_EQ(set.decompressed.size(), 2u);
    EXPECT_TRUE(set.decompressed[0].empty());
    ASSERT_FALSE(read_records(second, 50, {}, {}, set));
    expect_records(set, 0, want, 0, 50, 2);
    EXPECT_EQ(set.decompressed[0].data(), reused); // capacity reused, no new buffer
    EXPECT_EQ(set.decompressed.size(), 2u);
}

TEST(RecordsReader, LogAppendTime)
{
    auto want = samples(false);
    write_options o;
    byte_buffer batch = write_records(to_write(want), o);
    // Bit 3 of the v2 attributes: every record takes MaxTimestamp (CRC off: we patched the bytes).
    batch[22] |= 0x08;
    read_options no_crc;
    no_crc.check_crcs = false;
    record_set set;
    ASSERT_FALSE(read_records(batch, 0, no_crc, {}, set));
    ASSERT_EQ(set.records.size(), want.size());
    for (const auto& r : set.records) {
        EXPECT_EQ(r.timestamp, 1700000000005);
        EXPECT_EQ(r.ts_type, timestamp_type::log_append_time);
    }

    // v1 wrapper with bit 3: inner records take the wrapper's timestamp.
    o.magic = 1;
    o.codec = compression::gzip;
    byte_buffer wrapper = write_records(to_write(want), o);
    wrapper[17] |= 0x08;
    set.clear();
    ASSERT_FALSE(read_records(wrapper, 0, no_crc, {}, set));
    ASSERT_EQ(set.records.size(), want.size());
    for (const auto& r : set.records) {
        EXPECT_EQ(r.timestamp, 1700000000005);
        EXPECT_EQ(r.ts_type, timestamp_type::log_append_time);
    }
}

TEST(RecordsReader, EmptyBlob)
{
    record_set set;
    ASSERT_FALSE(read_records({}, 17, {}, {}, set));
    EXPECT_TRUE(set.records.empty());
    EXPECT_EQ(set.next_offset, 17);
    EXPECT_FALSE(set.partial_tail);
    EXPECT_EQ(set.complete_bytes, 0u);
}

} // namespace
} // namespace kspout::records
