// Which client does the broker I/O: ours, or librdkafka (the rdkafka engine).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace kspout::io {

enum class client_engine { native, rdkafka };

// librdkafka properties given by the user (kafka.rdkafka.NAME = VALUE), in the order given.
using rdkafka_property_list = std::vector<std::pair<std::string, std::string>>;

// Whether this build has the engine (the rdkafka engine is left out with KSPOUT_WITH_RDKAFKA=OFF).
bool engine_built(client_engine engine) noexcept;

} // namespace kspout::io
