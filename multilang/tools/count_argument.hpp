// A command-line count (--seconds 10, --tasks 4): the whole text a decimal number from 0 up.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace kspout::multilang::tools {

// Nothing for text that is empty, signed, not all digits or out of range.
inline std::optional<long> count_argument(std::string_view text)
{
    long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
    return value;
}

} // namespace kspout::multilang::tools
