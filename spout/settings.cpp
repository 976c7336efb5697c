// load_settings: the defaults, then the Storm conf, the config file and the command line, then the checks.
#include "spout/settings.hpp"

#include "multilang/excerpt.hpp"
#include "spout/settings_checks.hpp"
#include "spout/settings_keys.hpp"

#include <set>

namespace kspout::spout {

using json = nlohmann::json;
using std::chrono::milliseconds;

namespace {

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

settings_result load_settings(const json& storm_conf, const command_line& flags, const json& config_file)
{
    settings_result result;
    settings s = default_settings();
    auto& errors = result.errors;

    std::set<std::string_view> given; // keys with a value anywhere, good or bad
    auto apply = [&](const std::string& key, const json& value, const std::string& origin) {
        const key_spec* spec = find_key(key);
        if (!spec) {
            errors.push_back("unknown key " + multilang::excerpt(key, 80) + " (from " + origin + ")");
            return;
        }
        given.insert(spec->key);
        if (auto why = spec->rule.apply(s, value); !why.empty()) {
            std::string shown = spec->rule.secret ? "(hidden)" : describe(value);
            errors.push_back(key + ": bad value " + shown + " (from " + origin + "): " + why);
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

    check_settings(s, given, errors);
    set_rebalance_pacing(s.group, s.rebalance);

    if (errors.empty()) result.value = std::move(s);
    return result;
}

} // namespace kspout::spout
