// Storm metrics the spout sends: which counters go out under which registered names, as deltas.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::spout {

enum class metric_kind { emitted, acked, failed, replayed, committed, lag };

std::string_view to_string(metric_kind kind);
std::optional<metric_kind> parse_metric_kind(std::string_view name);

struct metrics_options {
    // The name each metric is sent under: the name the ShellSpout subclass registered in open()
    // (Storm treats any other name as fatal). Kinds not listed are not sent; empty: no metrics.
    std::map<metric_kind, std::string> names;
    // Least time between two reports; 0: with every reply that has something to report.
    std::chrono::milliseconds interval{10'000};
};

// Running totals since the spout started.
struct metric_totals {
    std::uint64_t emitted = 0;   // every emit on the tuple stream, replays included
    std::uint64_t acked = 0;     // acks of tuples in flight
    std::uint64_t failed = 0;    // fails of tuples in flight
    std::uint64_t replayed = 0;  // emits of offsets that had failed
    std::uint64_t committed = 0; // offsets the group's committed offsets moved over
};

struct metric_value {
    std::string name;
    std::int64_t value = 0;
};

// Turns running totals into `metrics` messages. A counter goes out as the delta since the last
// report, and only when it moved: Storm adds each value to the metric and resets it every time
// bucket. Lag goes out as it is (a gauge), whenever it is known. Pure: time is passed in.
class metrics_reporter {
public:
    explicit metrics_reporter(metrics_options options = {}) : options_(std::move(options)) {}

    bool enabled() const { return !options_.names.empty(); }
    // A report is due: metrics are configured and the interval passed since the last report.
    bool due(std::chrono::steady_clock::time_point now) const;
    // The values to send now, in metric_kind order; the counters count as sent from here on.
    std::vector<metric_value> report(const metric_totals& totals, std::optional<std::int64_t> lag,
                                     std::chrono::steady_clock::time_point now);

private:
    metrics_options options_;
    metric_totals sent_;
    std::optional<std::chrono::steady_clock::time_point> last_report_;
};

} // namespace kspout::spout
