// Short descriptions of JSON values from outside, for error and log messages.
#pragma once

#include "protocol/text/excerpt.hpp"

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace kspout::multilang {

// A short description of a JSON value from outside: scalars as bounded text (a string is quoted
// and cut like text::excerpt), arrays and objects by type and size, never dumped in full.
std::string describe(const nlohmann::json& value, std::size_t limit = text::default_excerpt_bytes);

} // namespace kspout::multilang
