// The process-wide sink for the ZooKeeper C library's log lines, and the parser of their prefix.
#include "protocol/zk/zk_log.hpp"

#include <zookeeper/zookeeper.h>

#include <array>
#include <mutex>
#include <string>
#include <utility>

namespace kspout::zk {
namespace {

struct library_sink {
    std::mutex mutex;
    log::logger logger;
};

library_sink& sink()
{
    static library_sink instance;
    return instance;
}

ZooLogLevel library_level(const log::logger& logger)
{
    if (!logger.sink)
        return static_cast<ZooLogLevel>(0); // 0 turns the library's logging off entirely
    switch (logger.threshold) {
    case log::log_level::debug: return ZOO_LOG_LEVEL_DEBUG;
    case log::log_level::info: return ZOO_LOG_LEVEL_INFO;
    case log::log_level::warning: return ZOO_LOG_LEVEL_WARN;
    case log::log_level::error: return ZOO_LOG_LEVEL_ERROR;
    }
    return ZOO_LOG_LEVEL_ERROR;
}

} // namespace

void set_library_logger(log::logger logger)
{
    ZooLogLevel level = library_level(logger);
    library_sink& s = sink();
    std::lock_guard lock(s.mutex);
    s.logger = std::move(logger);
    zoo_set_debug_level(level);
}

library_line parse_library_line(std::string_view line) noexcept
{
    static constexpr std::array<std::pair<std::string_view, log::log_level>, 4> levels{{
        {":ZOO_ERROR@", log::log_level::error},
        {":ZOO_WARN@", log::log_level::warning},
        {":ZOO_INFO@", log::log_level::info},
        {":ZOO_DEBUG@", log::log_level::debug},
    }};
    for (const auto& [marker, level] : levels) {
        std::size_t at = line.find(marker);
        if (at == std::string_view::npos)
            continue;
        // After the marker come "function@line: " and then the text.
        std::size_t text = line.find(": ", at + marker.size());
        if (text == std::string_view::npos)
            return {level, line.substr(at + marker.size())};
        return {level, line.substr(text + 2)};
    }
    return {log::log_level::info, line};
}

void route_library_line(const char* line)
{
    if (line == nullptr)
        return;
    log::logger logger;
    {
        library_sink& s = sink();
        std::lock_guard lock(s.mutex);
        if (!s.logger.sink)
            return;
        logger = s.logger;
    }
    library_line parsed = parse_library_line(line);
    if (!logger.enabled(parsed.level))
        return;
    std::string text = "zookeeper: ";
    text += parsed.text;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    logger.log(parsed.level, text);
}

} // namespace kspout::zk
