// acker: XOR bookkeeping per root, as Acker.java keeps it.
#include "multilang/local/acker.hpp"

namespace kspout::multilang::local {

std::optional<tree_outcome> acker::init(std::uint64_t root, std::uint64_t value, std::int64_t spout_task)
{
    entry& e = find_or_add(root);
    e.value ^= value;
    e.spout_task = spout_task;
    return settle(root, e);
}

std::optional<tree_outcome> acker::ack(std::uint64_t root, std::uint64_t value)
{
    entry& e = find_or_add(root);
    e.value ^= value;
    return settle(root, e);
}

std::optional<tree_outcome> acker::fail(std::uint64_t root)
{
    entry& e = find_or_add(root);
    e.failed = true;
    return settle(root, e);
}

acker::entry& acker::find_or_add(std::uint64_t root)
{
    auto [it, added] = entries_.try_emplace(root);
    if (added) it->second.born = rotations_;
    return it->second;
}

void acker::rotate()
{
    ++rotations_;
    std::erase_if(entries_, [&](const auto& item) { return item.second.born + 3 <= rotations_; });
}

std::optional<tree_outcome> acker::settle(std::uint64_t root, entry& e)
{
    // Without the init the spout task is unknown: wait for it (Acker.java does the same).
    if (!e.spout_task) return std::nullopt;
    if (!e.failed && e.value != 0) return std::nullopt;
    tree_outcome outcome{root, *e.spout_task, !e.failed};
    entries_.erase(root);
    return outcome;
}

std::uint64_t id_source::next()
{
    for (;;) {
        if (std::uint64_t id = random_(); id != 0) return id;
    }
}

} // namespace kspout::multilang::local
