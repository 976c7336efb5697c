// kcat (librdkafka) produces with each codec into the mock; our reader must decode the fetched bytes exactly.
#include "protocol/records/records.hpp"
#include "protocol/wire/reader.hpp"
#include "tests/integration/mock_cluster.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/temp_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace kspout::testing {
namespace {

using header_list = std::vector<std::pair<std::string, std::optional<std::string>>>;

struct message {
    std::optional<std::string> key;
    std::optional<std::string> value;
    header_list headers;
};

// One kcat invocation: kcat applies the same headers to every message it sends.
struct produce_run {
    header_list headers;
    std::vector<message> messages;
};

struct codec_case {
    const char* name; // as kcat's -z takes it
    int bits;         // the codec id in the batch attributes
};

void PrintTo(const codec_case& codec, std::ostream* out)
{
    *out << codec.name;
}

// Varied per record, but from a small vocabulary so every codec finds something to squeeze.
std::string make_value(int i)
{
    static const char* const words[] = {"kafka", "spout", "storm", "tuple", "offset", "partition",
                                        "broker", "batch"};
    std::string value = "record-" + std::to_string(i);
    for (int j = 0; j < 6 + (i * 5) % 11; ++j)
        value += std::string(" ") + words[(i * 3 + j * j) % 8];
    return value;
}

std::vector<produce_run> make_runs(const std::string& codec)
{
    std::vector<produce_run> runs(2);
    runs[0].headers = {{"trace", codec + "-run-1"}, {"source", "kcat"}};
    for (int i = 0; i < 40; ++i)
        runs[0].messages.push_back({"user-" + std::to_string(i % 7), make_value(i), {}});

    runs[1].headers = {{"empty", ""}, {"nothing", std::nullopt}, {"dup", "first"}, {"dup", "second"}};
    runs[1].messages.push_back({"k-a", make_value(100), {}});
    runs[1].messages.push_back({std::nullopt, "no key here, just a value", {}});
    runs[1].messages.push_back({"tombstone", std::nullopt, {}});
    runs[1].messages.push_back({"utf8", "v\xC3\xA4rde \xE2\x9C\x93 with colons: a:b", {}});
    for (int i = 0; i < 10; ++i)
        runs[1].messages.push_back({"late-" + std::to_string(i), make_value(200 + i), {}});

    for (produce_run& run : runs) {
        for (message& m : run.messages)
            m.headers = run.headers;
    }
    return runs;
}

// kcat -K: -Z input: the first ':' ends the key, no ':' means a null key, nothing after it a null value.
std::string kcat_line(const message& m)
{
    return (m.key ? *m.key + ":" : "") + m.value.value_or("") + "\n";
}

std::int64_t now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string text(std::optional<wire::bytes_view> bytes)
{
    return std::string(wire::as_text(*bytes));
}

wire::byte_buffer read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Fetches the partition from `offset` with kafka-python into a file; returns its bytes.
wire::byte_buffer fetch_raw(const mock_cluster& cluster, const std::string& topic,
                            std::int64_t offset, const temp_dir& dir)
{
    std::filesystem::path out = dir / ("fetch-" + std::to_string(offset) + ".bin");
    process_result fetch = run_process({KSPOUT_PYTHON, KSPOUT_SOURCE_DIR "/tests/integration/fetch_raw.py",
                                        cluster.bootstrap(), topic, "0", std::to_string(offset),
                                        out.string()});
    EXPECT_TRUE(fetch.ok()) << fetch.describe();
    return read_file(out);
}

struct batch_summary {
    std::int64_t base_offset;
    int magic;
    int codec_bits;
};

// Walks the entries of a records blob by their size fields (independently of our reader).
std::vector<batch_summary> batches_of(wire::bytes_view blob)
{
    std::vector<batch_summary> batches;
    wire::reader in(blob);
    while (in.remaining() >= 61) {
        std::int64_t base = in.int64();
        std::int32_t length = in.int32();
        wire::reader batch = in.sub_reader(static_cast<std::size_t>(length));
        if (!in.ok())
            break;
        batch.skip(4); // partition leader epoch
        int magic = batch.int8();
        batch.skip(4); // crc
        std::int16_t attributes = batch.int16();
        batches.push_back({base, magic, attributes & 0x7});
    }
    EXPECT_TRUE(in.at_end()) << "stray bytes after " << batches.size() << " batches";
    return batches;
}

class KcatRecords : public ::testing::TestWithParam<codec_case> {};

TEST_P(KcatRecords, OurReaderDecodesWhatKcatProduced)
{
    const codec_case codec = GetParam();
    const std::string topic = std::string("records-") + codec.name;
    mock_cluster cluster(3);
    cluster.create_topic(topic, 2);
    temp_dir dir;

    std::vector<produce_run> runs = make_runs(codec.name);
    std::vector<message> expected;
    std::int64_t before = now_ms();
    for (const produce_run& run : runs) {
        std::vector<std::string> args = {"kcat", "-b", cluster.bootstrap(), "-P", "-t", topic, "-p", "0",
                                         "-z", codec.name, "-K:", "-Z",
                                         // One batch per run, so each is big enough to compress.
                                         "-X", "linger.ms=500", "-X", "batch.num.messages=100000"};
        for (const auto& [key, value] : run.headers) {
            args.push_back("-H");
            args.push_back(value ? key + "=" + *value : key);
        }
        std::string input;
        for (const message& m : run.messages) {
            input += kcat_line(m);
            expected.push_back(m);
        }
        process_result produce = run_process(args, input);
        ASSERT_TRUE(produce.ok()) << produce.describe();
    }
    std::int64_t after = now_ms() + 1;
    const auto total = static_cast<std::int64_t>(expected.size());

    wire::byte_buffer blob = fetch_raw(cluster, topic, 0, dir);
    ASSERT_FALSE(blob.empty());

    // Every batch is v2 with the codec asked for, so the test really went through the
    // decompressor. librdkafka sends a batch plain when compressing would not shrink it, which
    // a small batch can hit: a plain batch is accepted, but most batches must carry the codec.
    std::vector<batch_summary> batches = batches_of(blob);
    ASSERT_GE(batches.size(), runs.size());
    std::size_t with_codec = 0;
    for (const batch_summary& batch : batches) {
        EXPECT_EQ(batch.magic, 2) << "batch at " << batch.base_offset;
        EXPECT_TRUE(batch.codec_bits == codec.bits || batch.codec_bits == 0) << "batch at " << batch.base_offset;
        with_codec += batch.codec_bits == codec.bits ? 1 : 0;
    }
    EXPECT_GE(with_codec * 2, batches.size()) << "most batches should be compressed with " << codec.name;

    records::record_set set;
    std::optional<wire::decode_error> error = records::read_records(blob, 0, {}, {}, set, topic, 0);
    ASSERT_FALSE(error) << error->message();
    EXPECT_FALSE(set.partial_tail);
    EXPECT_EQ(set.complete_bytes, blob.size());
    EXPECT_EQ(set.next_offset, total);
    ASSERT_EQ(set.records.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const records::record& got = set.records[i];
        const message& want = expected[i];
        SCOPED_TRACE("record " + std::to_string(i));
        EXPECT_EQ(got.offset, static_cast<std::int64_t>(i));
        EXPECT_EQ(got.ts_type, records::timestamp_type::create_time);
        EXPECT_GE(got.timestamp, before);
        EXPECT_LE(got.timestamp, after);
        ASSERT_EQ(got.key.has_value(), want.key.has_value());
        if (want.key) {
            EXPECT_EQ(text(got.key), *want.key);
        }
        ASSERT_EQ(got.value.has_value(), want.value.has_value());
        if (want.value) {
            EXPECT_EQ(text(got.value), *want.value);
        }
        std::span<const records::header> headers = set.headers_of(got);
        ASSERT_EQ(headers.size(), want.headers.size());
        for (std::size_t h = 0; h < headers.size(); ++h) {
            EXPECT_EQ(headers[h].key, want.headers[h].first);
            ASSERT_EQ(headers[h].value.has_value(), want.headers[h].second.has_value()) << headers[h].key;
            if (want.headers[h].second) {
                EXPECT_EQ(text(headers[h].value), *want.headers[h].second);
            }
        }
    }

    // A fetch from the middle of a batch: the broker returns the whole batch, we drop what is below.
    const std::int64_t middle = static_cast<std::int64_t>(runs[0].messages.size()) + 3;
    wire::byte_buffer tail = fetch_raw(cluster, topic, middle, dir);
    records::record_set from_middle;
    error = records::read_records(tail, middle, {}, {}, from_middle, topic, 0);
    ASSERT_FALSE(error) << error->message();
    ASSERT_EQ(from_middle.records.size(), static_cast<std::size_t>(total - middle));
    EXPECT_EQ(from_middle.records.front().offset, middle);
    EXPECT_EQ(text(from_middle.records.front().key), *expected[static_cast<std::size_t>(middle)].key);
    EXPECT_EQ(from_middle.next_offset, total);
}

TEST_P(KcatRecords, KcatReadsBackWhatItProduced)
{
    const codec_case codec = GetParam();
    const std::string topic = std::string("readback-") + codec.name;
    mock_cluster cluster(2);
    cluster.create_topic(topic, 1);

    std::string expected_out;
    std::int64_t offset = 0;
    for (const produce_run& run : make_runs(codec.name)) {
        std::vector<std::string> args = {"kcat", "-b", cluster.bootstrap(), "-P", "-t", topic, "-p", "0",
                                         "-z", codec.name, "-K:", "-Z",
                                         // One batch per run, so each is big enough to compress.
                                         "-X", "linger.ms=500", "-X", "batch.num.messages=100000"};
        std::string headers;
        for (const auto& [key, value] : run.headers) {
            args.push_back("-H");
            args.push_back(value ? key + "=" + *value : key);
            headers += (headers.empty() ? "" : ",") + key + "=" + value.value_or("NULL");
        }
        std::string input;
        for (const message& m : run.messages) {
            input += kcat_line(m);
            expected_out += std::to_string(offset++) + "|" +
                            std::to_string(m.key ? static_cast<long>(m.key->size()) : -1L) + "|" +
                            m.key.value_or("") + "|" +
                            std::to_string(m.value ? static_cast<long>(m.value->size()) : -1L) + "|" +
                            m.value.value_or("") + "|" + headers + "\n";
        }
        process_result produce = run_process(args, input);
        ASSERT_TRUE(produce.ok()) << produce.describe();
    }

    process_result consume = run_process({"kcat", "-b", cluster.bootstrap(), "-C", "-t", topic, "-p", "0",
                                          "-o", "beginning", "-e", "-q", "-X", "check.crcs=true",
                                          "-f", "%o|%K|%k|%S|%s|%h\n"});
    ASSERT_TRUE(consume.ok()) << consume.describe();
    EXPECT_EQ(consume.out, expected_out);
}

INSTANTIATE_TEST_SUITE_P(Codecs, KcatRecords,
                         ::testing::Values(codec_case{"none", 0}, codec_case{"gzip", 1},
                                           codec_case{"snappy", 2}, codec_case{"lz4", 3},
                                           codec_case{"zstd", 4}),
                         [](const ::testing::TestParamInfo<codec_case>& codec) {
                             return std::string(codec.param.name);
                         });

} // namespace
} // namespace kspout::testing
