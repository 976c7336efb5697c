// Request and response headers, the size prefix check and checksums.
#include "protocol/wire/checksum.hpp"
#include "protocol/wire/frame.hpp"

#include <gtest/gtest.h>

namespace kspout::wire {
namespace {

TEST(WireFrame, MetadataRequestHeaderMatchesKafkaPython)
{
    // kafka-python: MetadataRequest[0](topics=['t1']) with correlation 1 and client id "c".
    writer w;
    std::size_t start = begin_request(w, {api_key::metadata, 0, 1, "c"});
    w.array_length(1);
    w.string("t1");
    end_frame(w, start);
    byte_buffer expected{0, 0, 0, 0x13, 0, 3, 0, 0, 0, 0, 0, 1, 0, 1, 'c', 0, 0, 0, 1, 0, 2, 't', '1'};
    EXPECT_EQ(w.buffer(), expected);
}

TEST(WireFrame, OversizedAndNegativeFramesAreRejected)
{
    std::error_code ec;
    byte_buffer big{0, 0, 0, 17};
    EXPECT_EQ(decode_frame_size(big, 16, ec), 0u);
    EXPECT_EQ(ec, make_error_code(errc::frame_too_large));

    std::error_code ec2;
    byte_buffer negative{0xff, 0, 0, 0};
    EXPECT_EQ(decode_frame_size(negative, 16, ec2), 0u);
    EXPECT_EQ(ec2, make_error_code(errc::bad_length));
}

TEST(WireFrame, ResponseHeader)
{
    byte_buffer bytes{0, 0, 0, 7, 0};
    reader r(bytes);
    EXPECT_EQ(decode_response_header(r, true), 7);
    EXPECT_TRUE(r.at_end());
}

TEST(WireChecksum, StandardCheckValues)
{
    EXPECT_EQ(crc32(as_bytes("123456789")), 0xcbf43926u);
    EXPECT_EQ(crc32c(as_bytes("123456789")), 0xe3069283u);
    EXPECT_EQ(crc32c_software(as_bytes("123456789")), 0xe3069283u);
}

TEST(WireChecksum, HardwareAndTableAgreeOnEveryLength)
{
    byte_buffer data;
    for (int i = 0; i < 300; ++i) {
        EXPECT_EQ(crc32c(data), crc32c_software(data)) << "length " << i;
        data.push_back(static_cast<std::uint8_t>(i * 37 + 11));
    }
}

} // namespace
} // namespace kspout::wire
