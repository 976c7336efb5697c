// libFuzzer: the spout's settings from all three sources. Input: a handshake (its conf is the
// Storm conf), a config file's text and command-line arguments one per line, separated by lines
// "---". The config file's text goes through parse_config_text in memory; one input in 64 (picked
// by a hash of its bytes, so an input always takes the same path) also goes through
// read_config_file from a temporary file, which must give the same value and error. Writing a
// file for every input made this target the slowest by far.
#include "multilang/messages.hpp"
#include "protocol/text/excerpt.hpp"
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

// FNV-1a of the input; one in 64 goes through the file.
bool through_file(std::string_view input)
{
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : input) h = (h ^ c) * 1099511628211ull;
    return (h & 63) == 0;
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
        const std::string& path = config_path();
        std::string text_error;
        auto parsed = spout::parse_config_text(parts[1], text::excerpt(path, 120), text_error);
        if (parsed.has_value() == !text_error.empty()) std::abort();
        if (through_file(input)) {
            if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
                std::fwrite(parts[1].data(), 1, parts[1].size(), f);
                std::fclose(f);
            }
            std::string file_error;
            auto read = spout::read_config_file(path, file_error);
            std::remove(path.c_str());
            if (read.has_value() == !file_error.empty()) std::abort();
            if (read.has_value() != parsed.has_value() || file_error != text_error) std::abort();
            if (read && *read != *parsed) std::abort();
        }
        if (parsed) file = std::move(*parsed);
        flags->config_file = path;
    }

    spout::settings_result result = spout::load_settings(storm_conf, *flags, file);
    if (result.value.has_value() == !result.errors.empty()) std::abort();
    return 0;
}
