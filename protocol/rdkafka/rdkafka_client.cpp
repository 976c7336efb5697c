// What the rdkafka consumer and producer share: making the handle, log levels, opaque ids.
#include "protocol/rdkafka/rdkafka_client.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace kspout::rdkafka {

rd_kafka_t* new_client(rd_kafka_type_t type, const std::vector<property>& properties, void* opaque,
                       const std::function<void(rd_kafka_conf_t*)>& configure)
{
    std::array<char, 512> why{};
    conf_ptr conf(rd_kafka_conf_new());
    for (const auto& p : properties) {
        if (rd_kafka_conf_set(conf.get(), p.name.c_str(), p.value.c_str(), why.data(), why.size()) != RD_KAFKA_CONF_OK) {
            // librdkafka's reason may quote the value: not for a secret.
            throw std::invalid_argument("librdkafka refuses " + p.name + ": " +
                                        (is_secret_property(p.name) ? std::string("(its value is hidden)") : why.data()));
        }
    }
    // Callbacks must run on our thread only: logs wait on a queue, whatever the properties said.
    rd_kafka_conf_set(conf.get(), "log.queue", "true", why.data(), why.size());
    rd_kafka_conf_set_opaque(conf.get(), opaque);
    configure(conf.get());
    rd_kafka_t* rk = rd_kafka_new(type, conf.get(), why.data(), why.size());
    if (!rk) throw std::invalid_argument(std::string("librdkafka cannot start: ") + why.data());
    conf.release(); // rd_kafka_new owns it now
    rd_kafka_set_log_queue(rk, nullptr); // logs wait on the main queue for our thread
    return rk;
}

void destroy_client(rd_kafka_t* rk)
{
    if (!rk) return;
    if (rd_kafka_type(rk) == RD_KAFKA_CONSUMER) {
        rd_kafka_assign(rk, nullptr);
        rd_kafka_consumer_close(rk);
    }
    rd_kafka_destroy(rk);
}

log::log_level from_syslog(int level) noexcept
{
    if (level <= 3) return log::log_level::error;
    if (level == 4) return log::log_level::warning;
    if (level <= 6) return log::log_level::info;
    return log::log_level::debug;
}

} // namespace kspout::rdkafka
