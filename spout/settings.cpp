// load_settings: the key table, value conversions, the three sources in order, and cross-key checks.
#include "spout/settings.hpp"

#include "multilang/bounded_json.hpp"
#include "multilang/excerpt.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace kspout::spout {

using json = nlohmann::json;
using std::chrono::milliseconds;

namespace {

constexpr std::int64_t int32_max = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

// A converter returns the value, or nullopt with `why` saying what was expected.
std::optional<std::int64_t> as_int(const json& v, std::int64_t min, std::int64_t max, std::string& why)
{
    std::optional<std::int64_t> n;
    if (v.is_number_integer() && !(v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(int64_max))) {
        n = v.get<std::int64_t>();
    } else if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        std::int64_t parsed = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
        if (!s.empty() && ec == std::errc() && end == s.data() + s.size()) n = parsed;
    }
    if (!n || *n < min || *n > max) {
        why = "expected an integer from " + std::to_string(min) + " to " + std::to_string(max);
        return std::nullopt;
    }
    return n;
}

std::optional<bool> as_bool(const json& v, std::string& why)
{
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        if (s == "true") return true;
        if (s == "false") return false;
    }
    why = "expected true or false";
    return std::nullopt;
}

// Names and addresses end up in C strings (ZooKeeper paths, host names), where a NUL cuts them.
bool holds_nul(std::string_view s)
{
    return s.find('\0') != std::string_view::npos;
}

// Integers are taken as their decimal text: YAML turns `group.id: 42` into a number.
std::optional<std::string> as_string(const json& v, std::string& why)
{
    if (v.is_string() && holds_nul(v.get_ref<const std::string&>())) {
        why = "expected a string without NUL characters";
        return std::nullopt;
    }
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return v.dump();
    why = "expected a string";
    return std::nullopt;
}

std::string trim(std::string_view s)
{
    auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    auto last = s.find_last_not_of(" \t");
    return std::string(s.substr(first, last - first + 1));
}

// A JSON array of strings, or one string of comma-separated items. Empty items are dropped.
std::optional<std::vector<std::string>> as_list(const json& v, std::string& why)
{
    std::vector<std::string> items;
    if (v.is_array()) {
        for (const auto& item : v) {
            if (!item.is_string() || holds_nul(item.get_ref<const std::string&>())) {
                why = "expected a list of strings without NUL characters";
                return std::nullopt;
            }
            if (auto t = trim(item.get_ref<const std::string&>()); !t.empty()) items.push_back(std::move(t));
        }
    } else if (v.is_string()) {
        std::string_view s = v.get_ref<const std::string&>();
        if (holds_nul(s)) {
            why = "expected a comma-separated string without NUL characters";
            return std::nullopt;
        }
        while (!s.empty()) {
            auto comma = s.find(',');
            if (auto t = trim(s.substr(0, comma)); !t.empty()) items.push_back(std::move(t));
            if (comma == std::string_view::npos) break;
            s.remove_prefix(comma + 1);
        }
    } else {
        why = "expected a comma-separated string or a list of strings";
        return std::nullopt;
    }
    if (items.empty()) {
        why = "expected at least one item";
        return std::nullopt;
    }
    return items;
}

std::optional<std::string> as_choice(const json& v, std::initializer_list<std::string_view> choices, std::string& why)
{
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        if (std::find(choices.begin(), choices.end(), s) != choices.end()) return s;
    }
    why = "expected one of ";
    for (auto c = choices.begin(); c != choices.end(); ++c) {
        if (c != choices.begin()) why += ", ";
        why += *c;
    }
    return std::nullopt;
}

// "host:port" or "[v6 address]:port" with a port from 1 to 65535.
bool valid_host_port(std::string_view s)
{
    auto colon = s.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    auto host = s.substr(0, colon);
    if (host.front() == '[' && (host.size() < 3 || host.back() != ']')) return false;
    if (host.front() != '[' && host.find(':') != std::string_view::npos) return false;
    auto port = s.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    return !port.empty() && ec == std::errc() && end == port.data() + port.size() && value >= 1 && value <= 65535;
}

