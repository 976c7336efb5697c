// What the rdkafka consumer and producer share: making the handle, log levels, opaque ids.
#pragma once

#include "protocol/log/logger.hpp"
#include "protocol/rdkafka/rdkafka_handles.hpp"
#include "protocol/rdkafka/rdkafka_properties.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace kspout::rdkafka {

// A librdkafka client configured with `properties` (and log.queue=true whatever they say, so
// that logs are served on our thread), `opaque` for its callbacks, and whatever `configure` sets
// (callbacks). Throws std::invalid_argument naming a property librdkafka refuses (never its
// value: it may be a secret) or why it cannot start.
rd_kafka_t* new_client(rd_kafka_type_t type, const std::vector<property>& properties, void* opaque,
                       const std::function<void(rd_kafka_conf_t*)>& configure);

// Closes (a consumer) and destroys a client; waits for its threads, so call it off the executor.
void destroy_client(rd_kafka_t* rk);

log::log_level from_syslog(int level) noexcept;

inline void* as_opaque(std::uint64_t id) noexcept
{
    return reinterpret_cast<void*>(static_cast<std::uintptr_t>(id));
}

inline std::uint64_t from_opaque(void* opaque) noexcept
{
    return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(opaque));
}

} // namespace kspout::rdkafka
