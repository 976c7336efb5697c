// io::logger, io::log_level: the names spout/kafka_spout.cpp still uses for the shared logger in
// protocol/log/logger.hpp. Remove once it says log::logger.
#pragma once

#include "protocol/log/logger.hpp"

namespace kspout::io {

using log::level_name;
using log::log_level;
using log::logger;

} // namespace kspout::io
