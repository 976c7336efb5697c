// The frame splitter: frames at every split point, large frames read in place, bad size prefixes.
#include "protocol/wire/frame_splitter.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace kspout::wire {
namespace {

byte_buffer framed(std::initializer_list<std::string> bodies)
{
    writer w;
    for (const auto& body : bodies) {
        std::size_t at = w.reserve_int32();
        w.raw(as_bytes(body));
        w.patch_size_since(at);
    }
    return w.take();
}

std::vector<std::string> drain(frame_splitter& splitter, std::error_code& ec)
{
    std::vector<std::string> out;
    while (auto frame = splitter.next(ec)) out.emplace_back(as_text(*frame));
    return out;
}

// What a socket does: reads of at most `chunk` bytes into the span prepare() gives.
std::vector<std::string> read_in_chunks(frame_splitter& splitter, bytes_view stream, std::size_t chunk,
                                        std::error_code& ec)
{
    std::vector<std::string> out;
    while (!stream.empty()) {
        auto target = splitter.prepare();
        EXPECT_FALSE(target.empty());
        std::size_t n = std::min({target.size(), stream.size(), chunk});
        std::memcpy(target.data(), stream.data(), n);
        splitter.commit(n);
        stream = stream.subspan(n);
        for (auto& frame : drain(splitter, ec)) out.push_back(std::move(frame));
    }
    return out;
}

TEST(WireFrameSplitter, FindsFramesAtEverySplitPoint)
{
    byte_buffer stream = framed({"zero", "", "two-two"});
    for (std::size_t split = 0; split <= stream.size(); ++split) {
        frame_splitter splitter(1024, 16);
        std::error_code ec;
        splitter.feed(bytes_view(stream).first(split));
        auto frames = drain(splitter, ec);
        splitter.feed(bytes_view(stream).subspan(split));
        for (auto& frame : drain(splitter, ec)) frames.push_back(std::move(frame));
        ASSERT_FALSE(ec);
        EXPECT_EQ(frames, (std::vector<std::string>{"zero", "", "two-two"})) << "split at " << split;
        EXPECT_EQ(splitter.buffered(), 0u);
    }
}

TEST(WireFrameSplitter, ReadsOfEverySizeGiveTheSameFrames)
{
    std::string large(300, 'x');
    byte_buffer stream = framed({"a", large, "bc", large + "y", "d"});
    for (std::size_t chunk = 1; chunk <= 70; ++chunk) {
        frame_splitter splitter(1024, 32);
        std::error_code ec;
        auto frames = read_in_chunks(splitter, stream, chunk, ec);
        ASSERT_FALSE(ec);
        EXPECT_EQ(frames, (std::vector<std::string>{"a", large, "bc", large + "y", "d"})) << "chunk " << chunk;
    }
}

TEST(WireFrameSplitter, AFrameLargerThanTheInboxIsReadStraightIntoItsOwnBuffer)
{
    std::string large(1000, 'z');
    byte_buffer stream = framed({large});
    frame_splitter splitter(4096, 64);
    std::error_code ec;
    auto head = splitter.prepare();
    ASSERT_EQ(head.size(), 64u);
    std::memcpy(head.data(), stream.data(), 64);
    splitter.commit(64);
    EXPECT_EQ(splitter.next(ec), nullptr);

    // The rest of the body lands in the frame itself: one read, no copy through the inbox.
    auto rest = splitter.prepare();
    ASSERT_EQ(rest.size(), stream.size() - 64);
    std::memcpy(rest.data(), stream.data() + 64, rest.size());
    splitter.commit(rest.size());
    auto frame = splitter.next(ec);
    ASSERT_NE(frame, nullptr);
    EXPECT_EQ(as_text(*frame), large);
    EXPECT_EQ(rest.data(), frame->data() + 60);
    EXPECT_FALSE(ec);
}

TEST(WireFrameSplitter, FramesBeforeABadSizePrefixComeOutThenTheErrorStays)
{
    byte_buffer stream = framed({"ok"});
    byte_buffer oversized{0, 0, 0, 17, 'x'};
    stream.insert(stream.end(), oversized.begin(), oversized.end());
    frame_splitter splitter(16, 16);
    splitter.feed(stream);
    std::error_code ec;
    auto first = splitter.next(ec);
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(as_text(*first), "ok");
    EXPECT_FALSE(ec);
    EXPECT_EQ(splitter.next(ec), nullptr);
    EXPECT_EQ(ec, make_error_code(errc::frame_too_large));

    splitter.feed(framed({"later"}));
    std::error_code again;
    EXPECT_EQ(splitter.next(again), nullptr);
    EXPECT_EQ(again, make_error_code(errc::frame_too_large));
    EXPECT_FALSE(splitter.prepare().empty());
}

TEST(WireFrameSplitter, ANegativeSizeFailsTheSplitter)
{
    frame_splitter splitter(16, 16);
    splitter.feed(byte_buffer{0xff, 0xff, 0xff, 0xfe});
    std::error_code ec;
    EXPECT_EQ(splitter.next(ec), nullptr);
    EXPECT_EQ(ec, make_error_code(errc::bad_length));
}

} // namespace
} // namespace kspout::wire
