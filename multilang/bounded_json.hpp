// JSON parsing for text from outside (Storm, components, config files) with a nesting limit.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kspout::multilang {

// Deep enough for any conf, context or tuple a topology really sends; shallow enough that
// nlohmann's recursive copy, compare and dump stay far from the end of the stack.
inline constexpr std::size_t max_json_depth = 128;

// Parses one JSON text, refusing, while it parses, arrays and objects nested deeper than
// `max_depth`. On failure returns nullopt and sets `error` to what was wrong and at which byte,
// quoting at most a bounded, printable excerpt of the text.
std::optional<nlohmann::json> parse_bounded_json(std::string_view text, std::string& error,
                                                 std::size_t max_depth = max_json_depth);

} // namespace kspout::multilang
