// message_reader: Storm's line rules, split points, blank lines, "end" inside values, limits.
#include "multilang/framing.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace kspout::multilang {
namespace {

std::vector<std::string> read_all(message_reader& reader)
{
    std::vector<std::string> out;
    std::error_code ec;
    while (auto m = reader.next(ec)) out.push_back(*m);
    EXPECT_FALSE(ec);
    return out;
}

TEST(MultilangFraming, SplitsMessagesAtEveryByteBoundary)
{
    std::string stream = frame(R"({"command":"next","id":""})") + "\n" + "{\"a\":\r\n1}\r\nend\r\n" +
                         frame(R"({"v":"end"})") + "{\"x\":2}\rend\r" + frame("[1,2]");
    std::vector<std::string> expected{R"({"command":"next","id":""})", "\n{\"a\":\n1}", R"({"v":"end"})",
                                      "{\"x\":2}", "[1,2]"};
    for (std::size_t split = 0; split <= stream.size(); ++split) {
        message_reader reader;
        reader.feed(std::string_view(stream).substr(0, split));
        auto got = read_all(reader);
        reader.feed(std::string_view(stream).substr(split));
        auto rest = read_all(reader);
        got.insert(got.end(), rest.begin(), rest.end());
        // A trailing lone "\r" is only known to end its line when the next byte arrives.
        if (got.size() == expected.size() - 1) {
            reader.feed("\n");
            auto last = read_all(reader);
            got.insert(got.end(), last.begin(), last.end());
        }
        ASSERT_EQ(got, expected) << "split at " << split;
    }
}

TEST(MultilangFraming, EndWithTrailingSpaceDoesNotEndAMessage)
{
    message_reader reader;
    reader.feed("{\"a\":1}\nend \nend\n");
    auto got = read_all(reader);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], "{\"a\":1}\nend ");
}

TEST(MultilangFraming, StrayEndLinesAreSkipped)
{
    message_reader reader;
    reader.feed("end\n\nend\n{\"b\":2}\nend\n");
    auto got = read_all(reader);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], "{\"b\":2}");
}

TEST(MultilangFraming, OversizedMessageFailsTheReader)
{
    message_reader reader(16);
    reader.feed(std::string(40, 'x'));
    std::error_code ec;
    EXPECT_FALSE(reader.next(ec).has_value());
    EXPECT_EQ(ec, std::make_error_code(std::errc::message_size));
    reader.feed("\nend\n");
    EXPECT_FALSE(reader.next(ec).has_value());
}

// The cap holds as bytes arrive: a line with no end fails once it passes the limit, not later.
TEST(MultilangFraming, TheCapIsEnforcedAsALongLineArrives)
{
    message_reader reader(1000);
    std::error_code ec;
    std::string chunk(100, 'x');
    for (int i = 0; i < 10; ++i) {
        reader.feed(chunk);
        EXPECT_FALSE(reader.next(ec).has_value());
        ASSERT_FALSE(ec) << "failed after " << (i + 1) * 100 << " bytes";
    }
    reader.feed("x");
    EXPECT_FALSE(reader.next(ec).has_value());
    EXPECT_EQ(ec, std::make_error_code(std::errc::message_size));
}

// The reproduced stall: the unfinished line was rescanned from its start after every read, so a
// line of n bytes in 64 KiB reads cost n^2 / 128 KiB byte comparisons (64 MiB: over 30 G, minutes
// of CPU). Scanned once, it is a few milliseconds; the reader must reach the cap and fail.
TEST(MultilangFraming, ALineAsLongAsTheCapIsScannedOnce)
{
    message_reader reader;
    std::error_code ec;
    std::string chunk(64 * 1024, 'x');
    std::size_t fed = 0;
    while (!ec && fed <= default_max_message_bytes) {
        reader.feed(chunk);
        fed += chunk.size();
        EXPECT_FALSE(reader.next(ec).has_value());
    }
    EXPECT_EQ(ec, std::make_error_code(std::errc::message_size));
    EXPECT_EQ(fed, default_max_message_bytes + chunk.size());
}

// Many messages fed one byte at a time, then a burst of many in one feed: all come out whole.
TEST(MultilangFraming, ConsumedBytesAreDroppedWithoutLosingTheRest)
{
    message_reader reader(64);
    std::string stream;
    for (int i = 0; i < 200; ++i) stream += "{\"n\":" + std::to_string(i) + "}\r\nend\r\n";
    std::vector<std::string> got;
    std::error_code ec;
    for (std::size_t i = 0; i < stream.size() / 2; ++i) {
        reader.feed(std::string_view(stream).substr(i, 1));
        while (auto m = reader.next(ec)) got.push_back(*m);
    }
    reader.feed(std::string_view(stream).substr(stream.size() / 2));
    while (auto m = reader.next(ec)) got.push_back(*m);
    ASSERT_FALSE(ec);
    ASSERT_EQ(got.size(), 200u);
    EXPECT_EQ(got.front(), "{\"n\":0}");
    EXPECT_EQ(got.back(), "{\"n\":199}");
    EXPECT_FALSE(reader.has_pending());
}

TEST(MultilangFraming, PendingShowsAnUnfinishedMessage)
{
    message_reader reader;
    reader.feed("{\"half\":");
    std::error_code ec;
    EXPECT_FALSE(reader.next(ec).has_value());
    EXPECT_TRUE(reader.has_pending());
    EXPECT_EQ(reader.pending(), "{\"half\":");
}

TEST(MultilangFraming, FrameAppendsEnd)
{
    EXPECT_EQ(frame("{}"), "{}\nend\n");
}

} // namespace
} // namespace kspout::multilang
