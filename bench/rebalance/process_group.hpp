// A benchmarked group whose members are all processes, ours or librdkafka's: their shares, and the deliveries they report.
#pragma once

#include "bench/rebalance/bench_group.hpp"
#include "bench/rebalance/member_process.hpp"

#include <memory>
#include <vector>

namespace kspout::bench {

// `book` has no members of its own: it counts the processes' deliveries and duplicates, and its
// pump() runs the io_context the load is produced on.
struct process_group {
    bench_group book;
    std::vector<std::unique_ptr<member_process>> members;

    void pump();
    // Every partition in exactly one share, each share fair (within one).
    bool all_owned() const;
    bool all_consuming_since(clock_type::time_point t) const { return all_owned() && book.delivered_all_since(t); }
    // Closes every member's stdin and waits (up to 30 s) until they have exited.
    void stop_all();
};

} // namespace kspout::bench
