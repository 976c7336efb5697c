// UTF-8 checking with an eight-bytes-at-a-time ASCII path, and U+FFFD repair.
#include "protocol/text/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace kspout::text {

namespace {

using byte = unsigned char;

bool eight_ascii(const byte* p)
{
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    return (word & 0x8080808080808080ull) == 0;
}

// Length (2..4) of the well-formed multi-byte sequence at p, or 0 with `bad` set to the length of
// its maximal subpart (>= 1): the bytes that could still have begun a well-formed sequence.
int sequence_length(const byte* p, const byte* end, int& bad)
{
    byte lead = p[0];
    int need;
    byte lo = 0x80, hi = 0xBF; // allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 2;
        if (lead == 0xE0) lo = 0xA0;      // below: overlong
        else if (lead == 0xED) hi = 0x9F; // above: surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 3;
        if (lead == 0xF0) lo = 0x90;      // below: overlong
        else if (lead == 0xF4) hi = 0x8F; // above: past U+10FFFF
    } else {
        bad = 1; // a continuation byte, C0/C1 (always overlong) or F5..FF
        return 0;
    }
    for (int i = 1; i <= need; ++i) {
        if (p + i >= end || p[i] < lo || p[i] > hi) {
            bad = i;
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return need + 1;
}

} // namespace

std::size_t first_invalid_utf8(std::string_view text)
{
    const byte* begin = reinterpret_cast<const byte*>(text.data());
    const byte* end = begin + text.size();
    const byte* p = begin;
    while (p < end) {
        if (end - p >= 8 && eight_ascii(p)) {
            p += 8;
        } else if (*p < 0x80) {
            ++p;
        } else {
            int bad = 0;
            int n = sequence_length(p, end, bad);
            if (n == 0) return static_cast<std::size_t>(p - begin);
            p += n;
        }
    }
    return std::string_view::npos;
}

bool is_valid_utf8(std::string_view text)
{
    return first_invalid_utf8(text) == std::string_view::npos;
}

std::string replace_invalid_utf8(std::string_view text)
{
    static constexpr std::string_view replacement = "\xEF\xBF\xBD";
    std::string out;
    out.reserve(text.size() + replacement.size());
    const byte* begin = reinterpret_cast<const byte*>(text.data());
    const byte* end = begin + text.size();
    const byte* run = begin; // start of the well-formed bytes not yet copied
    const byte* p = begin;
    while (p < end) {
        if (end - p >= 8 && eight_ascii(p)) {
            p += 8;
            continue;
        }
        if (*p < 0x80) {
            ++p;
            continue;
        }
        int bad = 0;
        int n = sequence_length(p, end, bad);
        if (n > 0) {
            p += n;
            continue;
        }
        out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
        out.append(replacement);
        p += bad;
        run = p;
    }
    out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(end - run));
    return out;
}

} // namespace kspout::text
