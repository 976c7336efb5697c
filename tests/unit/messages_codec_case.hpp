// The round-trip harness the message codec tests share: one case per API, version and direction.
#pragma once

#include "protocol/messages/versions.hpp"
#include "protocol/wire/bytes.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::messages::codec_test {

using wire::byte_buffer;
using wire::bytes_view;

struct codec_case {
    std::string name;    // "Fetch_v4_response", for the test name
    std::string context; // "Fetch v4 response", what errors must name
    std::function<byte_buffer()> encode_sample;
    // Decodes bytes; sets `same` when the result equals the sample and every byte was used.
    std::function<std::optional<wire::decode_error>(bytes_view, bool& same)> decode_and_compare;
};

inline void PrintTo(const codec_case& c, std::ostream* os)
{
    *os << c.context;
}

template <typename T>
codec_case make_case(std::string_view api, std::int16_t version, std::string_view dir, T sample)
{
    codec_case c;
    c.context = std::string(api) + " v" + std::to_string(version) + " " + std::string(dir);
    c.name = std::string(api) + "_v" + std::to_string(version) + "_" + std::string(dir);
    c.encode_sample = [sample, version] {
        wire::writer w;
        encode(w, sample, version);
        return w.take();
    };
    c.decode_and_compare = [sample, version](bytes_view bytes, bool& same) {
        wire::reader r(bytes);
        T out;
        auto error = decode(r, out, version);
        same = out == sample && r.at_end();
        return error;
    };
    return c;
}

template <typename Request, typename Response>
void add_cases(std::vector<codec_case>& cases, std::string_view api, version_range range,
               Request (*request)(std::int16_t), Response (*response)(std::int16_t))
{
    for (std::int16_t v = range.min; v <= range.max; ++v) {
        cases.push_back(make_case(api, v, "request", request(v)));
        cases.push_back(make_case(api, v, "response", response(v)));
    }
}

// encode -> decode gives the same struct and uses every byte.
inline void expect_round_trip(const codec_case& c)
{
    byte_buffer bytes = c.encode_sample();
    bool same = false;
    auto error = c.decode_and_compare(bytes, same);
    ASSERT_FALSE(error.has_value()) << error->message();
    EXPECT_TRUE(same) << c.context << " changed in a round trip";
}

// Every cut of the encoding fails as truncated (or a count too large for what is left), naming the API and version.
inline void expect_every_truncation_fails(const codec_case& c)
{
    byte_buffer bytes = c.encode_sample();
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
        bool same = false;
        auto error = c.decode_and_compare(bytes_view(bytes).first(cut), same);
        ASSERT_TRUE(error.has_value()) << c.context << " cut at " << cut << " of " << bytes.size();
        EXPECT_EQ(error->context, c.context);
        EXPECT_TRUE(error->code == wire::errc::truncated || error->code == wire::errc::bad_length)
            << error->message();
        EXPECT_LE(error->offset, cut);
        EXPECT_NE(error->message().find(c.context), std::string::npos);
    }
}

} // namespace kspout::messages::codec_test
