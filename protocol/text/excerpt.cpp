// excerpt: what an error message may quote of input it did not accept.
#include "protocol/text/excerpt.hpp"

#include "protocol/text/utf8.hpp"

#include <algorithm>
#include <cstdio>

namespace kspout::text {
namespace {

void append_escaped_byte(std::string& out, unsigned char b)
{
    char hex[5];
    std::snprintf(hex, sizeof hex, "\\x%02x", b);
    out += hex;
}

// Well-formed UTF-8 as it is, but control bytes escaped.
void append_printable(std::string& out, std::string_view text)
{
    for (char c : text) {
        auto b = static_cast<unsigned char>(c);
        if (b < 0x20 || b == 0x7F) {
            append_escaped_byte(out, b);
        } else {
            out += c;
        }
    }
}

} // namespace

std::string excerpt(std::string_view bytes, std::size_t limit)
{
    std::string_view rest = bytes.substr(0, limit);
    std::string out;
    while (!rest.empty()) {
        std::size_t bad = std::min(first_invalid_utf8(rest), rest.size());
        append_printable(out, rest.substr(0, bad));
        if (bad == rest.size()) break;
        append_escaped_byte(out, static_cast<unsigned char>(rest[bad]));
        rest.remove_prefix(bad + 1);
    }
    if (bytes.size() > limit) out += "... (" + std::to_string(bytes.size()) + " bytes)";
    return out;
}

} // namespace kspout::text
