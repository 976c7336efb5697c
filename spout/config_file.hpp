// The spout's --config file: one JSON object of "kafka.KEY": value, read and parsed with bounded nesting.
#pragma once

#include "spout/command_line.hpp"

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

// What an executable starts from: its command line and the --config file it names (or an empty object).
struct startup_args {
    command_line flags;
    nlohmann::json config_file = nlohmann::json::object();
};

// Parses argv past the program name and reads the config file; error names what is wrong.
std::optional<startup_args> read_startup_args(int argc, char** argv, std::string& error);

} // namespace kspout::spout
