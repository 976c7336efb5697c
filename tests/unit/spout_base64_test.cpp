// base64_encode: RFC 4648's test vectors and bytes that are not text.
#include "spout/base64.hpp"

#include <gtest/gtest.h>

#include <string>

namespace kspout::spout {
namespace {

TEST(SpoutBase64, Base64MatchesRfc4648)
{
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64_encode("\xFF\xFE\xFD"), "//79");
    EXPECT_EQ(base64_encode(std::string("\0\0", 2)), "AAA=");
}

} // namespace
} // namespace kspout::spout
