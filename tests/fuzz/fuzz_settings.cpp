// libFuzzer: the spout's settings from all three sources. Input: a handshake (its conf is the
// Storm conf), a config file's text and command-line arguments one per line, separated by lines
// "---". The config file goes through read_config_file from a temporary file.
#include "multilang/messages.hpp"
#include "spout/settings.hpp"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace kspout;

std::vector<std::string_view> split(std::string_view text, std::string_view separator, std::size_t max_parts)
{
    std::vector<std::string_view> parts;
    while (parts.size() + 1 < max_parts) {
        auto at = text.find(separator);
        if (at == std::string_view::npos) break;
        parts.push_back(text.substr(0, at));
        text.remove_prefix(at + separator.size());
    }
    parts.push_back(text);
    return parts;
}

const std::string& config_path()
{
    static const std::string path = [] {
        std::string p = "/tmp/kspout-fuzz-settings-" + std::to_string(::getpid()) + ".json";
        return p;
    }();
    return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view input(reinterpret_cast<const char*>(data), size);
    auto parts = split(input, "\n---\n", 3);
    parts.resize(3);

    std::string error;
    auto handshake = multilang::parse_handshake(parts[0], error);
    nlohmann::json storm_conf = handshake ? handshake->conf : nlohmann::json();

    std::vector<std::string> args;
    for (std::string_view line : split(parts[2], "\n", 1000)) {
        if (!line.empty()) args.emplace_back(line);
    }
    std::string cl_error;
    auto flags = spout::parse_command_line(args, cl_error);
    if (flags.has_value() == !cl_error.empty()) std::abort();
    if (!flags) flags.emplace();

    nlohmann::json file = nlohmann::json::object();
    if (!parts[1].empty()) {
        if (std::FILE* f = std::fopen(config_path().c_str(), "wb")) {
            std::fwrite(parts[1].data(), 1, parts[1].size(), f);
            std::fclose(f);
        }
        std::string file_error;
        auto read = spout::read_config_file(config_path(), file_error);
        if (read.has_value() == !file_error.empty()) std::abort();
        if (read) file = std::move(*read);
        flags->config_file = config_path();
    }

    spout::settings_result result = spout::load_settings(storm_conf, *flags, file);
    if (result.value.has_value() == !result.errors.empty()) std::abort();
    return 0;
}