// Kafka's own rule for topic names.
bool valid_topic(std::string_view s)
{
    if (s.empty() || s.size() > 249 || s == "." || s == "..") return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-';
    });
}

// Applies one value to the settings; returns what was wrong with it, or an empty string.
using apply_fn = std::function<std::string(settings&, const json&)>;

struct key_spec {
    std::string_view key;
    apply_fn apply;
};

template <typename Int>
apply_fn int_key(Int settings::*member, std::int64_t min, std::int64_t max)
{
    return [=](settings& s, const json& v) {
        std::string why;
        auto n = as_int(v, min, max, why);
        if (n) s.*member = static_cast<Int>(*n);
        return why;
    };
}

apply_fn ms_key(milliseconds settings::*member, std::int64_t min)
{
    return [=](settings& s, const json& v) {
        std::string why;
        auto n = as_int(v, min, int32_max, why);
        if (n) s.*member = milliseconds(*n);
        return why;
    };
}

apply_fn bool_key(bool settings::*member)
{
    return [=](settings& s, const json& v) {
        std::string why;
        auto b = as_bool(v, why);
        if (b) s.*member = *b;
        return why;
    };
}

apply_fn string_key(std::string settings::*member, bool allow_empty)
{
    return [=](settings& s, const json& v) {
        std::string why;
        auto text = as_string(v, why);
        if (text && text->empty() && !allow_empty) return std::string("expected a non-empty string");
        if (text) s.*member = std::move(*text);
        return why;
    };
}

template <typename Enum, std::size_t N>
apply_fn enum_key(Enum settings::*member, std::array<std::pair<std::string_view, Enum>, N> names)
{
    return [=](settings& s, const json& v) {
        if (v.is_string()) {
            for (const auto& [name, value] : names) {
                if (name == v.get_ref<const std::string&>()) {
                    s.*member = value;
                    return std::string();
                }
            }
        }
        std::string why = "expected one of";
        for (std::size_t i = 0; i < N; ++i) why += (i ? ", " : " ") + std::string(names[i].first);
        return why;
    };
}

// kafka.spout.metrics: KIND or KIND=NAME items (a list or a comma-separated string), or an object
// of KIND: NAME. A kind without a name gets kafka.spout.metrics.prefix + KIND once all sources are read.
std::string metrics_key(settings& s, const json& v)
{
    std::vector<std::pair<std::string, std::string>> items;
    if ((v.is_string() && v.get_ref<const std::string&>().empty()) || (v.is_array() && v.empty())) {
        s.metrics.names.clear(); // turns metrics off where a lower source turned them on
        return std::string();
    }
    if (v.is_object()) {
        for (const auto& [kind, name] : v.items()) {
            if (!name.is_string()) return "expected an object of KIND: NAME with string names";
            items.emplace_back(kind, name.get<std::string>());
        }
    } else {
        std::string why;
        auto list = as_list(v, why);
        if (!list) return why;
        for (const auto& item : *list) {
            auto eq = item.find('=');
            if (eq == std::string::npos) {
                items.emplace_back(item, "");
            } else {
                std::string_view text = item;
                items.emplace_back(trim(text.substr(0, eq)), trim(text.substr(eq + 1)));
                if (items.back().second.empty()) return "\"" + item + "\" has no name after =";
            }
        }
    }
    std::map<metric_kind, std::string> names;
    for (const auto& [kind_name, name] : items) {
        auto kind = parse_metric_kind(kind_name);
        if (!kind) {
            return "\"" + kind_name + "\" is not a metric (expected emitted, acked, failed, replayed, committed, lag)";
        }
        if (!names.emplace(*kind, name).second) return "\"" + kind_name + "\" is listed twice";
    }
    s.metrics.names = std::move(names);
    return std::string();
}

