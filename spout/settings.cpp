// load_settings: the defaults, then the Storm conf, the config file and the command line, then the checks.
#include "spout/settings.hpp"

#include "spout/settings_checks.hpp"
#include "spout/settings_keys.hpp"

namespace kspout::spout {

using json = nlohmann::json;

settings_result load_settings(const json& storm_conf, const command_line& flags, const json& config_file)
{
    settings_result result;
    settings s = default_settings();
    auto& errors = result.errors;

    auto given = apply_sources<settings>(
        s, {storm_conf, flags, config_file}, [](std::string_view key) { return find_key(key); },
        [](std::string_view key) { return key.starts_with("kafka.bolt."); }, errors);
    if (auto timeout = storm_subprocess_timeout(storm_conf)) s.subprocess_timeout = *timeout;

    check_settings(s, given, errors);
    set_rebalance_pacing(s.group, s.rebalance);

    if (errors.empty()) result.value = std::move(s);
    return result;
}

} // namespace kspout::spout
