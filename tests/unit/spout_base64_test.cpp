// base64: RFC 4648's test vectors, bytes that are not text, and text that is not base64.
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

TEST(SpoutBase64, DecodeInvertsEncode)
{
    for (std::string bytes : {std::string(), std::string("f"), std::string("fo"), std::string("foo"),
                              std::string("foobar"), std::string("\xFF\xFE\xFD"), std::string("\0\0", 2)}) {
        EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
    }
    EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
}

TEST(SpoutBase64, DecodeRefusesWhatIsNotPaddedBase64)
{
    EXPECT_FALSE(base64_decode("Zm9"));       // not padded to four
    EXPECT_FALSE(base64_decode("Zm9v!A=="));  // outside the alphabet
    EXPECT_FALSE(base64_decode("Zg=A"));      // padding before data
    EXPECT_FALSE(base64_decode("Zg==Zm9v")); // padding inside
    EXPECT_FALSE(base64_decode("Z==="));
}

} // namespace
} // namespace kspout::spout
