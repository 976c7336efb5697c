// The non-template helpers of the key tables: Storm's subprocess timeout and how a bad value is shown.
#include "spout/settings_rules.hpp"

namespace kspout::spout {

using json = nlohmann::json;
using std::chrono::milliseconds;

namespace {

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

std::optional<milliseconds> storm_subprocess_timeout(const json& storm_conf)
{
    if (!storm_conf.is_object()) return std::nullopt;
    auto timeout = storm_seconds(storm_conf, "topology.subprocess.timeout.secs");
    if (!timeout) timeout = storm_seconds(storm_conf, "supervisor.worker.timeout.secs");
    return timeout;
}

// Settings are read once, so the dump of a large value costs nothing that matters, and its
// nesting is bounded by the parser.
std::string describe_value(const json& v)
{
    return text::excerpt(v.dump(-1, ' ', false, json::error_handler_t::replace), 80);
}

} // namespace kspout::spout
