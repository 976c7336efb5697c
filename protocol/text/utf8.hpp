// Strict UTF-8 checking (Unicode table 3-7) and repair with U+FFFD: JSON text must be UTF-8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kspout::text {

// Well-formed means what the Unicode standard (table 3-7) and RFC 3629 allow: no overlong
// forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence.
bool is_valid_utf8(std::string_view text);
// Byte position of the first ill-formed sequence, or npos.
std::size_t first_invalid_utf8(std::string_view text);

// Replaces each maximal subpart of an ill-formed sequence with U+FFFD, as the Unicode standard
// recommends (section 3.9, "U+FFFD Substitution of Maximal Subparts"): "\xE0\x80" gives two
// U+FFFD, "\xE2\x82" (a truncated euro sign) gives one.
std::string replace_invalid_utf8(std::string_view text);

} // namespace kspout::text
