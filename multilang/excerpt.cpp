// excerpt and describe: what an error message may quote of input it did not accept.
#include "multilang/excerpt.hpp"

#include <cstdio>

namespace kspout::multilang {
namespace {

// Length of the valid UTF-8 sequence at `s[i]`, or 0 when it is not one (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i)
{
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char b = byte(i);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
    }
    if (n == 2 && b < 0xC2) return 0;
    if (n == 3) {
        unsigned char c = byte(i + 1);
        if ((b == 0xE0 && c < 0xA0) || (b == 0xED && c >= 0xA0)) return 0;
    }
    if (n == 4) {
        unsigned char c = byte(i + 1);
        if ((b == 0xF0 && c < 0x90) || (b == 0xF4 && c >= 0x90) || b > 0xF4) return 0;
    }
    return n;
}

void append_escaped_byte(std::string& out, unsigned char b)
{
    char hex[5];
    std::snprintf(hex, sizeof hex, "\\x%02x", b);
    out += hex;
}

} // namespace

std::string excerpt(std::string_view bytes, std::size_t limit)
{
    std::string out;
    std::size_t i = 0;
    while (i < bytes.size() && i < limit) {
        auto b = static_cast<unsigned char>(bytes[i]);
        if (b < 0x20 || b == 0x7F) {
            append_escaped_byte(out, b);
            ++i;
        } else if (std::size_t n = utf8_sequence_length(bytes, i); n > 0 && i + n <= limit) {
            out.append(bytes.substr(i, n));
            i += n;
        } else {
            append_escaped_byte(out, b);
            ++i;
        }
    }
    if (i < bytes.size()) out += "... (" + std::to_string(bytes.size()) + " bytes)";
    return out;
}

std::string describe(const nlohmann::json& value, std::size_t limit)
{
    switch (value.type()) {
    case nlohmann::json::value_t::string: return "\"" + excerpt(value.get_ref<const std::string&>(), limit) + "\"";
    case nlohmann::json::value_t::array: return "an array of " + std::to_string(value.size()) + " elements";
    case nlohmann::json::value_t::object: return "an object of " + std::to_string(value.size()) + " keys";
    case nlohmann::json::value_t::binary: return "binary data";
    case nlohmann::json::value_t::discarded: return "nothing";
    default: return value.dump(); // null, boolean, number: short by nature
    }
}

} // namespace kspout::multilang