const std::vector<key_spec>& key_table()
{
    static const std::vector<key_spec> table{
        {"kafka.bootstrap.servers",
         [](settings& s, const json& v) {
             std::string why;
             auto list = as_list(v, why);
             if (!list) return why;
             for (const auto& server : *list) {
                 if (!valid_host_port(server)) return "\"" + server + "\" is not host:port";
             }
             s.bootstrap_servers = std::move(*list);
             return std::string();
         }},
        {"kafka.zookeeper.connect",
         [](settings& s, const json& v) {
             std::string why;
             auto text = as_string(v, why);
             if (!text) return why;
             std::string_view hosts = *text;
             if (auto slash = hosts.find('/'); slash != std::string_view::npos) hosts = hosts.substr(0, slash);
             if (hosts.empty()) return std::string("expected host:port[,host:port...][/chroot]");
             while (!hosts.empty()) {
                 auto comma = hosts.find(',');
                 if (!valid_host_port(trim(hosts.substr(0, comma)))) {
                     return std::string("expected host:port[,host:port...][/chroot]");
                 }
                 if (comma == std::string_view::npos) break;
                 hosts.remove_prefix(comma + 1);
             }
             s.zookeeper_connect = std::move(*text);
             return std::string();
         }},
        {"kafka.topic",
         [](settings& s, const json& v) {
             std::string why;
             auto text = as_string(v, why);
             if (!text) return why;
             if (!valid_topic(*text)) return std::string("expected a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -");
             s.topic = std::move(*text);
             return std::string();
         }},
        {"kafka.group.id", string_key(&settings::group_id, false)},
        {"kafka.client.id", string_key(&settings::client_id, true)},
        {"kafka.spout.assignment",
         enum_key(&settings::assignment,
                  std::array{std::pair{std::string_view("balanced"), assignment_mode::balanced},
                             std::pair{std::string_view("static"), assignment_mode::by_task_index}})},
        {"kafka.auto.offset.reset",
         enum_key(&settings::auto_offset_reset,
                  std::array{std::pair{std::string_view("earliest"), offset_reset::earliest},
                             std::pair{std::string_view("latest"), offset_reset::latest},
                             std::pair{std::string_view("error"), offset_reset::error}})},
        {"kafka.reset.offset.on.start", bool_key(&settings::reset_offset_on_start)},
        {"kafka.fetch.min.bytes", int_key(&settings::fetch_min_bytes, 0, int32_max)},
        {"kafka.fetch.max.wait.ms", ms_key(&settings::fetch_max_wait, 0)},
        {"kafka.fetch.max.bytes", int_key(&settings::fetch_max_bytes, 1, int32_max)},
        {"kafka.queued.max.messages", int_key(&settings::queued_max_messages, 1, int64_max)},
        {"kafka.queued.max.bytes", int_key(&settings::queued_max_bytes, 1, int64_max)},
        {"kafka.isolation.level",
         enum_key(&settings::isolation,
                  std::array{std::pair{std::string_view("read_committed"), isolation_level::read_committed},
                             std::pair{std::string_view("read_uncommitted"), isolation_level::read_uncommitted}})},
        {"kafka.check.crcs", bool_key(&settings::check_crcs)},
        {"kafka.broker.version.fallback",
         [](settings& s, const json& v) {
             std::string why;
             auto text = as_choice(v, {"0.8.2", "0.9.0", "0.10.0"}, why);
             if (text) s.broker_version_fallback = std::move(*text);
             return why;
         }},
        {"kafka.api.version.request", bool_key(&settings::api_version_request)},
        {"kafka.zookeeper.session.timeout.ms", ms_key(&settings::zookeeper_session_timeout, 1)},
        {"kafka.zookeeper.owners.dir",
         enum_key(&settings::zookeeper_owners_dir,
                  std::array{std::pair{std::string_view("plain"), owners_dir::plain},
                             std::pair{std::string_view("python3"), owners_dir::python3}})},
        {"kafka.rebalance.max.retries", int_key(&settings::rebalance_max_retries, 1, int32_max)},
        {"kafka.rebalance.backoff.ms", ms_key(&settings::rebalance_backoff, 0)},
        {"kafka.spout.fields",
         [](settings& s, const json& v) {
             std::string why;
             auto list = as_list(v, why);
             if (!list) return why;
             std::vector<tuple_field> fields;
             for (const auto& name : *list) {
                 auto field = parse_tuple_field(name);
                 if (!field) {
                     return "\"" + name +
                            "\" is not a field (expected topic, partition, offset, key, value, timestamp, headers)";
                 }
                 if (std::find(fields.begin(), fields.end(), *field) != fields.end()) {
                     return "\"" + name + "\" is listed twice";
                 }
                 fields.push_back(*field);
             }
             s.fields = std::move(fields);
             return std::string();
         }},
        {"kafka.spout.stream", string_key(&settings::stream, false)},
        {"kafka.spout.value.format",
         enum_key(&settings::format, std::array{std::pair{std::string_view("string"), value_format::string},
                                                std::pair{std::string_view("json"), value_format::json}})},
        {"kafka.spout.invalid.utf8",
         enum_key(&settings::invalid_utf8,
                  std::array{std::pair{std::string_view("base64"), invalid_utf8_policy::base64},
                             std::pair{std::string_view("replace"), invalid_utf8_policy::replace},
                             std::pair{std::string_view("error"), invalid_utf8_policy::error}})},
        {"kafka.spout.batch.size", int_key(&settings::batch_size, 1, 1'000'000)},
        {"kafka.spout.next.wait.ms", ms_key(&settings::next_wait, 0)},
        {"kafka.spout.max.uncommitted.offsets", int_key(&settings::max_uncommitted_offsets, 1, int64_max)},
        {"kafka.spout.commit.interval.ms", ms_key(&settings::commit_interval, 1)},
        {"kafka.spout.revoke.drain.ms", ms_key(&settings::revoke_drain, 0)},
        {"kafka.spout.retry.initial.delay.ms",
         [](settings& s, const json& v) {
             std::string why;
             if (auto n = as_int(v, 0, int32_max, why)) s.retry.initial_delay = milliseconds(*n);
             return why;
         }},
        {"kafka.spout.retry.max.delay.ms",
         [](settings& s, const json& v) {
             std::string why;
             if (auto n = as_int(v, 0, int32_max, why)) s.retry.max_delay = milliseconds(*n);
             return why;
         }},
        {"kafka.spout.retry.max.retries",
         [](settings& s, const json& v) {
             std::string why;
             if (auto n = as_int(v, -1, int32_max, why)) s.retry.max_retries = static_cast<std::int32_t>(*n);
             return why;
         }},
        {"kafka.spout.retry.exhausted",
         [](settings& s, const json& v) {
             std::string why;
             auto text = as_choice(v, {"give_up", "keep_retrying"}, why);
             if (text) {
                 s.retry.exhausted = *text == "give_up" ? retries_exhausted::give_up : retries_exhausted::keep_retrying;
             }
             return why;
         }},
        {"kafka.spout.dead.letter.stream",
         [](settings& s, const json& v) {
             std::string why;
             auto text = as_string(v, why);
             if (text) s.retry.dead_letter_stream = std::move(*text);
             return why;
         }},
        {"kafka.spout.stats.interval.ms", ms_key(&settings::stats_interval, 0)},
        {"kafka.spout.log.level",
         enum_key(&settings::log_level,
                  std::array{std::pair{std::string_view("debug"), multilang::log_level::debug},
                             std::pair{std::string_view("info"), multilang::log_level::info},
                             std::pair{std::string_view("warn"), multilang::log_level::warn},
                             std::pair{std::string_view("error"), multilang::log_level::error}})},
        {"kafka.spout.metrics", metrics_key},
        {"kafka.spout.metrics.prefix", string_key(&settings::metrics_prefix, true)},
        {"kafka.spout.metrics.interval.ms",
         [](settings& s, const json& v) {
             std::string why;
             if (auto n = as_int(v, 0, int32_max, why)) s.metrics.interval = milliseconds(*n);
             return why;
         }},
    };
    return table;
}

