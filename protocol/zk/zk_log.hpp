// Routes the ZooKeeper C library's own log lines to a log::logger instead of stderr.
#pragma once

#include "protocol/log/logger.hpp"

#include <string_view>

namespace kspout::zk {

// The C library keeps one log level for the whole process, so its lines go to one process-wide
// logger. Until one is set they are dropped: left alone the library prints to stderr, which Storm
// only drains between commands. The sink is called from the library's own threads, so it must be
// thread-safe. Lines are prefixed with "zookeeper: ".
void set_library_logger(log::logger logger);

// One library line ("2024-01-01 10:00:00,123:42(0x7f..):ZOO_WARN@func@123: text") split into
// our level and its text; lines of another shape keep their text whole at level info.
struct library_line {
    log::log_level level = log::log_level::info;
    std::string_view text;
};
library_line parse_library_line(std::string_view line) noexcept;

// The callback every handle of ours is created with (zookeeper_init2).
void route_library_line(const char* line);

} // namespace kspout::zk
