// member_process: one benchmarked member's child process and what its lines say.
#include "bench/rebalance/member_process.hpp"

#include <cstdio>
#include <sstream>

namespace kspout::bench {

member_process::member_process(const std::vector<std::string>& argv)
    : child_(std::make_unique<balanced::testing::child_process>(argv))
{
}

void member_process::read(bench_group& book)
{
    for (const std::string& line : child_->lines()) {
        ready_ = true;
        std::istringstream in(line);
        std::string word;
        in >> word;
        if (word == "msg") {
            std::int32_t p = 0;
            std::int64_t o = 0;
            std::int64_t ns = 0; // CLOCK_MONOTONIC, which steady_clock reads too
            in >> p >> o >> ns;
            book.consumed_elsewhere(p, o, clock_type::time_point(std::chrono::nanoseconds(ns)));
        } else if (word == "assigned") {
            for (std::string item; in >> item;)
                share_.insert(std::stoi(item.substr(0, item.find('='))));
        } else if (word == "revoking") {
            for (std::int32_t p; in >> p;)
                share_.erase(p);
        } else if (word == "error") {
            std::fprintf(stderr, "member process: %s\n", line.c_str());
        }
    }
}

} // namespace kspout::bench
