// The spout's settings: kafka.* keys from the Storm conf, a JSON config file and command-line flags.
#pragma once

#include "multilang/messages.hpp"
#include "protocol/balanced/balanced_options.hpp"
#include "protocol/io/cluster.hpp"
#include "protocol/member/classic_member.hpp"
#include "protocol/member/member_factory.hpp"
#include "spout/command_line.hpp"
#include "spout/config_file.hpp"
#include "spout/metrics.hpp"
#include "spout/rebalance_pacing.hpp"
#include "spout/retry_policy.hpp"
#include "spout/settings_rules.hpp"
#include "spout/tuple_mapper.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::spout {

enum class assignment_mode {
    balanced,      // "balanced": a member of a pykafka-style group coordinated through ZooKeeper
    by_task_index, // "static": round robin over the sorted partitions by task index, no group
    kafka,         // "kafka": a member of a broker-managed classic group (Kafka 0.9+)
};

// What the keys of the key table (settings_keys.hpp) set. The table holds each key's default,
// and spout/README.md documents them; a default-constructed settings has the protocol's
// defaults and zeros instead, so start from default_settings().
struct settings {
    // The brokers: bootstrap servers, client id, version fallback and the ApiVersions probe.
    io::cluster_options cluster;
    // The topic, the group, ZooKeeper and the claim pacing; in group.consumer the fetch, buffer,
    // offset reset, isolation and CRC keys. group.fixed (static assignment) comes from the
    // topology context, which the spout reads after the settings.
    balanced::balanced_options group;
    assignment_mode assignment = assignment_mode::balanced;
    // The broker-managed group's timeouts and assignor (kafka assignment); its group id and topic
    // come from `group`, and the spout fills group_instance_id (kafka.group.instance.id, else
    // derived from the topology name, component id and task index).
    member::classic_member_options broker_group;
    member::group_protocol group_protocol = member::group_protocol::best_offered;
    std::string group_instance_id; // as given; empty: derived
    // As given; load_settings sets group's claim pacing from them (set_rebalance_pacing).
    rebalance_keys rebalance;

    // Tuples
    std::vector<tuple_field> fields;
    std::string stream;
    value_format format = value_format::string;
    invalid_utf8_policy invalid_utf8 = invalid_utf8_policy::base64;

    // The spout loop
    std::int32_t batch_size = 0; // emits per next at most
    std::chrono::milliseconds next_wait{0};
    std::int64_t max_uncommitted_offsets = 0; // per partition
    std::chrono::milliseconds commit_interval{0};
    // How long partitions a rebalance takes away wait for their in-flight tuples' acks (0: no wait).
    std::chrono::milliseconds revoke_drain{0};
    retry_options retry;
    std::chrono::milliseconds stats_interval{0}; // 0: no stats lines
    // Least level of the log lines sent to Storm (the spout's, the consumer's, and at debug
    // also the ZooKeeper client library's).
    multilang::log_level log_level = multilang::log_level::info;
    // Storm metrics. load_settings gives every listed kind its full name.
    metrics_options metrics;
    std::string metrics_prefix; // the name of a kind listed without one

    // From Storm's own keys: topology.subprocess.timeout.secs, else supervisor.worker.timeout.secs.
    std::chrono::milliseconds subprocess_timeout{30'000};
};

std::string_view to_string(assignment_mode mode);

using settings_result = basic_settings_result<settings>;

// Precedence: command line > config file > Storm conf > defaults. Every value given anywhere is
// checked, even one a higher source overrides. Keys outside kafka. in the Storm conf belong to
// Storm and are ignored, except the two timeouts above; the file and the command line take
// kafka. keys only. config_file is the parsed --config file, or an empty object.
settings_result load_settings(const nlohmann::json& storm_conf, const command_line& flags,
                              const nlohmann::json& config_file = nlohmann::json::object());

// Every key at its default; required keys are left empty.
settings default_settings();

// The kafka.* keys this spout understands, in README order.
std::vector<std::string_view> settings_keys();

} // namespace kspout::spout