const key_spec* find_key(std::string_view key)
{
    for (const auto& spec : key_table()) {
        if (spec.key == key) return &spec;
    }
    return nullptr;
}

// The value as the user wrote it, cut and made printable: settings are read once, so the dump
// of a large value costs nothing that matters, and its nesting is bounded by the parser.
std::string describe(const json& v)
{
    return multilang::excerpt(v.dump(-1, ' ', false, json::error_handler_t::replace), 80);
}

// Storm's heartbeat timeout for a subprocess, in whole seconds; nullopt if absent or not usable.
std::optional<milliseconds> storm_seconds(const json& conf, const char* key)
{
    auto it = conf.find(key);
    if (it == conf.end() || !it->is_number()) return std::nullopt;
    double seconds = it->get<double>();
    if (!(seconds > 0) || seconds > 1e9) return std::nullopt;
    return milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

} // namespace

std::string_view to_string(assignment_mode mode)
{
    return mode == assignment_mode::balanced ? "balanced" : "static";
}

std::string_view to_string(offset_reset reset)
{
    switch (reset) {
    case offset_reset::earliest: return "earliest";
    case offset_reset::latest: return "latest";
    case offset_reset::error: return "error";
    }
    return "unknown";
}

std::string_view to_string(isolation_level level)
{
    return level == isolation_level::read_committed ? "read_committed" : "read_uncommitted";
}

