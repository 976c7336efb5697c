// Record-batch decode throughput per codec, beside the physical limit of the same bytes.
//
// librdkafka parses batches only inside its fetch path, so the reference here is the floor no
// decoder can beat: the codec's own decompressor plus a CRC-32C pass (memcpy plus CRC-32C for
// uncompressed batches). The ratio ours/limit says how much our parsing adds on top of that.
#include "protocol/records/records.hpp"
#include "protocol/records/records_writer.hpp"
#include "protocol/wire/checksum.hpp"

#include <benchmark/benchmark.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using kspout::records::compression;
using kspout::wire::byte_buffer;
using kspout::wire::bytes_view;

constexpr int records_per_batch = 1000;
constexpr int batches = 16;

struct corpus {
    std::vector<byte_buffer> batches;
    std::size_t record_bytes = 0; // keys + values, what an application receives
    std::size_t wire_bytes = 0;
};

// ~100-byte JSON-like values: realistic text that compresses like real event payloads do.
std::string make_value(std::mt19937& rng, int i)
{
    static const char* const actions[] = {"click", "view", "purchase", "login", "logout"};
    char buf[160];
    int n = std::snprintf(buf, sizeof buf,
                          R"({"user":%u,"action":"%s","seq":%d,"ts":%u,"page":"/p/%u"})",
                          static_cast<unsigned>(rng() % 100000), actions[rng() % 5], i,
                          static_cast<unsigned>(1700000000 + rng() % 1000),
                          static_cast<unsigned>(rng() % 500));
    std::string value(buf, static_cast<std::size_t>(n));
    value.resize(100, ' ');
    return value;
}

const corpus& corpus_for(compression codec)
{
    static std::map<compression, corpus> cache;
    auto it = cache.find(codec);
    if (it != cache.end()) return it->second;
    corpus c;
    std::mt19937 rng(42);
    for (int b = 0; b < batches; ++b) {
        std::vector<std::string> keys, values;
        for (int i = 0; i < records_per_batch; ++i) {
            keys.push_back("key-" + std::to_string(rng() % 10000));
            values.push_back(make_value(rng, i));
        }
        std::vector<kspout::records::record_to_write> records(records_per_batch);
        for (int i = 0; i < records_per_batch; ++i) {
            auto& r = records[static_cast<std::size_t>(i)];
            r.key = kspout::wire::as_bytes(keys[static_cast<std::size_t>(i)]);
            r.value = kspout::wire::as_bytes(values[static_cast<std::size_t>(i)]);
            r.timestamp = 1700000000000 + i;
            c.record_bytes += keys[static_cast<std::size_t>(i)].size() + values[static_cast<std::size_t>(i)].size();
        }
        kspout::records::write_options options;
        options.codec = codec;
        options.base_offset = static_cast<std::int64_t>(b) * records_per_batch;
        c.batches.push_back(kspout::records::write_records(records, options));
        c.wire_bytes += c.batches.back().size();
    }
    return cache.emplace(codec, std::move(c)).first->second;
}

void set_counters(benchmark::State& state, const corpus& c)
{
    auto iterations = static_cast<double>(state.iterations());
    state.counters["records/s"] = benchmark::Counter(
        iterations * batches * records_per_batch, benchmark::Counter::kIsRate);
    state.counters["MB/s"] = benchmark::Counter(
        iterations * static_cast<double>(c.record_bytes) / 1e6, benchmark::Counter::kIsRate);
}

void bm_ours(benchmark::State& state, compression codec)
{
    const corpus& c = corpus_for(codec);
    kspout::records::record_set set;
    kspout::records::read_options options;
    for (auto _ : state) {
        std::size_t n = 0;
        for (const auto& batch : c.batches) {
            set.clear();
            auto err = kspout::records::read_records(batch, 0, options, {}, set);
            if (err) state.SkipWithError(err->message().c_str());
            for (const auto& r : set.records) n += r.value ? r.value->size() : 0;
        }
        benchmark::DoNotOptimize(n);
    }
    set_counters(state, c);
}

constexpr std::size_t batch_header_size = 61;

