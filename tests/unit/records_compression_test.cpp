// Codecs: round trips, xerial and raw snappy, lz4 header checksums, gzip members, output limits.
#include "protocol/records/compression.hpp"
#include "protocol/wire/error.hpp"

#include <gtest/gtest.h>
#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>

namespace kspout::records {
namespace {

using wire::byte_buffer;
using wire::bytes_view;

const compression all_codecs[] = {compression::none, compression::gzip, compression::snappy,
                                  compression::lz4, compression::zstd};
const compression real_codecs[] = {compression::gzip, compression::snappy, compression::lz4,
                                   compression::zstd};

byte_buffer text_payload(std::size_t n)
{
    byte_buffer out;
    const std::string words = "kafka spout record batch offset partition ";
    for (std::size_t i = 0; out.size() < n; ++i) {
        out.push_back(static_cast<std::uint8_t>(words[i % words.size()]));
        if (i % 97 == 0) out.push_back(static_cast<std::uint8_t>(i & 0xff));
    }
    out.resize(n);
    return out;
}

byte_buffer random_payload(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    byte_buffer out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(rng());
    return out;
}

byte_buffer compressed(compression codec, bytes_view input, compress_options options = {})
{
    byte_buffer out;
    EXPECT_FALSE(compress(codec, input, out, options)) << to_string(codec);
    return out;
}

TEST(RecordsCompression, RoundTripEveryCodecAndSize)
{
    for (compression codec : all_codecs) {
        for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{1000}, std::size_t{200000}}) {
            for (const byte_buffer& input : {text_payload(n), random_payload(n, 7)}) {
                byte_buffer packed = compressed(codec, input);
                byte_buffer out = {0xaa}; // decompress appends
                ASSERT_FALSE(decompress(codec, packed, out, input.size()))
                    << to_string(codec) << " size " << n;
                ASSERT_EQ(out.size(), input.size() + 1);
                EXPECT_EQ(out[0], 0xaa);
                EXPECT_TRUE(std::equal(input.begin(), input.end(), out.begin() + 1)) << to_string(codec);
            }
        }
    }
}

TEST(RecordsCompression, CompressibleDataShrinks)
{
    byte_buffer input = text_payload(100000);
    for (compression codec : real_codecs) {
        EXPECT_LT(compressed(codec, input).size(), input.size() / 2) << to_string(codec);
    }
}

// libxxhash's XXH32, which the lz4 frame header checksum uses.
TEST(RecordsCompression, Xxh32KnownValues)
{
    auto xxh32 = [](bytes_view data, std::uint32_t seed = 0) { return XXH32(data.data(), data.size(), seed); };
    EXPECT_EQ(xxh32({}), 0x02cc5d05u);
    EXPECT_EQ(xxh32(wire::as_bytes("abc")), 0x32d153ffu);
    EXPECT_EQ(xxh32(wire::as_bytes("Nobody inspects the spammish repetition")), 0xe2293b2fu);
    EXPECT_EQ(xxh32(wire::as_bytes("abc"), 0x9e3779b1u), 0xa1ae7709u);
    EXPECT_EQ(xxh32(wire::as_bytes("Nobody inspects the spammish repetition"), 0x9e3779b1u), 0xc9e89e68u);
}

TEST(RecordsCompression, Lz4HeaderChecksumCorrectAndBroken)
{
    byte_buffer input = text_payload(5000);
    byte_buffer correct = compressed(compression::lz4, input);
    compress_options legacy;
    legacy.lz4_legacy_header_checksum = true;
    byte_buffer broken = compressed(compression::lz4, input, legacy);

    ASSERT_GE(correct.size(), 7u);
    EXPECT_EQ((byte_buffer{correct.begin(), correct.begin() + 7}),
              (byte_buffer{0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82}));
    EXPECT_EQ((byte_buffer{broken.begin(), broken.begin() + 7}),
              (byte_buffer{0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x1a}));
    EXPECT_TRUE(std::equal(correct.begin() + 7, correct.end(), broken.begin() + 7, broken.end()));

    decompress_options magic0;
    magic0.lz4_legacy_header_checksum = true;
    byte_buffer out;
    EXPECT_FALSE(decompress(compression::lz4, broken, out, input.size(), magic0));
    EXPECT_EQ(out, input);
    out.clear();
    EXPECT_FALSE(decompress(compression::lz4, correct, out, input.size(), magic0)); // ignored, as in Java
    EXPECT_EQ(out, input);
    out.clear();
    EXPECT_EQ(decompress(compression::lz4, broken, out, input.size()), wire::errc::corrupt_compressed_data);
}

