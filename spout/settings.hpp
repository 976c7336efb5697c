// The spout's settings: kafka.* keys from the Storm conf, a JSON config file and command-line flags.
#pragma once

#include "multilang/messages.hpp"
#include "spout/metrics.hpp"
#include "spout/retry_policy.hpp"
#include "spout/tuple_mapper.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kspout::spout {

enum class assignment_mode {
    balanced,      // "balanced": a member of a pykafka-style group coordinated through ZooKeeper
    by_task_index, // "static": round robin over the sorted partitions by task index, no group
};
enum class offset_reset { earliest, latest, error };
enum class isolation_level { read_uncommitted, read_committed };
// How the owners directory of the group's znodes is spelled: "owners/<topic>", or "owners/b'<topic>'"
// as pykafka writes it under Python 3. Members of one group must agree.
enum class owners_dir { plain, python3 };

// Every field is documented, with its key and default, in spout/README.md.
struct settings {
    // Kafka and ZooKeeper
    std::vector<std::string> bootstrap_servers; // "host:port"
    std::string zookeeper_connect;              // "host:port[,host:port...][/chroot]"
    std::string topic;
    std::string group_id;
    std::string client_id = "kafka-spout";
    assignment_mode assignment = assignment_mode::balanced;
    offset_reset auto_offset_reset = offset_reset::earliest;
    bool reset_offset_on_start = false;
    std::int32_t fetch_min_bytes = 1;
    std::chrono::milliseconds fetch_max_wait{100};
    std::int32_t fetch_max_bytes = 1024 * 1024; // per partition
    std::int64_t queued_max_messages = 2000;    // per partition
    std::int64_t queued_max_bytes = 16 * 1024 * 1024;
    isolation_level isolation = isolation_level::read_committed;
    bool check_crcs = true;
    std::string broker_version_fallback = "0.10.0";
    bool api_version_request = true; // false: no ApiVersions probe, the fallback table from the start
    std::chrono::milliseconds zookeeper_session_timeout{6000};
    owners_dir zookeeper_owners_dir = owners_dir::plain;
    std::int32_t rebalance_max_retries = 5;
    std::chrono::milliseconds rebalance_backoff{2000};

    // Tuples
    std::vector<tuple_field> fields = default_tuple_fields();
    std::string stream = "default";
    value_format format = value_format::string;
    invalid_utf8_policy invalid_utf8 = invalid_utf8_policy::base64;

    // The spout loop
    std::int32_t batch_size = 100; // emits per next at most
    std::chrono::milliseconds next_wait{5};
    std::int64_t max_uncommitted_offsets = 1'000'000; // per partition
    std::chrono::milliseconds commit_interval{5000};
    // How long partitions a rebalance takes away wait for their in-flight tuples' acks (0: no wait).
    std::chrono::milliseconds revoke_drain{1000};
    retry_options retry;
    std::chrono::milliseconds stats_interval{60'000}; // 0: no stats lines
    // Least level of the log lines sent to Storm (the spout's, the consumer's, and at debug
    // also the ZooKeeper client library's).
    multilang::log_level log_level = multilang::log_level::info;
    // Storm metrics; none by default. load_settings gives every listed kind its full name.
    metrics_options metrics;
    std::string metrics_prefix = "kafka-spout."; // the name of a kind listed without one

    // From Storm's own keys: topology.subprocess.timeout.secs, else supervisor.worker.timeout.secs.
    std::chrono::milliseconds subprocess_timeout{30'000};
};

std::string_view to_string(assignment_mode mode);
std::string_view to_string(offset_reset reset);
std::string_view to_string(isolation_level level);

// What the command line asked for. Accepted forms: --kafka.KEY=VALUE, --set KEY=VALUE,
// --set=KEY=VALUE, --config FILE, --config=FILE. Overrides keep their order (a later one wins).
struct command_line {
    std::vector<std::pair<std::string, std::string>> overrides;
    std::optional<std::string> config_file;
};

// error names the argument that is not understood.
std::optional<command_line> parse_command_line(std::span<const std::string> args, std::string& error);

// Reads a config file: one JSON object of "kafka.KEY": value. error names the file and the reason.
std::optional<nlohmann::json> read_config_file(const std::string& path, std::string& error);

// The part of read_config_file after the read: text is the file's contents, name (already
// excerpted and quoted as the caller wants it shown) goes into error.
std::optional<nlohmann::json> parse_config_text(std::string_view text, const std::string& name, std::string& error);

struct settings_result {
    std::optional<settings> value;
    std::vector<std::string> errors; // each names the key, the bad value and where it came from
};

// Precedence: command line > config file > Storm conf > defaults. Every value given anywhere is
// checked, even one a higher source overrides. Keys outside kafka. in the Storm conf belong to
// Storm and are ignored, except the two timeouts above; the file and the command line take
// kafka. keys only. config_file is the parsed --config file, or an empty object.
settings_result load_settings(const nlohmann::json& storm_conf, const command_line& flags,
                              const nlohmann::json& config_file = nlohmann::json::object());

// The kafka.* keys this spout understands, in README order.
std::vector<std::string_view> settings_keys();

} // namespace kspout::spout
