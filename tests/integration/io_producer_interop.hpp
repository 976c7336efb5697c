// The producer interop check shared by the mock and real-broker tests: our producer, read back by kcat and kafka-python.
#pragma once

#include "protocol/io/producer.hpp"
#include "protocol/wire/reader.hpp"
#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <set>

namespace kspout::testing {

inline std::int64_t now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Varied per record but from a small vocabulary, so every codec finds something to squeeze.
inline std::string interop_value(int i)
{
    static const char* const words[] = {"kafka", "spout", "storm", "tuple", "offset", "partition", "broker", "batch"};
    std::string value = "record-" + std::to_string(i);
    for (int j = 0; j < 10 + (i * 7) % 23; ++j) value += std::string(" ") + words[(i * 3 + j * j) % 8];
    return value;
}

// Keys, no keys, tombstones, any byte, empty and null fields, headers, explicit timestamps and partitions.
inline std::vector<sent_record> interop_records()
{
    std::vector<sent_record> out;
    const std::int64_t explicit_ts = 1700000000000;
    for (int i = 0; i < 60; ++i) {
        sent_record r;
        r.key = "user-" + std::to_string(i % 11);
        r.value = interop_value(i);
        r.headers = {{"trace", "t-" + std::to_string(i)}};
        if (i % 2 == 0) r.timestamp = explicit_ts + i;
        out.push_back(std::move(r));
    }
    for (int i = 0; i < 12; ++i) { // no key: spread over the partitions
        sent_record r;
        r.value = "no key " + interop_value(100 + i);
        r.timestamp = explicit_ts - 1000 * i; // timestamps need not increase
        out.push_back(std::move(r));
    }
    for (int i = 0; i < 3; ++i) { // tombstones
        sent_record r;
        r.key = "gone-" + std::to_string(i);
        out.push_back(std::move(r));
    }
    {
        sent_record r; // neither key nor value
        r.headers = {{"only", "headers"}};
        out.push_back(std::move(r));
    }
    {
        sent_record r; // any byte, including the separators kcat prints
        r.key = std::string("\0|\n\xff key", 8);
        std::string all;
        for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
        r.value = all + all;
        out.push_back(std::move(r));
    }
    {
        sent_record r; // empty, not null
        r.key = "";
        r.value = "";
        r.headers = {{"empty", ""}, {"nothing", std::nullopt}, {"dup", "1"}, {"dup", "2"},
                     {"utf8", "v\xC3\xA4rde \xE2\x9C\x93"}};
        r.timestamp = 0;
        out.push_back(std::move(r));
    }
    for (int i = 0; i < 4; ++i) { // an explicit partition wins over the key's hash
        sent_record r;
        r.partition = 2;
        r.key = "user-" + std::to_string(i);
        r.value = "pinned " + std::to_string(i);
        out.push_back(std::move(r));
    }
    return out;
}

struct codec_case {
    const char* name;
    records::compression codec;
};

// Every codec we write, for INSTANTIATE_TEST_SUITE_P.
inline const auto every_codec = ::testing::Values(
    codec_case{"none", records::compression::none}, codec_case{"gzip", records::compression::gzip},
    codec_case{"snappy", records::compression::snappy}, codec_case{"lz4", records::compression::lz4},
    codec_case{"zstd", records::compression::zstd});

inline std::string codec_name(const ::testing::TestParamInfo<codec_case>& c)
{
    return c.param.name;
}

inline void PrintTo(const codec_case& c, std::ostream* out)
{
    *out << c.name;
}

inline wire::byte_buffer read_binary_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The codec bits of every batch stored in a partition, fetched raw by kafka-python.
inline std::vector<int> codecs_in_partition(const std::string& bootstrap, const std::string& topic, int partition)
{
    temp_dir dir;
    auto out = dir / "fetch.bin";
    process_result fetch = run_process({KSPOUT_PYTHON, KSPOUT_SOURCE_DIR "/tests/integration/fetch_raw.py",
                                        bootstrap, topic, std::to_string(partition), "0", out.string()});
    EXPECT_TRUE(fetch.ok()) << fetch.describe();
    wire::byte_buffer blob = read_binary_file(out);
    std::vector<int> codecs;
    wire::reader in(blob);
    while (in.remaining() >= 61) {
        in.skip(8);
        auto length = in.int32();
        wire::reader batch = in.sub_reader(static_cast<std::size_t>(length));
        batch.skip(4);
        EXPECT_EQ(batch.int8(), 2) << "magic";
        batch.skip(4);
        codecs.push_back(batch.int16() & 0x7);
    }
    EXPECT_TRUE(in.ok() && in.at_end());
    return codecs;
}

// Produces interop_records() into an existing topic of `partitions` partitions with the codec, then
// checks that kcat and kafka-python (assuming python_api_version) read back exactly that, keys
// where kafka-python's partitioner puts them, and the stored batches are v2 with the codec.
inline void check_producer_interop(boost::asio::io_context& ioc, const std::string& bootstrap,
                                   const std::string& topic, const codec_case& codec, int partitions,
                                   const std::string& python_api_version)
{
    auto c = io::cluster::create(ioc.get_executor(), test_cluster_options(bootstrap));
    io::producer_options options;
    options.compression = codec.codec;
    options.batch_size = 1024; // several batches per partition, sent one after another
    auto p = io::producer::create(c, options);

    std::vector<sent_record> sent = interop_records();
    const std::int64_t before = now_ms();
    produce_all(*p, topic, sent);
    ASSERT_FALSE(flush_and_wait(ioc, *p));
    const std::int64_t after = now_ms();
    EXPECT_EQ(p->outstanding(), 0u);
    EXPECT_EQ(p->buffered_bytes(), 0u);
    expect_in_order_per_partition(sent);

    std::vector<seen_record> by_kcat = consume_with_kcat(bootstrap, topic);
    expect_seen_exactly(sent, by_kcat, "kcat");
    std::vector<seen_record> by_python = consume_with_python(bootstrap, topic, python_api_version);
    expect_seen_exactly(sent, by_python, "kafka-python");

    // Keys land where kafka-python's DefaultPartitioner puts them; records without a timestamp got
    // the time of produce(); records without a key went to every partition.
    std::map<std::pair<std::int32_t, std::int64_t>, const seen_record*> seen;
    for (const auto& r : by_python) seen[{r.partition, r.offset}] = &r;
    std::set<std::int32_t> null_key_partitions;
    for (std::size_t i = 0; i < sent.size(); ++i) {
        const sent_record& r = sent[i];
        auto it = seen.find({r.delivered_partition, r.delivered_offset});
        if (it == seen.end()) continue; // reported above
        if (r.key && !r.partition) {
            ASSERT_TRUE(it->second->default_partition.has_value());
            EXPECT_EQ(r.delivered_partition, *it->second->default_partition) << "record " << i;
        }
        if (!r.key && !r.partition) null_key_partitions.insert(r.delivered_partition);
        if (!r.timestamp) {
            EXPECT_GE(it->second->timestamp, before) << "record " << i;
            EXPECT_LE(it->second->timestamp, after) << "record " << i;
        }
    }
    EXPECT_EQ(null_key_partitions.size(), static_cast<std::size_t>(partitions));

    // The bytes stored really are RecordBatch v2 with the codec asked for, in several batches.
    for (int partition = 0; partition < partitions; ++partition) {
        std::vector<int> codecs = codecs_in_partition(bootstrap, topic, partition);
        EXPECT_GE(codecs.size(), 2u) << "partition " << partition;
        for (int bits : codecs) EXPECT_EQ(bits, static_cast<int>(codec.codec)) << "partition " << partition;
    }
    p->stop();
    c->shut_down();
}

} // namespace kspout::testing
