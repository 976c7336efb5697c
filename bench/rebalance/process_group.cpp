// process_group: reading the member processes' lines, their shares, and stopping them.
#include "bench/rebalance/process_group.hpp"

#include <set>

namespace kspout::bench {

void process_group::pump()
{
    book.pump();
    for (auto& m : members)
        m->read(book);
}

bool process_group::all_owned() const
{
    if (members.empty())
        return false;
    std::size_t total = 0;
    std::set<std::int32_t> all;
    std::size_t low = static_cast<std::size_t>(book.partitions()) / members.size();
    for (const auto& m : members) {
        if (m->share().size() < low || m->share().size() > low + 1)
            return false;
        total += m->share().size();
        all.insert(m->share().begin(), m->share().end());
    }
    return total == all.size() && all.size() == static_cast<std::size_t>(book.partitions());
}

void process_group::stop_all()
{
    for (auto& m : members)
        m->child().close_stdin();
    auto deadline = clock_type::now() + std::chrono::seconds(30);
    for (auto& m : members) {
        while (!m->child().wait(std::chrono::milliseconds(0)) && clock_type::now() < deadline)
            pump();
    }
    members.clear();
}

} // namespace kspout::bench
