// The spout's command line: --kafka.KEY=VALUE and --set overrides, and the --config file's name.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace kspout::spout {

// What the command line asked for. Accepted forms: --kafka.KEY=VALUE, --set KEY=VALUE,
// --set=KEY=VALUE, --config FILE, --config=FILE. Overrides keep their order (a later one wins).
struct command_line {
    std::vector<std::pair<std::string, std::string>> overrides;
    std::optional<std::string> config_file;
};

// error names the argument that is not understood.
std::optional<command_line> parse_command_line(std::span<const std::string> args, std::string& error);

} // namespace kspout::spout
