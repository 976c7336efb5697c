// kafka-bolt's settings: kafka.bolt.* and the shared client keys, from the Storm conf, a config file and flags.
#pragma once

#include "multilang/messages.hpp"
#include "protocol/io/cluster.hpp"
#include "protocol/io/producer.hpp"
#include "spout/bolt/record_mapping.hpp"
#include "spout/command_line.hpp"
#include "spout/settings_rules.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::spout::bolt {

// What the keys of bolt_key_table() set; start from default_bolt_settings().
struct bolt_settings {
    io::cluster_options cluster;
    // acks, compression, linger, batch size, buffer, retries and their timeouts.
    io::producer_options producer;
    // Where each tuple goes: this topic, unless fields.topic names a field that holds one.
    std::string topic;
    record_fields fields;
    value_encoding value_format = value_encoding::string;
    // Stream a tuple that cannot become a record is emitted on (then acked); empty: it is failed.
    std::string error_stream;
    std::int64_t max_in_flight = 0; // records with the producer at most
    // On stdin EOF or SIGTERM, how long records in flight may take before the rest are failed.
    std::chrono::milliseconds close_timeout{0};
    multilang::log_level log_level = multilang::log_level::info;
    // From Storm's own keys: topology.subprocess.timeout.secs, else supervisor.worker.timeout.secs;
    // topology.message.timeout.secs; topology.shellbolt.max.pending.
    std::chrono::milliseconds subprocess_timeout{30'000};
    std::chrono::milliseconds message_timeout{30'000};
    // topology.shellbolt.max.pending: how many tuples ShellBolt sends before it waits for acks.
    std::int64_t storm_max_pending = 100;
};

using bolt_key_spec = basic_key_spec<bolt_settings>;

using bolt_settings_result = basic_settings_result<bolt_settings>;

// As the spout's load_settings: command line > config file > Storm conf > defaults, every value
// checked. Keys of kafka-spout's table found in the Storm conf (which the whole topology shares)
// are the spout's and are skipped there.
bolt_settings_result load_bolt_settings(const nlohmann::json& storm_conf, const command_line& flags,
                                        const nlohmann::json& config_file = nlohmann::json::object());

bolt_settings default_bolt_settings();

// In README order (spout/README.md, section kafka-bolt).
const std::vector<bolt_key_spec>& bolt_key_table();
const bolt_key_spec* find_bolt_key(std::string_view key);

} // namespace kspout::spout::bolt
