// pykafka 2.8.0's Producer and SimpleConsumer against ours on a real broker: every codec pykafka has, both ways, stored as v1 and as v2.
#include "tests/integration/io_consumer_fixture.hpp"
#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/pykafka_peer.hpp"

#include "protocol/io/producer.hpp"
#include "protocol/wire/reader.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <sstream>

namespace kspout::io::consumer_testing {
namespace {

using testing::pykafka_kafka_version;

constexpr int per_codec = 45;
constexpr std::int64_t first_timestamp = 1700000000000; // what pykafka_records.py uses too

// pykafka's codecs, one partition each in this order; it has no zstd.
const std::vector<std::pair<std::string, records::compression>> pykafka_codecs = {
    {"none", records::compression::none},
    {"gzip", records::compression::gzip},
    {"snappy", records::compression::snappy},
    {"lz4", records::compression::lz4}};

// A record as one side delivered or read it.
struct record_at {
    std::int32_t partition = -1;
    std::int64_t offset = -1;
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::int64_t timestamp = -1;
};

std::string describe(const std::optional<std::string>& bytes)
{
    if (!bytes) return "null";
    std::string out = "\"";
    for (char c : bytes->substr(0, 40)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
    return out + (bytes->size() > 40 ? "...\"" : "\"") + " (" + std::to_string(bytes->size()) + " bytes)";
}

std::optional<std::string> unhex(const nlohmann::json& field)
{
    if (field.is_null()) return std::nullopt;
    const std::string hex = field.get<std::string>();
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

// pykafka_records.py's output: one JSON object per record.
std::vector<record_at> parse_records(const std::string& out)
{
    std::vector<record_at> records;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        auto j = nlohmann::json::parse(line);
        records.push_back({j["partition"].get<std::int32_t>(), j["offset"].get<std::int64_t>(), unhex(j["key"]),
                           unhex(j["value"]), j["timestamp"].get<std::int64_t>()});
    }
    return records;
}

// Each record of `want` is in `got` at its partition and offset, with its key, value and
// timestamp, exactly once, and `got` holds nothing else.
void expect_same_records(const std::vector<record_at>& want, const std::vector<record_at>& got, const char* reader)
{
    std::map<std::pair<std::int32_t, std::int64_t>, const record_at*> by_place;
    for (const auto& r : got)
        EXPECT_TRUE(by_place.emplace(std::pair{r.partition, r.offset}, &r).second)
            << reader << " read partition " << r.partition << " offset " << r.offset << " twice";
    EXPECT_EQ(got.size(), want.size()) << reader;
    for (const auto& w : want) {
        SCOPED_TRACE(std::string(reader) + ": partition " + std::to_string(w.partition) + " offset " +
                     std::to_string(w.offset));
        auto it = by_place.find({w.partition, w.offset});
        ASSERT_NE(it, by_place.end()) << "not read";
        EXPECT_TRUE(it->second->key == w.key) << describe(it->second->key) << " instead of " << describe(w.key);
        EXPECT_TRUE(it->second->value == w.value) << describe(it->second->value) << " instead of " << describe(w.value);
        EXPECT_EQ(it->second->timestamp, w.timestamp);
    }
}

// The topic config that makes Kafka 2.8 store v1 message sets as producers wrote them; none for v2.
std::map<std::string, std::string> format_config(int magic)
{
    if (magic == 1) return {{"message.format.version", "0.10.0"}};
    return {};
}

// (magic, codec) of every message set or record batch stored in a partition, fetched raw by kafka-python.
std::vector<std::pair<int, int>> stored_sets(const std::string& bootstrap, const std::string& topic, int partition)
{
    testing::temp_dir dir;
    auto out = dir / "fetch.bin";
    auto fetch = testing::run_process({KSPOUT_PYTHON, KSPOUT_SOURCE_DIR "/tests/integration/fetch_raw.py", bootstrap,
                                       topic, std::to_string(partition), "0", out.string()});
    EXPECT_TRUE(fetch.ok()) << fetch.describe();
    std::ifstream file(out, std::ios::binary);
    wire::byte_buffer blob{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    std::vector<std::pair<int, int>> sets;
    wire::reader in(blob);
    while (in.ok() && !in.at_end()) {
        in.skip(8); // offset
        wire::reader entry = in.sub_reader(static_cast<std::size_t>(in.int32()));
        entry.skip(4); // v0/v1: the CRC; v2: the partition leader epoch
        int magic = entry.int8();
        if (magic == 2) entry.skip(4); // the CRC
        int codec = (magic == 2 ? entry.int16() : entry.int8()) & 0x7;
        EXPECT_TRUE(entry.ok()) << "partition " << partition << ": a truncated entry";
        sets.emplace_back(magic, codec);
    }
    EXPECT_TRUE(in.ok() && in.at_end()) << "partition " << partition;
    return sets;
}

// Every partition holds several sets, all of format `magic`, compressed with the partition's codec.
void expect_stored(const std::string& bootstrap, const std::string& topic, int magic)
{
    for (std::size_t p = 0; p < pykafka_codecs.size(); ++p) {
        auto sets = stored_sets(bootstrap, topic, static_cast<int>(p));
        EXPECT_GE(sets.size(), 2u) << topic << " partition " << p;
        for (auto [stored_magic, codec] : sets) {
            EXPECT_EQ(stored_magic, magic) << topic << " partition " << p;
            EXPECT_EQ(codec, static_cast<int>(pykafka_codecs[p].second)) << topic << " partition " << p;
        }
    }
}

std::string format_name(const ::testing::TestParamInfo<int>& magic)
{
    return "v" + std::to_string(magic.param);
}

class PykafkaRecords : public ConsumerFixtureBase, public ::testing::WithParamInterface<int> {
protected:
    testing::pykafka_cluster& pykafka = testing::shared_pykafka_cluster();
    std::string bootstrap() const override { return pykafka.bootstrap(); }
    cluster_options fast_cluster_options() override { return pykafka.broker().client_options(); }

    testing::process_result run_pykafka(std::vector<std::string> args)
    {
        std::vector<std::string> argv = {testing::pykafka_python(), testing::pykafka_records_script, args.at(0),
                                         bootstrap(), std::string(pykafka_kafka_version)};
        argv.insert(argv.end(), args.begin() + 1, args.end());
        return testing::run_process(argv, {}, 120s);
    }

    // Everything a consumer of the whole topic hands out, until `total` records came; then two
    // more fetch rounds, so that a duplicate would show.
    std::vector<record_at> read_with_ours(const std::string& topic, std::size_t total)
    {
        auto consumer = make_consumer(options_for(topic));
        consumer->assign_all();
        std::vector<record_at> got;
        auto poll = [&] {
            for (const auto& m : consumer->poll(100))
                got.push_back({m.partition, m.offset, copy(m.key), copy(m.value), m.timestamp});
        };
        EXPECT_TRUE(testing::run_until(ioc, [&] {
            poll();
            return got.size() >= total;
        })) << got.size() << " of " << total;
        EXPECT_TRUE(more_fetch_rounds(*consumer, 2));
        poll();
        consumer->stop();
        return got;
    }
};

// pykafka writes message format v1 with each of its codecs; a v1 topic keeps them as v1 (its
// uncompressed messages byte for byte; compressed sets the broker compresses again, since pykafka
// leaves their inner offsets at -1), a v2 topic as record batches. Our consumer reads both.
class PykafkaProduces : public PykafkaRecords {};

TEST_P(PykafkaProduces, OurConsumerReadsEveryCodecExactly)
{
    const int magic = GetParam();
    const std::string topic = "from-pykafka-v" + std::to_string(magic);
    pykafka.broker().create_topic(topic, static_cast<int>(pykafka_codecs.size()), format_config(magic));
    std::vector<std::string> args = {"produce", topic, std::to_string(per_codec)};
    for (const auto& [name, codec] : pykafka_codecs) args.push_back(name);
    auto written = run_pykafka(args);
    ASSERT_TRUE(written.ok()) << written.describe();
    std::vector<record_at> sent = parse_records(written.out);
    ASSERT_EQ(sent.size(), pykafka_codecs.size() * per_codec);
    for (std::size_t i = 0; i < sent.size(); ++i) {
        EXPECT_EQ(sent[i].partition, static_cast<std::int32_t>(i / per_codec));
        EXPECT_EQ(sent[i].offset, static_cast<std::int64_t>(i % per_codec));
        EXPECT_EQ(sent[i].timestamp, first_timestamp + sent[i].offset);
    }
    expect_stored(bootstrap(), topic, magic);

    expect_same_records(sent, read_with_ours(topic, sent.size()), "our consumer");
    EXPECT_TRUE(errors.empty()) << errors.front().message;
}

INSTANTIATE_TEST_SUITE_P(StoredAs, PykafkaProduces, ::testing::Values(1, 2), format_name);

// Our producer writes with each of pykafka's codecs: record batches (v2) as it does for Kafka 2.8,
// which the broker converts down to v1 for pykafka's fetches; or, told the 0.10.0 version table,
// v1 message sets onto a v1 topic, which pykafka reads as we wrote them.
class PykafkaConsumes : public PykafkaRecords {};

TEST_P(PykafkaConsumes, ReadsEveryCodecWeWroteExactly)
{
    const int magic = GetParam();
    const std::string topic = "to-pykafka-v" + std::to_string(magic);
    pykafka.broker().create_topic(topic, static_cast<int>(pykafka_codecs.size()), format_config(magic));
    cluster_options options = pykafka.broker().client_options();
    if (magic == 1) {
        options.broker.api_version_request = false;
        options.broker.broker_version_fallback = "0.10.0";
    }
    auto writer = cluster::create(ioc.get_executor(), options, test_logger());

    std::vector<record_at> sent;
    for (std::size_t p = 0; p < pykafka_codecs.size(); ++p) {
        SCOPED_TRACE("codec " + pykafka_codecs[p].first);
        std::vector<testing::sent_record> records(per_codec);
        for (int i = 0; i < per_codec; ++i) {
            auto& r = records[static_cast<std::size_t>(i)];
            r.partition = static_cast<std::int32_t>(p);
            if (i % 10 != 9) r.key = "ours-" + pykafka_codecs[p].first + "-" + std::to_string(i);
            if (i == 3) {
                std::string every_byte;
                for (int b = 0; b < 512; ++b) every_byte.push_back(static_cast<char>(b));
                r.value = every_byte;
            } else if (i % 17 == 5) {
                r.value = "";
            } else if (i % 23 != 7) { // every 23rd a null value
                r.value = "record " + std::to_string(i) + " of " + pykafka_codecs[p].first +
                          std::string(static_cast<std::size_t>(20 + i % 13), 'x');
            }
            r.timestamp = first_timestamp + i;
        }
        producer_options po;
        po.compression = pykafka_codecs[p].second;
        po.batch_size = 700; // several batches or message sets per partition
        auto producer = producer::create(writer, po);
        testing::produce_all(*producer, topic, records);
        ASSERT_FALSE(testing::flush_and_wait(ioc, *producer));
        producer->stop();
        for (const auto& r : records) {
            ASSERT_FALSE(r.ec) << r.ec.message();
            ASSERT_EQ(r.delivered_partition, static_cast<std::int32_t>(p));
            sent.push_back({r.delivered_partition, r.delivered_offset, r.key, r.value, *r.timestamp});
        }
    }
    writer->shut_down();
    expect_stored(bootstrap(), topic, magic);

    auto consumed = run_pykafka({"consume", topic});
    ASSERT_TRUE(consumed.ok()) << consumed.describe();
    expect_same_records(sent, parse_records(consumed.out), "pykafka");
}

INSTANTIATE_TEST_SUITE_P(WrittenAs, PykafkaConsumes, ::testing::Values(1, 2), format_name);

} // namespace
} // namespace kspout::io::consumer_testing
