// reader: every primitive, truncation at every byte, varint limits, lengths that cannot fit.
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace kspout::wire {
namespace {

byte_buffer sample_fields()
{
    writer w;
    w.int8(-5);
    w.int16(-300);
    w.int32(0x12345678);
    w.int64(std::numeric_limits<std::int64_t>::min());
    w.uint32(0xdeadbeef);
    w.varint(-1);
    w.varlong(std::numeric_limits<std::int64_t>::max());
    w.uvarint(300);
    w.string("topic");
    w.nullable_string(std::nullopt);
    w.bytes(as_bytes("value"));
    w.nullable_bytes(std::nullopt);
    w.compact_string("c");
    w.empty_tagged_fields();
    return w.take();
}

void read_sample_fields(reader& r)
{
    EXPECT_EQ(r.int8(), -5);
    EXPECT_EQ(r.int16(), -300);
    EXPECT_EQ(r.int32(), 0x12345678);
    EXPECT_EQ(r.int64(), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(r.uint32(), 0xdeadbeefu);
    EXPECT_EQ(r.varint(), -1);
    EXPECT_EQ(r.varlong(), std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(r.uvarint(), 300u);
    EXPECT_EQ(r.string(), "topic");
    EXPECT_FALSE(r.nullable_string().has_value());
    EXPECT_EQ(as_text(r.bytes()), "value");
    EXPECT_FALSE(r.nullable_bytes().has_value());
    EXPECT_EQ(r.compact_string(), "c");
    r.skip_tagged_fields();
}

TEST(WireReader, ReadsBackEveryPrimitive)
{
    byte_buffer bytes = sample_fields();
    reader r(bytes);
    read_sample_fields(r);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.at_end());
}

TEST(WireReader, KnownEncodings)
{
    writer w;
    w.varint(15);
    w.varint(-1);
    w.varint(1);
    w.int16(3);
    EXPECT_EQ(w.buffer(), (byte_buffer{0x1e, 0x01, 0x02, 0x00, 0x03}));
}

TEST(WireReader, TruncationAtEveryByteFailsWithOffset)
{
    byte_buffer bytes = sample_fields();
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
        reader r(bytes_view(bytes).first(cut));
        testing::Test::RecordProperty("cut", static_cast<int>(cut));
        // Reads past the failure return zero values; only ok() matters here.
        (void)r.int8(), (void)r.int16(), (void)r.int32(), (void)r.int64(), (void)r.uint32();
        (void)r.varint(), (void)r.varlong(), (void)r.uvarint(), (void)r.string();
        (void)r.nullable_string(), (void)r.bytes(), (void)r.nullable_bytes(), (void)r.compact_string();
        r.skip_tagged_fields();
        ASSERT_FALSE(r.ok()) << "cut at " << cut;
        EXPECT_EQ(r.error(), make_error_code(errc::truncated)) << "cut at " << cut;
        EXPECT_LE(r.error_offset(), cut);
    }
}

TEST(WireReader, StickyErrorKeepsFirstOffset)
{
    byte_buffer bytes{0x00, 0x01};
    reader r(bytes, 100);
    EXPECT_EQ(r.int32(), 0);
    EXPECT_EQ(r.int8(), 0);
    EXPECT_EQ(r.error_offset(), 100u);
    auto err = r.error_in("Fetch v4 response");
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ(err->message(), "Fetch v4 response: truncated at byte 100");
}

TEST(WireReader, OverlongVarintIsAnError)
{
    byte_buffer bytes(11, 0xff);
    reader r(bytes);
    (void)r.varint();
    EXPECT_EQ(r.error(), make_error_code(errc::bad_varint));
    reader r2(bytes);
    (void)r2.varlong();
    EXPECT_EQ(r2.error(), make_error_code(errc::bad_varint));
}

TEST(WireReader, HugeLengthsNeverAllocate)
{
    byte_buffer huge_bytes{0x7f, 0xff, 0xff, 0xff, 0x00};
    reader r(huge_bytes);
    EXPECT_TRUE(r.bytes().empty());
    EXPECT_EQ(r.error(), make_error_code(errc::truncated));

    reader r2(huge_bytes);
    EXPECT_EQ(r2.array_length(4), 0u);
    EXPECT_EQ(r2.error(), make_error_code(errc::bad_length));

    byte_buffer negative{0xff, 0xff, 0xff, 0xfe};
    reader r3(negative);
    (void)r3.array_length(1);
    EXPECT_EQ(r3.error(), make_error_code(errc::bad_length));

    byte_buffer null_array{0xff, 0xff, 0xff, 0xff};
    reader r4(null_array);
    EXPECT_EQ(r4.array_length(1), 0u);
    EXPECT_TRUE(r4.ok());
}

TEST(WireReader, NullWhereNotNullableIsAnError)
{
    byte_buffer bytes{0xff, 0xff};
    reader r(bytes);
    (void)r.string();
    EXPECT_EQ(r.error(), make_error_code(errc::bad_length));
}

TEST(WireReader, SubReaderKeepsAbsoluteOffsets)
{
    byte_buffer bytes{1, 2, 3, 4, 5, 6};
    reader r(bytes);
    r.skip(2);
    reader sub = r.sub_reader(3);
    EXPECT_EQ(sub.offset(), 2u);
    (void)sub.int32();
    EXPECT_EQ(sub.error_offset(), 2u);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.int8(), 6);
}

} // namespace
} // namespace kspout::wire
