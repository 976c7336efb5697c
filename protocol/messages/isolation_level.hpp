// The transaction isolation level sent by Fetch (v4+) and ListOffsets (v2+).
#pragma once

#include <cstdint>

namespace kspout::messages {

enum class isolation_level : std::int8_t {
    read_uncommitted = 0,
    read_committed = 1,
};

} // namespace kspout::messages