TEST(RecordsCompression, SnappyRawAndXerialBothRead)
{
    byte_buffer input = text_payload(100000); // four xerial blocks
    compress_options raw_options;
    raw_options.snappy_xerial = false;
    byte_buffer raw = compressed(compression::snappy, input, raw_options);
    byte_buffer xerial = compressed(compression::snappy, input);

    const std::uint8_t magic[] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
    ASSERT_GT(xerial.size(), sizeof(magic));
    EXPECT_EQ(std::memcmp(xerial.data(), magic, sizeof(magic)), 0);
    EXPECT_NE(std::memcmp(raw.data(), magic, 8), 0);

    for (const byte_buffer& packed : {raw, xerial}) {
        byte_buffer out;
        ASSERT_FALSE(decompress(compression::snappy, packed, out, input.size()));
        EXPECT_EQ(out, input);
    }

    // snappy-java also reads two framed streams written back to back.
    byte_buffer twice = xerial;
    twice.insert(twice.end(), xerial.begin(), xerial.end());
    byte_buffer out;
    ASSERT_FALSE(decompress(compression::snappy, twice, out, 2 * input.size()));
    EXPECT_EQ(out.size(), 2 * input.size());
    EXPECT_TRUE(std::equal(input.begin(), input.end(), out.begin() + static_cast<std::ptrdiff_t>(input.size())));
}

TEST(RecordsCompression, GzipConcatenatedMembersAndTrailingGarbage)
{
    byte_buffer a = text_payload(3000);
    byte_buffer b = random_payload(500, 3);
    byte_buffer packed = compressed(compression::gzip, a);
    byte_buffer second = compressed(compression::gzip, b);
    packed.insert(packed.end(), second.begin(), second.end());

    byte_buffer expected = a;
    expected.insert(expected.end(), b.begin(), b.end());
    byte_buffer out;
    ASSERT_FALSE(decompress(compression::gzip, packed, out, expected.size()));
    EXPECT_EQ(out, expected);

    packed.insert(packed.end(), {0, 0, 0, 0}); // Java's GZIPInputStream stops at non-gzip bytes
    out.clear();
    ASSERT_FALSE(decompress(compression::gzip, packed, out, expected.size()));
    EXPECT_EQ(out, expected);
}

TEST(RecordsCompression, OutputBoundedByMaximum)
{
    byte_buffer zeros(4 * 1024 * 1024, 0);
    for (compression codec : all_codecs) {
        byte_buffer packed = compressed(codec, zeros);
        byte_buffer out;
        EXPECT_EQ(decompress(codec, packed, out, 1024 * 1024), wire::errc::decompressed_too_large)
            << to_string(codec);
        EXPECT_LE(out.size(), 1024u * 1024u) << to_string(codec);

        out.clear();
        EXPECT_EQ(decompress(codec, packed, out, zeros.size() - 1), wire::errc::decompressed_too_large)
            << to_string(codec);
        out.clear();
        EXPECT_FALSE(decompress(codec, packed, out, zeros.size())) << to_string(codec);
        EXPECT_EQ(out.size(), zeros.size());
    }
}

// Streaming zstd writers (zstd-jni, librdkafka's) may leave the content size out of the frame.
byte_buffer zstd_without_content_size(bytes_view input)
{
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
    byte_buffer out(ZSTD_compressBound(input.size()));
    ZSTD_outBuffer dst{out.data(), out.size(), 0};
    ZSTD_inBuffer src{input.data(), input.size(), 0};
    std::size_t left = ZSTD_compressStream2(cctx, &dst, &src, ZSTD_e_end);
    EXPECT_EQ(left, 0u);
    ZSTD_freeCCtx(cctx);
    out.resize(dst.pos);
    return out;
}