// The decompressor alone over each batch's compressed records, plus the CRC-32C every reader owes.
void bm_limit(benchmark::State& state, compression codec)
{
    const corpus& c = corpus_for(codec);
    byte_buffer out(4 << 20);
    for (auto _ : state) {
        for (const auto& batch : c.batches) {
            bytes_view payload = bytes_view(batch).subspan(batch_header_size);
            benchmark::DoNotOptimize(kspout::wire::crc32c(bytes_view(batch).subspan(21)));
            std::size_t produced = 0;
            switch (codec) {
            case compression::none:
                std::memcpy(out.data(), payload.data(), payload.size());
                produced = payload.size();
                break;
            case compression::gzip: {
                z_stream z{};
                inflateInit2(&z, 15 + 32);
                z.next_in = const_cast<Bytef*>(payload.data());
                z.avail_in = static_cast<uInt>(payload.size());
                z.next_out = out.data();
                z.avail_out = static_cast<uInt>(out.size());
                inflate(&z, Z_FINISH);
                produced = z.total_out;
                inflateEnd(&z);
                break;
            }
            case compression::snappy: {
                // snappy-java framing: 16-byte header, then [int32 length][raw block]...
                std::size_t pos = 16;
                while (pos + 4 <= payload.size()) {
                    std::size_t len = (std::size_t{payload[pos]} << 24) | (std::size_t{payload[pos + 1]} << 16) |
                                      (std::size_t{payload[pos + 2]} << 8) | payload[pos + 3];
                    pos += 4;
                    std::size_t block = 0;
                    const char* in = reinterpret_cast<const char*>(payload.data() + pos);
                    snappy::GetUncompressedLength(in, len, &block);
                    snappy::RawUncompress(in, len, reinterpret_cast<char*>(out.data() + produced));
                    produced += block;
                    pos += len;
                }
                break;
            }
            case compression::lz4: {
                LZ4F_dctx* ctx = nullptr;
                LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION);
                std::size_t out_size = out.size();
                std::size_t in_size = payload.size();
                LZ4F_decompress(ctx, out.data(), &out_size, payload.data(), &in_size, nullptr);
                produced = out_size;
                LZ4F_freeDecompressionContext(ctx);
                break;
            }
            case compression::zstd:
                produced = ZSTD_decompress(out.data(), out.size(), payload.data(), payload.size());
                break;
            }
            benchmark::DoNotOptimize(produced);
        }
    }
    set_counters(state, c);
}

const std::pair<const char*, compression> codecs[] = {
    {"none", compression::none}, {"gzip", compression::gzip}, {"snappy", compression::snappy},
    {"lz4", compression::lz4},   {"zstd", compression::zstd},
};

// Keeps the median records/s of every benchmark for the ratio table printed at the end.
class median_collector : public benchmark::ConsoleReporter {
public:
    std::map<std::string, double> median_records_per_s;

    void ReportRuns(const std::vector<Run>& runs) override
    {
        for (const auto& run : runs) {
            if (run.aggregate_name == "median") {
                median_records_per_s[run.run_name.function_name] = run.counters.at("records/s");
            }
        }
        ConsoleReporter::ReportRuns(runs);
    }
};

} // namespace

int main(int argc, char** argv)
{
    for (const auto& [name, codec] : codecs) {
        benchmark::RegisterBenchmark((std::string("ours/") + name).c_str(), bm_ours, codec)
            ->Repetitions(5)->ReportAggregatesOnly(true)->MinTime(0.3);
        benchmark::RegisterBenchmark((std::string("limit/") + name).c_str(), bm_limit, codec)
            ->Repetitions(5)->ReportAggregatesOnly(true)->MinTime(0.3);
    }
    benchmark::Initialize(&argc, argv);
    median_collector reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);

    std::printf("\nRecord-batch decode, %d batches x %d records of ~110 bytes, medians of 5 runs\n",
                batches, records_per_batch);
    std::printf("%-8s %16s %16s %12s %10s\n", "codec", "ours records/s", "limit records/s",
                "ratio", "wire bytes");
    for (const auto& [name, codec] : codecs) {
        double ours = reporter.median_records_per_s[std::string("ours/") + name];
        double limit = reporter.median_records_per_s[std::string("limit/") + name];
        std::printf("%-8s %16.0f %16.0f %11.2fx %10zu\n", name, ours, limit,
                    limit > 0 ? ours / limit : 0.0, corpus_for(codec).wire_bytes);
    }
    benchmark::Shutdown();
    return 0;
}
