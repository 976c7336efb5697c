// A benchmarked group member in a child process (ours or librdkafka's), whose lines feed a bench_group's delivery book.
#pragma once

#include "bench/rebalance/bench_group.hpp"
#include "tests/integration/balanced_child.hpp"

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace kspout::bench {

// Reads the lines kspout-balanced-member and librdkafka_member.py print: its share of the
// partitions, and every message it consumed (counted in `book` for deliveries and duplicates).
class member_process {
public:
    explicit member_process(const std::vector<std::string>& argv);

    void read(bench_group& book);
    const std::set<std::int32_t>& share() const { return share_; }
    bool ready() const { return ready_; } // it printed its first line: it runs and is about to join
    balanced::testing::child_process& child() { return *child_; }

private:
    std::unique_ptr<balanced::testing::child_process> child_;
    std::set<std::int32_t> share_;
    bool ready_ = false;
};

} // namespace kspout::bench
