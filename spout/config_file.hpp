// The spout's --config file: one JSON object of "kafka.KEY": value, read and parsed with bounded nesting.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace kspout::spout {

// Reads a config file: one JSON object of "kafka.KEY": value. error names the file and the reason.
std::optional<nlohmann::json> read_config_file(const std::string& path, std::string& error);

// The part of read_config_file after the read: text is the file's contents, name (already
// excerpted and quoted as the caller wants it shown) goes into error.
std::optional<nlohmann::json> parse_config_text(std::string_view text, const std::string& name, std::string& error);

} // namespace kspout::spout
