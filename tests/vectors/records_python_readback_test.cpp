// Our write_records output read back by kafka-python (read_records.py), for every magic and codec.
#include "protocol/records/records_writer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace kspout::records {
namespace {

struct sample {
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::int64_t timestamp;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

std::vector<sample> samples(bool headers, int first)
{
    std::vector<sample> out;
    for (int i = first; i < first + 7; ++i) {
        sample s;
        if (i % 4 != 1) s.key = i % 4 == 3 ? "" : "key-" + std::to_string(i);
        if (i % 5 != 2) {
            s.value = "value-" + std::to_string(i) + " ";
            for (int k = 0; k < 20 + i; ++k) s.value->append("abcdefgh ");
        }
        s.timestamp = 1700000000000 + 11 * i - (i == first + 3 ? 900 : 0);
        if (headers) {
            s.headers.emplace_back("h" + std::to_string(i), "x" + std::to_string(i));
            if (i % 2) s.headers.emplace_back("null-value", std::nullopt);
            if (i % 3 == 0) s.headers.emplace_back("", "");
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::optional<wire::bytes_view> view_of(const std::optional<std::string>& s)
{
    if (!s) return std::nullopt;
    return wire::as_bytes(*s);
}

wire::byte_buffer write(const std::vector<sample>& in, const write_options& o)
{
    std::vector<record_to_write> records;
    for (const auto& s : in) {
        record_to_write r;
        r.key = view_of(s.key);
        r.value = view_of(s.value);
        r.timestamp = s.timestamp;
        for (const auto& [k, v] : s.headers) r.headers.emplace_back(k, view_of(v));
        records.push_back(std::move(r));
    }
    wire::byte_buffer out;
    EXPECT_FALSE(write_records(records, o, out));
    return out;
}

// read_records.py's byte form: "-" for null, else "=" and hex.
std::string field(const std::optional<std::string>& s)
{
    if (!s) return "-";
    static const char digits[] = "0123456789abcdef";
    std::string out = "=";
    for (unsigned char c : *s) {
        out += digits[c >> 4];
        out += digits[c & 0xf];
    }
    return out;
}

struct python_view {
    std::vector<std::string> entries; // "magic codec crc_ok control"
    std::vector<std::string> records; // the rest of each "record ..." line
    std::string end;                  // "next_offset valid_bytes"
    int status = -1;
};

python_view read_with_kafka_python(const wire::byte_buffer& blob, const std::string& name)
{
    auto path = std::filesystem::temp_directory_path() /
                ("kspout_records_" + std::to_string(::getpid()) + "_" + name + ".bin");
    {
        std::ofstream out(path, std::ios::binary);
        out.write(reinterpret_cast<const char*>(blob.data()), static_cast<std::streamsize>(blob.size()));
    }
    std::string command = std::string("'") + KSPOUT_PYTHON + "' '" + KSPOUT_SOURCE_DIR +
                          "/tests/vectors/read_records.py' '" + path.string() + "'";
    python_view view;
    FILE* pipe = ::popen(command.c_str(), "r");
    EXPECT_NE(pipe, nullptr) << command;
    if (pipe == nullptr) return view;
    std::string text;
    char chunk[4096];
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0;) text.append(chunk, n);
    view.status = ::pclose(pipe);
    std::filesystem::remove(path);

    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        auto space = line.find(' ');
        std::string kind = line.substr(0, space);
        std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
        if (kind == "entry") view.entries.push_back(rest);
        else if (kind == "record") view.records.push_back(rest);
        else if (kind == "end") view.end = rest;
        else ADD_FAILURE() << "unexpected line from read_records.py: " << line;
    }
    return view;
}

std::string expected_record(const sample& s, std::int64_t offset, int magic)
{
    std::string line = std::to_string(offset) + " " + std::to_string(magic == 0 ? -1 : s.timestamp) + " 0 " +
                       field(s.key) + " " + field(s.value) + " " + std::to_string(s.headers.size());
    for (const auto& [k, v] : s.headers) line += " " + field(k) + " " + field(v);
    return line;
}

class PythonReadback : public testing::TestWithParam<std::tuple<int, compression>> {};

TEST_P(PythonReadback, KafkaPythonReadsWhatWeWrite)
{
    auto [magic, codec] = GetParam();
    auto want = samples(magic == 2, 0);
    write_options o;
    o.magic = static_cast<std::int8_t>(magic);
    o.codec = codec;
    o.base_offset = 500;
    wire::byte_buffer blob = write(want, o);
    ASSERT_FALSE(blob.empty());

    std::string name = "m" + std::to_string(magic) + "_" + std::string(to_string(codec));
    python_view got = read_with_kafka_python(blob, name);
    ASSERT_EQ(got.status, 0) << "read_records.py failed for " << name;
    std::size_t entries = magic < 2 && codec == compression::none ? want.size() : 1;
    ASSERT_EQ(got.entries.size(), entries);
    for (const auto& e : got.entries) {
        EXPECT_EQ(e, std::to_string(magic) + " " + std::to_string(static_cast<int>(codec)) + " 1 0");
    }
    ASSERT_EQ(got.records.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(got.records[i], expected_record(want[i], 500 + static_cast<std::int64_t>(i), magic))
            << "record " << i;
    }
    EXPECT_EQ(got.end, std::to_string(500 + want.size()) + " " + std::to_string(blob.size()));
}

std::string param_name(const testing::TestParamInfo<std::tuple<int, compression>>& p)
{
    return "magic" + std::to_string(std::get<0>(p.param)) + "_" + std::string(to_string(std::get<1>(p.param)));
}

INSTANTIATE_TEST_SUITE_P(Legacy, PythonReadback,
                         testing::Combine(testing::Values(0, 1),
                                          testing::Values(compression::none, compression::gzip,
                                                          compression::snappy, compression::lz4)),
                         param_name);
INSTANTIATE_TEST_SUITE_P(V2, PythonReadback,
                         testing::Combine(testing::Values(2),
                                          testing::Values(compression::none, compression::gzip,
                                                          compression::snappy, compression::lz4,
                                                          compression::zstd)),
                         param_name);

TEST(PythonReadbackMixed, ConcatenatedMagicsReadAsOneFetch)
{
    auto legacy = samples(false, 0);
    auto modern = samples(true, 14);
    write_options v0;
    v0.magic = 0;
    v0.base_offset = 0;
    write_options v1;
    v1.magic = 1;
    v1.codec = compression::gzip;
    v1.base_offset = 7;
    write_options v2;
    v2.codec = compression::zstd;
    v2.base_offset = 14;
    v2.producer_id = 9;
    v2.producer_epoch = 1;
    v2.base_sequence = 0;
    wire::byte_buffer blob;
    for (const auto& part : {write(legacy, v0), write(samples(false, 7), v1), write(modern, v2)}) {
        blob.insert(blob.end(), part.begin(), part.end());
    }
    python_view got = read_with_kafka_python(blob, "mixed");
    ASSERT_EQ(got.status, 0);
    ASSERT_EQ(got.entries.size(), legacy.size() + 2);
    EXPECT_EQ(got.entries[legacy.size()], "1 1 1 0");
    EXPECT_EQ(got.entries[legacy.size() + 1], "2 4 1 0");
    ASSERT_EQ(got.records.size(), 21u);
    EXPECT_EQ(got.records[0], expected_record(legacy[0], 0, 0));
    EXPECT_EQ(got.records[7], expected_record(samples(false, 7)[0], 7, 1));
    EXPECT_EQ(got.records[20], expected_record(modern[6], 20, 2));
    EXPECT_EQ(got.end, "21 " + std::to_string(blob.size()));
}

} // namespace
} // namespace kspout::records
