// parse_command_line: the argument forms; the values are checked later, by load_settings.
#include "spout/command_line.hpp"

#include "protocol/text/excerpt.hpp"

#include <string_view>

namespace kspout::spout {

std::optional<command_line> parse_command_line(std::span<const std::string> args, std::string& error)
{
    command_line out;
    auto add_override = [&](std::string_view arg, std::string_view assignment) {
        auto eq = assignment.find('=');
        if (eq == std::string_view::npos || eq == 0) {
            error = "argument \"" + text::excerpt(arg, 80) + "\" is not of the form KEY=VALUE";
            return false;
        }
        out.overrides.emplace_back(assignment.substr(0, eq), assignment.substr(eq + 1));
        return true;
    };
    auto set_config = [&](std::string_view path) {
        if (out.config_file) {
            error = "--config given twice";
            return false;
        }
        if (path.empty()) {
            error = "--config needs a file name";
            return false;
        }
        out.config_file = std::string(path);
        return true;
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        bool ok = true;
        if (arg.starts_with("--kafka.")) {
            ok = add_override(arg, arg.substr(2));
        } else if (arg == "--set" || arg == "--config") {
            if (i + 1 == args.size()) {
                error = std::string(arg) + " needs a value";
                return std::nullopt;
            }
            std::string_view value = args[++i];
            ok = arg == "--set" ? add_override(value, value) : set_config(value);
        } else if (arg.starts_with("--set=")) {
            ok = add_override(arg, arg.substr(6));
        } else if (arg.starts_with("--config=")) {
            ok = set_config(arg.substr(9));
        } else {
            error = "unknown argument \"" + text::excerpt(arg, 80) + "\"";
            return std::nullopt;
        }
        if (!ok) return std::nullopt;
    }
    return out;
}

} // namespace kspout::spout
