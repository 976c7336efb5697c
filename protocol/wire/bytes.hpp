// Byte buffer and view aliases shared by every codec.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace kspout::wire {

using byte_buffer = std::vector<std::uint8_t>;
using bytes_view = std::span<const std::uint8_t>;

inline bytes_view as_bytes(std::string_view text)
{
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

inline std::string_view as_text(bytes_view bytes)
{
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

} // namespace kspout::wire