std::vector<std::string_view> settings_keys()
{
    std::vector<std::string_view> keys;
    for (const auto& spec : key_table()) keys.push_back(spec.key);
    return keys;
}

std::optional<command_line> parse_command_line(std::span<const std::string> args, std::string& error)
{
    command_line out;
    auto add_override = [&](std::string_view arg, std::string_view assignment) {
        auto eq = assignment.find('=');
        if (eq == std::string_view::npos || eq == 0) {
            error = "argument \"" + multilang::excerpt(arg, 80) + "\" is not of the form KEY=VALUE";
            return false;
        }
        out.overrides.emplace_back(assignment.substr(0, eq), assignment.substr(eq + 1));
        return true;
    };
    auto set_config = [&](std::string_view path) {
        if (out.config_file) {
            error = "--config given twice";
            return false;
        }
        if (path.empty()) {
            error = "--config needs a file name";
            return false;
        }
        out.config_file = std::string(path);
        return true;
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        bool ok = true;
        if (arg.starts_with("--kafka.")) {
            ok = add_override(arg, arg.substr(2));
        } else if (arg == "--set" || arg == "--config") {
            if (i + 1 == args.size()) {
                error = std::string(arg) + " needs a value";
                return std::nullopt;
            }
            std::string_view value = args[++i];
            ok = arg == "--set" ? add_override(value, value) : set_config(value);
        } else if (arg.starts_with("--set=")) {
            ok = add_override(arg, arg.substr(6));
        } else if (arg.starts_with("--config=")) {
            ok = set_config(arg.substr(9));
        } else {
            error = "unknown argument \"" + multilang::excerpt(arg, 80) + "\"";
            return std::nullopt;
        }
        if (!ok) return std::nullopt;
    }
    return out;
}

