// UTF-8 checking and repair: every class of ill-formed sequence, and an exhaustive cross-check.
#include "protocol/text/utf8.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace kspout::text {
namespace {

// An independent formulation of well-formedness: decode by bit patterns, then reject overlong
// forms, surrogates and code points above U+10FFFF.
bool reference_valid(const std::string& s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        auto b = static_cast<unsigned char>(s[i]);
        int len;
        std::uint32_t cp;
        if (b < 0x80) {
            len = 1;
            cp = b;
        } else if ((b & 0xE0) == 0xC0) {
            len = 2;
            cp = b & 0x1F;
        } else if ((b & 0xF0) == 0xE0) {
            len = 3;
            cp = b & 0x0F;
        } else if ((b & 0xF8) == 0xF0) {
            len = 4;
            cp = b & 0x07;
        } else {
            return false;
        }
        if (i + static_cast<std::size_t>(len) > s.size()) return false;
        for (int k = 1; k < len; ++k) {
            auto c = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3F);
        }
        static const std::uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_for_length[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
        i += static_cast<std::size_t>(len);
    }
    return true;
}

const std::string fffd = "\xEF\xBF\xBD";

TEST(MultilangUtf8, AcceptsWellFormedText)
{
    for (const std::string s : {"", "plain ascii, longer than eight bytes", "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80",
                                "\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBF", "\xF0\x90\x80\x80",
                                "\xF4\x8F\xBF\xBF", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"}) {
        EXPECT_TRUE(is_valid_utf8(s)) << s;
        EXPECT_EQ(replace_invalid_utf8(s), s);
    }
    EXPECT_TRUE(is_valid_utf8(std::string("nul \0 inside", 12)));
}

TEST(MultilangUtf8, RejectsEveryClassOfIllFormedSequence)
{
    struct bad {
        const char* what;
        std::string bytes;
    };
    const bad cases[] = {
        {"lone continuation 80", "\x80"},
        {"lone continuation BF", "\xBF"},
        {"overlong 2-byte NUL", "\xC0\x80"},
        {"overlong 2-byte C1", "\xC1\xBF"},
        {"overlong 3-byte", "\xE0\x80\x80"},
        {"overlong 3-byte top", "\xE0\x9F\xBF"},
        {"overlong 4-byte", "\xF0\x80\x80\x80"},
        {"overlong 4-byte top", "\xF0\x8F\xBF\xBF"},
        {"high surrogate U+D800", "\xED\xA0\x80"},
        {"low surrogate U+DFFF", "\xED\xBF\xBF"},
        {"CESU-8 surrogate pair", "\xED\xA0\xBD\xED\xB8\x80"},
        {"above U+10FFFF", "\xF4\x90\x80\x80"},
        {"lead F5", "\xF5\x80\x80\x80"},
        {"lead F8 (5-byte form)", "\xF8\x88\x80\x80\x80"},
        {"lead FC (6-byte form)", "\xFC\x84\x80\x80\x80\x80"},
        {"byte FE", "\xFE"},
        {"byte FF", "\xFF"},
        {"truncated 2-byte at end", "\xC2"},
        {"truncated 3-byte at end", "\xE2\x82"},
        {"truncated 4-byte at end", "\xF0\x9F\x98"},
        {"truncated then ASCII", "\xE2\x82" "A"},
        {"missing continuation", "\xC3" "A"},
    };
    for (const auto& c : cases) {
        EXPECT_FALSE(is_valid_utf8(c.bytes)) << c.what;
        EXPECT_FALSE(reference_valid(c.bytes)) << c.what;
        std::string padded = "0123456789abc" + c.bytes + "tail";
        EXPECT_EQ(first_invalid_utf8(padded), 13u) << c.what;
        auto repaired = replace_invalid_utf8(padded);
        EXPECT_TRUE(is_valid_utf8(repaired)) << c.what;
        EXPECT_EQ(repaired.substr(0, 13), "0123456789abc") << c.what;
        EXPECT_EQ(repaired.substr(repaired.size() - 4), "tail") << c.what;
        EXPECT_NE(repaired.find(fffd), std::string::npos) << c.what;
    }
}

TEST(MultilangUtf8, ReplacesMaximalSubparts)
{
    // The example of the Unicode standard, section 3.9 (table 3-8).
    EXPECT_EQ(replace_invalid_utf8("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"),
              "a" + fffd + fffd + fffd + "b" + fffd + "c" + fffd + fffd + "d");
    EXPECT_EQ(replace_invalid_utf8("\xE0\x80"), fffd + fffd);      // E0 cannot take 80
    EXPECT_EQ(replace_invalid_utf8("\xE2\x82"), fffd);             // one truncated euro sign
    EXPECT_EQ(replace_invalid_utf8("\xED\xA0\x80"), fffd + fffd + fffd);
    EXPECT_EQ(replace_invalid_utf8("\xF0\x9F\x98" "x"), fffd + "x");
    EXPECT_EQ(replace_invalid_utf8("\xC0\xAF"), fffd + fffd);
    EXPECT_EQ(replace_invalid_utf8("ok\xFF"), "ok" + fffd);
}

// Every string of one or two bytes, and every three-byte string starting with a non-ASCII byte,
// must get the same verdict as the reference; repair must always give well-formed text.
TEST(MultilangUtf8, AgreesWithTheReferenceExhaustively)
{
    std::string s;
    for (int a = 0; a < 256; ++a) {
        s.assign(1, static_cast<char>(a));
        ASSERT_EQ(is_valid_utf8(s), reference_valid(s)) << a;
        for (int b = 0; b < 256; ++b) {
            s.assign({static_cast<char>(a), static_cast<char>(b)});
            ASSERT_EQ(is_valid_utf8(s), reference_valid(s)) << a << " " << b;
            ASSERT_TRUE(is_valid_utf8(replace_invalid_utf8(s))) << a << " " << b;
        }
    }
    for (int a = 0x80; a < 256; ++a) {
        for (int b = 0; b < 256; ++b) {
            for (int c = 0; c < 256; ++c) {
                s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
                ASSERT_EQ(is_valid_utf8(s), reference_valid(s)) << a << " " << b << " " << c;
            }
        }
    }
    // Four-byte forms: every lead and second byte with representative tails.
    for (int a = 0xF0; a < 256; ++a) {
        for (int b = 0; b < 256; ++b) {
            for (int tail : {0x41, 0x80, 0xBF, 0xC0}) {
                s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(tail), '\x80'});
                ASSERT_EQ(is_valid_utf8(s), reference_valid(s)) << a << " " << b << " " << tail;
                ASSERT_TRUE(is_valid_utf8(replace_invalid_utf8(s)));
            }
        }
    }
}

} // namespace
} // namespace kspout::text
