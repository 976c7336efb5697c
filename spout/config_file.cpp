// read_config_file and parse_config_text: the file's JSON object; its keys are checked by load_settings.
#include "spout/config_file.hpp"

#include "multilang/bounded_json.hpp"
#include "protocol/text/excerpt.hpp"
#include "spout/settings_values.hpp"

#include <fstream>
#include <sstream>

namespace kspout::spout {

using json = nlohmann::json;

std::optional<json> read_config_file(const std::string& path, std::string& error)
{
    std::string name = text::excerpt(path, 120);
    if (holds_nul(path)) {
        error = "config file name " + name + " holds a NUL character";
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot open config file " + name;
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config_text(text.str(), name, error);
}

std::optional<json> parse_config_text(std::string_view text, const std::string& name, std::string& error)
{
    std::string why;
    auto parsed = multilang::parse_bounded_json(text, why);
    if (!parsed) {
        error = "config file " + name + " is not valid JSON: " + why;
        return std::nullopt;
    }
    if (!parsed->is_object()) {
        error = "config file " + name + " is not a JSON object of \"kafka.KEY\": value";
        return std::nullopt;
    }
    return parsed;
}

std::optional<startup_args> read_startup_args(int argc, char** argv, std::string& error)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    auto flags = parse_command_line(args, error);
    if (!flags) return std::nullopt;
    startup_args out{std::move(*flags)};
    if (out.flags.config_file) {
        auto file = read_config_file(*out.flags.config_file, error);
        if (!file) return std::nullopt;
        out.config_file = std::move(*file);
    }
    return out;
}

} // namespace kspout::spout