std::optional<json> read_config_file(const std::string& path, std::string& error)
{
    std::string name = multilang::excerpt(path, 120);
    if (holds_nul(path)) {
        error = "config file name " + name + " holds a NUL character";
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot open config file " + name;
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config_text(text.str(), name, error);
}

std::optional<json> parse_config_text(std::string_view text, const std::string& name, std::string& error)
{
    std::string why;
    auto parsed = multilang::parse_bounded_json(text, why);
    if (!parsed) {
        error = "config file " + name + " is not valid JSON: " + why;
        return std::nullopt;
    }
    if (!parsed->is_object()) {
        error = "config file " + name + " is not a JSON object of \"kafka.KEY\": value";
        return std::nullopt;
    }
    return parsed;
}

settings_result load_settings(const json& storm_conf, const command_line& flags, const json& config_file)
{
    settings_result result;
    settings s;
    auto& errors = result.errors;

    std::set<std::string_view> given; // keys with a value anywhere, good or bad
    auto apply = [&](const std::string& key, const json& value, const std::string& origin) {
        const key_spec* spec = find_key(key);
        if (!spec) {
            errors.push_back("unknown key " + multilang::excerpt(key, 80) + " (from " + origin + ")");
            return;
        }
        given.insert(spec->key);
        if (auto why = spec->apply(s, value); !why.empty()) {
            errors.push_back(key + ": bad value " + describe(value) + " (from " + origin + "): " + why);
        }
    };

    if (storm_conf.is_object()) {
        for (const auto& [key, value] : storm_conf.items()) {
            if (key.starts_with("kafka.")) apply(key, value, "the Storm conf");
        }
        auto timeout = storm_seconds(storm_conf, "topology.subprocess.timeout.secs");
        if (!timeout) timeout = storm_seconds(storm_conf, "supervisor.worker.timeout.secs");
        if (timeout) s.subprocess_timeout = *timeout;
    } else if (!storm_conf.is_null()) {
        errors.push_back("the Storm conf is not a JSON object");
    }
    if (config_file.is_object()) {
        std::string origin = "config file " + flags.config_file.value_or("");
        for (const auto& [key, value] : config_file.items()) apply(key, value, origin);
    } else if (!config_file.is_null()) {
        errors.push_back("the config file is not a JSON object");
    }
    for (const auto& [key, value] : flags.overrides) apply(key, json(value), "the command line");

    // A key given with a bad value has its error already.
    auto missing = [&](std::string_view key, std::string_view what) {
        if (given.contains(key)) return;
        errors.push_back(std::string(key) + " is required: " + std::string(what) + " (set it in the Storm conf, the " +
                         "config file or with --" + std::string(key) + "=VALUE)");
    };
    if (s.topic.empty()) missing("kafka.topic", "the topic to read");
    if (s.bootstrap_servers.empty()) missing("kafka.bootstrap.servers", "a comma-separated list of host:port");
    if (s.group_id.empty()) missing("kafka.group.id", "the consumer group whose offsets the spout commits");
    if (s.assignment == assignment_mode::balanced && s.zookeeper_connect.empty()) {
        missing("kafka.zookeeper.connect", "balanced assignment coordinates the group through ZooKeeper");
    }
    if (s.retry.max_delay < s.retry.initial_delay) {
        errors.push_back("kafka.spout.retry.max.delay.ms (" + std::to_string(s.retry.max_delay.count()) +
                         ") is below kafka.spout.retry.initial.delay.ms (" +
                         std::to_string(s.retry.initial_delay.count()) + ")");
    }
    if (!s.retry.dead_letter_stream.empty() && s.retry.dead_letter_stream == s.stream) {
        errors.push_back("kafka.spout.dead.letter.stream is the same stream as kafka.spout.stream (\"" + s.stream +
                         "\")");
    }
    // Storm kills a subprocess that leaves a command unanswered for the timeout; next must stay
    // far below it however slowly records arrive.
    if (s.next_wait * 2 >= s.subprocess_timeout) {
        errors.push_back("kafka.spout.next.wait.ms (" + std::to_string(s.next_wait.count()) +
                         ") must be below half of Storm's subprocess timeout (" +
                         std::to_string(s.subprocess_timeout.count()) +
                         " ms, from topology.subprocess.timeout.secs or supervisor.worker.timeout.secs)");
    }
    // Members claiming the drained partitions give up (and report it) after about a session
    // timeout; the drain must end well before that.
    if (s.assignment == assignment_mode::balanced && s.revoke_drain >= s.zookeeper_session_timeout) {
        errors.push_back("kafka.spout.revoke.drain.ms (" + std::to_string(s.revoke_drain.count()) +
                         ") must be below kafka.zookeeper.session.timeout.ms (" +
                         std::to_string(s.zookeeper_session_timeout.count()) + ")");
    }
    std::map<std::string, std::string_view> metric_names; // name -> the kind sent under it
    for (auto& [kind, name] : s.metrics.names) {
        if (name.empty()) name = s.metrics_prefix + std::string(to_string(kind));
        auto [first, inserted] = metric_names.emplace(name, to_string(kind));
        if (!inserted) {
            errors.push_back("kafka.spout.metrics: " + std::string(first->second) + " and " +
                             std::string(to_string(kind)) + " are both sent as \"" + name + "\"");
        }
    }

    if (errors.empty()) result.value = std::move(s);
    return result;
}

} // namespace kspout::spout