TEST(RecordsCompression, ZstdWithoutContentSize)
{
    byte_buffer input = text_payload(300000);
    byte_buffer packed = zstd_without_content_size(input);
    ASSERT_EQ(ZSTD_getFrameContentSize(packed.data(), packed.size()), ZSTD_CONTENTSIZE_UNKNOWN);
    byte_buffer out;
    ASSERT_FALSE(decompress(compression::zstd, packed, out, input.size()));
    EXPECT_EQ(out, input);
    out.clear();
    EXPECT_EQ(decompress(compression::zstd, packed, out, input.size() - 1), wire::errc::decompressed_too_large);
    EXPECT_LT(out.size(), input.size());

    byte_buffer two = packed; // two frames back to back
    two.insert(two.end(), packed.begin(), packed.end());
    out.clear();
    ASSERT_FALSE(decompress(compression::zstd, two, out, 2 * input.size()));
    EXPECT_EQ(out.size(), 2 * input.size());
}

TEST(RecordsCompression, TruncatedInputIsAnError)
{
    byte_buffer input = text_payload(70000);
    for (compression codec : real_codecs) {
        byte_buffer packed = compressed(codec, input);
        for (std::size_t cut = 0; cut < packed.size(); cut += (cut < 64 ? 1 : 97)) {
            byte_buffer out;
            auto ec = decompress(codec, bytes_view(packed).first(cut), out, input.size());
            if (codec == compression::snappy && !ec) {
                // xerial framing cannot tell a cut at a block boundary; the output is then a prefix.
                ASSERT_LT(out.size(), input.size());
                EXPECT_TRUE(std::equal(out.begin(), out.end(), input.begin()));
                continue;
            }
            ASSERT_TRUE(ec) << to_string(codec) << " cut at " << cut;
            EXPECT_TRUE(ec == wire::errc::corrupt_compressed_data ||
                        ec == wire::errc::decompressed_too_large)
                << to_string(codec) << " cut at " << cut << ": " << ec.message();
        }
    }
}

TEST(RecordsCompression, CorruptedBytesNeverOverrunTheLimit)
{
    byte_buffer input = text_payload(20000);
    for (compression codec : real_codecs) {
        byte_buffer packed = compressed(codec, input);
        int errors = 0;
        for (std::size_t i = 0; i < packed.size(); ++i) {
            byte_buffer bad = packed;
            bad[i] ^= 0x5a;
            byte_buffer out;
            if (decompress(codec, bad, out, input.size())) ++errors;
            ASSERT_LE(out.size(), input.size());
        }
        EXPECT_GT(errors, 0) << to_string(codec);
    }
}

TEST(RecordsCompression, GarbageAndUnknownCodecs)
{
    byte_buffer garbage(64, 0xff);
    for (compression codec : real_codecs) {
        byte_buffer out;
        EXPECT_EQ(decompress(codec, garbage, out, 1 << 20), wire::errc::corrupt_compressed_data)
            << to_string(codec);
    }
    byte_buffer out;
    EXPECT_EQ(decompress(static_cast<compression>(5), garbage, out, 1 << 20),
              wire::errc::unsupported_compression);
    EXPECT_EQ(compress(static_cast<compression>(7), garbage, out), wire::errc::unsupported_compression);
}

TEST(Compression, NamesAreKafkasCompressionTypesAndReadBack)
{
    for (compression codec : {compression::none, compression::gzip, compression::snappy, compression::lz4,
                              compression::zstd}) {
        EXPECT_EQ(compression_from_string(to_string(codec)), codec);
    }
    EXPECT_EQ(to_string(compression::lz4), "lz4");
    EXPECT_EQ(compression_from_string("LZ4"), std::nullopt);
    EXPECT_EQ(compression_from_string("producer"), std::nullopt);
}

} // namespace
} // namespace kspout::records
