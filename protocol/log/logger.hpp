// A small injected logger: a level threshold and a sink; no I/O of its own. Used by io, zk and
// the layers above them.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace kspout::log {

enum class log_level { debug, info, warning, error };

constexpr std::string_view level_name(log_level l) noexcept
{
    switch (l) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warning: return "warning";
    case log_level::error: return "error";
    }
    return "error";
}

struct logger {
    std::function<void(log_level, std::string_view)> sink; // empty: logging off
    log_level threshold = log_level::info;

    bool enabled(log_level l) const noexcept { return sink && l >= threshold; }
    void log(log_level l, std::string_view text) const
    {
        if (enabled(l)) sink(l, text);
    }
    void debug(std::string_view text) const { log(log_level::debug, text); }
    void info(std::string_view text) const { log(log_level::info, text); }
    void warning(std::string_view text) const { log(log_level::warning, text); }
    void error(std::string_view text) const { log(log_level::error, text); }
};

} // namespace kspout::log
