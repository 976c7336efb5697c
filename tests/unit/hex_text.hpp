// Bytes as lowercase hex text and back, for tests that spell out byte layouts.
#pragma once

#include "protocol/wire/bytes.hpp"

#include <string>
#include <string_view>

namespace kspout::test {

inline std::string hex(wire::bytes_view bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    for (std::uint8_t b : bytes) {
        text += digits[b >> 4];
        text += digits[b & 15];
    }
    return text;
}

inline wire::byte_buffer unhex(std::string_view text)
{
    wire::byte_buffer out;
    for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
    }
    return out;
}

} // namespace kspout::test
