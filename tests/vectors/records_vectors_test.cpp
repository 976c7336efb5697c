// read_records against blobs written and decoded by kafka-python (make_record_vectors.py).
#include "protocol/records/compression.hpp"
#include "protocol/records/records.hpp"
#include "protocol/wire/checksum.hpp"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace kspout::records {
namespace {

// Just enough JSON for the vector files: null, booleans, integers, strings, arrays, objects.
struct json {
    enum class kind { null, boolean, number, string, array, object } type = kind::null;
    bool boolean = false;
    std::int64_t number = 0;
    std::string text;
    std::vector<json> items;
    std::vector<std::pair<std::string, json>> members;

    const json& operator[](std::string_view key) const
    {
        static const json missing;
        for (const auto& [k, v] : members) {
            if (k == key) return v;
        }
        ADD_FAILURE() << "JSON member missing: " << key;
        return missing;
    }
};

class json_parser {
public:
    explicit json_parser(std::string_view text) : text_(text) {}

    bool parse(json& out)
    {
        out = value();
        skip_space();
        return ok_ && pos_ == text_.size();
    }

private:
    void skip_space()
    {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    bool take(char c)
    {
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    bool take_word(std::string_view word)
    {
        if (text_.substr(pos_, word.size()) != word) return ok_ = false;
        pos_ += word.size();
        return true;
    }
    void append_utf8(std::string& s, std::uint32_t cp)
    {
        if (cp < 0x80) {
            s += static_cast<char>(cp);
        } else if (cp < 0x800) {
            s += static_cast<char>(0xc0 | (cp >> 6));
            s += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
            s += static_cast<char>(0xe0 | (cp >> 12));
            s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            s += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }
    std::string string_body()
    {
        std::string s;
        while (pos_ < text_.size() && text_[pos_] != '"') {
            char c = text_[pos_++];
            if (c != '\\') {
                s += c;
                continue;
            }
            if (pos_ >= text_.size()) break;
            char e = text_[pos_++];
            switch (e) {
            case 'n': s += '\n'; break;
            case 't': s += '\t'; break;
            case 'r': s += '\r'; break;
            case 'b': s += '\b'; break;
            case 'f': s += '\f'; break;
            case 'u':
                if (pos_ + 4 > text_.size()) return ok_ = false, s;
                append_utf8(s, static_cast<std::uint32_t>(std::stoul(std::string(text_.substr(pos_, 4)), nullptr, 16)));
                pos_ += 4;
                break;
            default: s += e; break;
            }
        }
        if (!take('"')) ok_ = false;
        return s;
    }
    json value()
    {
        json v;
        skip_space();
        if (!ok_ || pos_ >= text_.size()) {
            ok_ = false;
            return v;
        }
        char c = text_[pos_];
        if (c == 'n') {
            take_word("null");
        } else if (c == 't' || c == 'f') {
            v.type = json::kind::boolean;
            v.boolean = c == 't';
            take_word(v.boolean ? "true" : "false");
        } else if (c == '"') {
            ++pos_;
            v.type = json::kind::string;
            v.text = string_body();
        } else if (c == '[') {
            ++pos_;
            v.type = json::kind::array;
            if (!take(']')) {
                do v.items.push_back(value());
                while (ok_ && take(','));
                if (!take(']')) ok_ = false;
            }
        } else if (c == '{') {
            ++pos_;
            v.type = json::kind::object;
            if (!take('}')) {
                do {
                    if (!take('"')) {
                        ok_ = false;
                        break;
                    }
                    std::string key = string_body();
                    if (!take(':')) ok_ = false;
                    v.members.emplace_back(std::move(key), value());
                } while (ok_ && take(','));
                if (!take('}')) ok_ = false;
            }
        } else {
            std::size_t start = pos_;
            if (text_[pos_] == '-') ++pos_;
            while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
            if (pos_ == start) {
                ok_ = false;
                return v;
            }
            v.type = json::kind::number;
            v.number = std::stoll(std::string(text_.substr(start, pos_ - start)));
        }
        return v;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

std::string vector_path(const std::string& file)
{
    return std::string(KSPOUT_VECTOR_DIR) + "/records/" + file;
}

// Reads a whole file; a missing vector fails the test that asked for it.
std::string slurp(const std::string& file)
{
    std::ifstream in(vector_path(file), std::ios::binary);
    EXPECT_TRUE(in.good()) << "missing vector file " << vector_path(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

json load_json(const std::string& file)
{
    json out;
    std::string text = slurp(file);
    EXPECT_TRUE(json_parser(text).parse(out)) << "bad JSON in " << file;
    return out;
}

std::optional<std::string> hex_or_null(const json& v)
{
    if (v.type == json::kind::null) return std::nullopt;
    return v.text;
}

std::optional<std::string> hex(const std::optional<wire::bytes_view>& b)
{
    if (!b) return std::nullopt;
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (std::uint8_t byte : *b) {
        out += digits[byte >> 4];
        out += digits[byte & 0xf];
    }
    return out;
}

const char* const vector_names[] = {
    "mixed_fetch", "mixed_fetch_from_1012", "mixed_fetch_truncated",
    "v0_gzip", "v0_lz4", "v0_plain", "v0_snappy",
    "v1_gzip", "v1_gzip_log_append_time", "v1_lz4", "v1_plain", "v1_snappy",
    "v2_control", "v2_gzip", "v2_log_append_time", "v2_lz4", "v2_plain", "v2_snappy",
    "v2_snappy_raw", "v2_zstd", "v2_zstd_no_content_size",
};

TEST(RecordVectors, ManifestListsEveryVector)
{
    std::string expected;
    for (const char* name : vector_names) expected += std::string(name) + "\n";
    EXPECT_EQ(slurp("manifest.txt"), expected);
}

class RecordVector : public testing::TestWithParam<const char*> {};

TEST_P(RecordVector, DecodesAsKafkaPythonDoes)
{
    std::string name = GetParam();
    std::string blob_text = slurp(name + ".bin");
    ASSERT_FALSE(blob_text.empty()) << name;
    json meta = load_json(name + ".meta.json");
    json want = load_json(name + ".json");
    ASSERT_EQ(want.type, json::kind::array);

    wire::bytes_view blob = wire::as_bytes(blob_text);
    record_set set;
    auto error = read_records(blob, meta["fetch_offset"].number, {}, {}, set, name, 0);
    ASSERT_FALSE(error) << error->message();

    ASSERT_EQ(set.records.size(), want.items.size());
    for (std::size_t i = 0; i < want.items.size(); ++i) {
        const json& w = want.items[i];
        const record& r = set.records[i];
        SCOPED_TRACE(name + " record " + std::to_string(i));
        EXPECT_EQ(r.offset, w["offset"].number);
        EXPECT_EQ(r.timestamp, w["timestamp"].number);
        EXPECT_EQ(static_cast<int>(r.ts_type), w["timestamp_type"].number);
        EXPECT_EQ(hex(r.key), hex_or_null(w["key"]));
        EXPECT_EQ(hex(r.value), hex_or_null(w["value"]));
        auto headers = set.headers_of(r);
        const json& want_headers = w["headers"];
        ASSERT_EQ(headers.size(), want_headers.items.size());
        for (std::size_t h = 0; h < headers.size(); ++h) {
            EXPECT_EQ(headers[h].key, want_headers.items[h].items.at(0).text);
            EXPECT_EQ(hex(headers[h].value), hex_or_null(want_headers.items[h].items.at(1)));
        }
    }
    EXPECT_EQ(set.next_offset, meta["next_offset"].number);
    EXPECT_EQ(static_cast<std::int64_t>(set.complete_bytes), meta["valid_bytes"].number);
    EXPECT_EQ(set.partial_tail, set.complete_bytes != blob.size());
}

INSTANTIATE_TEST_SUITE_P(KafkaPython, RecordVector, testing::ValuesIn(vector_names),
                         [](const testing::TestParamInfo<const char*>& p) { return std::string(p.param); });

TEST(RecordVectors, ChecksumsMatchKafkaPython)
{
    json sums = load_json("checksums.json");
    const json& items = sums["items"];
    ASSERT_GE(items.items.size(), 3u);
    for (const json& item : items.items) {
        std::string bytes;
        const std::string& h = item["data"].text;
        for (std::size_t i = 0; i + 1 < h.size(); i += 2) {
            bytes += static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16));
        }
        auto data = wire::as_bytes(bytes);
        SCOPED_TRACE(h.substr(0, 32));
        EXPECT_EQ(wire::crc32(data), static_cast<std::uint32_t>(item["crc32"].number));
        EXPECT_EQ(wire::crc32c(data), static_cast<std::uint32_t>(item["crc32c"].number));
        EXPECT_EQ(wire::crc32c_software(data), static_cast<std::uint32_t>(item["crc32c"].number));
        EXPECT_EQ(XXH32(data.data(), data.size(), 0), static_cast<std::uint32_t>(item["xxh32"].number));
    }

    // Our lz4 frames carry descriptor 60 40 with the HC xxhash gives, broken only for magic 0.
    std::string payload(1000, 'q');
    wire::byte_buffer frame;
    ASSERT_FALSE(compress(compression::lz4, wire::as_bytes(payload), frame));
    ASSERT_GT(frame.size(), 7u);
    EXPECT_EQ(sums["lz4_descriptor"].text, "6040");
    EXPECT_EQ(frame[4], 0x60);
    EXPECT_EQ(frame[5], 0x40);
    EXPECT_EQ(frame[6], sums["lz4_hc"].number);
    compress_options legacy;
    legacy.lz4_legacy_header_checksum = true;
    frame.clear();
    ASSERT_FALSE(compress(compression::lz4, wire::as_bytes(payload), frame, legacy));
    EXPECT_EQ(frame[6], sums["lz4_hc_magic0"].number);
}

} // namespace
} // namespace kspout::records
