// Multilang messages in both directions, parsed and checked the way Storm's Java side does.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kspout::multilang {

using json = nlohmann::json;

// ---- Storm -> component ----

struct handshake {
    std::string pid_dir;
    json conf = json::object();
    json context = json::object();
};

enum class spout_command_kind { next, ack, fail, activate, deactivate };

struct spout_command {
    spout_command_kind kind = spout_command_kind::next;
    json id; // "" for next/activate/deactivate; the emitted id (a string from us) for ack/fail
};

struct bolt_tuple {
    std::string id;
    std::optional<std::string> component; // null on heartbeat tuples
    std::string stream;
    std::int64_t task = 0;
    json values = json::array();

    bool is_heartbeat() const { return task == -1 && stream == "__heartbeat"; }
    bool is_tick() const { return task == -1 && stream == "__tick"; }
};

struct task_ids {
    std::vector<std::int64_t> ids;
};

struct unknown_command {
    std::string name;
    json id;
};

using storm_message = std::variant<spout_command, bolt_tuple, task_ids, unknown_command>;

struct parse_result {
    std::optional<storm_message> message;
    std::string error; // set when message is empty: what was wrong, for a log line
};

parse_result parse_storm_message(std::string_view text);
std::optional<handshake> parse_handshake(std::string_view text, std::string& error);

// ---- component -> Storm ----

enum class log_level : int { trace = 0, debug = 1, info = 2, warn = 3, error = 4 };

struct emit_message {
    std::optional<std::string> stream;   // absent: "default"
    json tuple = json::array();
    std::optional<std::string> id;       // absent: unreliable
    std::vector<std::string> anchors;    // bolts only
    std::optional<std::int64_t> task;    // direct emit (avoid: Storm >= 2.6 rejects it)
    bool need_task_ids = false;
};
struct log_message {
    std::string msg;
    log_level level = log_level::info;
};
struct error_message {
    std::string msg;
};
struct metrics_message {
    std::string name;
    json params;
};
struct sync_message {};
struct pid_message {
    std::int64_t pid = 0;
};
struct ack_message { // bolts only
    std::string id;
};
struct fail_message { // bolts only
    std::string id;
};

using component_message = std::variant<emit_message, log_message, error_message, metrics_message, sync_message,
                                       pid_message, ack_message, fail_message>;

// Strict RFC 8259 JSON text of a message (no framing). Log and error texts that are not UTF-8
// are repaired with U+FFFD; in other strings invalid UTF-8 throws json::type_error, so callers
// sanitize values first (see spout/tuple_mapper).
std::string to_json_text(const component_message& message);
// The same for an emit, without copying it into a component_message first (the hot path).
std::string to_json_text(const emit_message& message);

// Parses what a component wrote, applying Storm's JsonSerializer rules (field types checked
// for every command; `stream` defaults to "default"; `need_task_ids` defaults to true). Used by
// the host side (local runner, tests). A handshake reply parses as pid_message.
struct component_parse_result {
    std::optional<component_message> message;
    std::string error;
};
component_parse_result parse_component_message(std::string_view text);

std::string_view command_name(spout_command_kind kind);

} // namespace kspout::multilang
