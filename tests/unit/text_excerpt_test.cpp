// excerpt: outside input cut to a bound and made printable, whatever its bytes.
#include "protocol/text/excerpt.hpp"

#include <gtest/gtest.h>

#include <string>

namespace kspout::text {
namespace {

TEST(Excerpt, CutsLongInputAndSaysHowLongItWas)
{
    EXPECT_EQ(excerpt("short"), "short");
    EXPECT_EQ(excerpt(std::string(300, 'a'), 10), "aaaaaaaaaa... (300 bytes)");
}

TEST(Excerpt, EscapesControlBytesAndInvalidUtf8)
{
    using namespace std::string_literals;
    EXPECT_EQ(excerpt("a\0b\n\x1b[31m"s), "a\\x00b\\x0a\\x1b[31m");
    EXPECT_EQ(excerpt("caf\xc3\xa9"), "caf\xc3\xa9") << "valid UTF-8 stays";
    EXPECT_EQ(excerpt("\xff\xfe"), "\\xff\\xfe");
    EXPECT_EQ(excerpt("\xc0\xaf"), "\\xc0\\xaf") << "overlong";
    EXPECT_EQ(excerpt("\xed\xa0\x80"), "\\xed\\xa0\\x80") << "surrogate";
}

TEST(Excerpt, StaysBoundedWhateverTheInput)
{
    std::string every_byte_escaped;
    for (int i = 0; i < 100; ++i) every_byte_escaped += "\\x01";
    EXPECT_EQ(excerpt(std::string(1'000'000, '\x01'), 100), every_byte_escaped + "... (1000000 bytes)");
}

} // namespace
} // namespace kspout::text
