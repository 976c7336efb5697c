// metrics_reporter: counter deltas since the last report, the lag gauge, and the interval.
#include "spout/metrics.hpp"

#include <array>
#include <utility>

namespace kspout::spout {

namespace {

constexpr std::array<std::pair<metric_kind, std::string_view>, 6> kind_names{{
    {metric_kind::emitted, "emitted"},
    {metric_kind::acked, "acked"},
    {metric_kind::failed, "failed"},
    {metric_kind::replayed, "replayed"},
    {metric_kind::committed, "committed"},
    {metric_kind::lag, "lag"},
}};

std::uint64_t metric_totals::*counter(metric_kind kind)
{
    switch (kind) {
    case metric_kind::emitted: return &metric_totals::emitted;
    case metric_kind::acked: return &metric_totals::acked;
    case metric_kind::failed: return &metric_totals::failed;
    case metric_kind::replayed: return &metric_totals::replayed;
    case metric_kind::committed: return &metric_totals::committed;
    case metric_kind::lag: break;
    }
    return nullptr;
}

} // namespace

std::string_view to_string(metric_kind kind)
{
    for (const auto& [k, name] : kind_names) {
        if (k == kind) return name;
    }
    return "unknown";
}

std::optional<metric_kind> parse_metric_kind(std::string_view name)
{
    for (const auto& [kind, n] : kind_names) {
        if (n == name) return kind;
    }
    return std::nullopt;
}

bool metrics_reporter::due(std::chrono::steady_clock::time_point now) const
{
    return enabled() && (!last_report_ || now - *last_report_ >= options_.interval);
}

std::vector<metric_value> metrics_reporter::report(const metric_totals& totals, std::optional<std::int64_t> lag,
                                                   std::chrono::steady_clock::time_point now)
{
    last_report_ = now;
    std::vector<metric_value> out;
    for (const auto& [kind, name] : options_.names) {
        if (auto member = counter(kind)) {
            std::uint64_t delta = totals.*member - sent_.*member;
            if (delta > 0) out.push_back({name, static_cast<std::int64_t>(delta)});
            sent_.*member = totals.*member;
        } else if (lag) {
            out.push_back({name, *lag});
        }
    }
    return out;
}

} // namespace kspout::spout
