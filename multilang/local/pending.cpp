// pending_tuples: rotating buckets of reliable spout emits.
#include "multilang/local/pending.hpp"

namespace kspout::multilang::local {

pending_tuples::pending_tuples(std::size_t buckets) : buckets_(buckets < 2 ? 2 : buckets) {}

void pending_tuples::add(std::uint64_t root, json message_id)
{
    // Roots are random 64-bit ids, so a repeat means the same tree; keep one entry.
    for (auto& bucket : buckets_) {
        if (bucket.erase(root)) --size_;
    }
    buckets_.front().emplace(root, std::move(message_id));
    ++size_;
}

std::optional<json> pending_tuples::remove(std::uint64_t root)
{
    for (auto& bucket : buckets_) {
        auto it = bucket.find(root);
        if (it == bucket.end()) continue;
        json id = std::move(it->second);
        bucket.erase(it);
        --size_;
        return id;
    }
    return std::nullopt;
}

std::vector<pending_tuple> pending_tuples::rotate()
{
    std::vector<pending_tuple> expired;
    for (auto& [root, id] : buckets_.back()) expired.push_back({root, std::move(id)});
    size_ -= buckets_.back().size();
    buckets_.pop_back();
    buckets_.emplace_front();
    return expired;
}

std::vector<std::uint64_t> pending_tuples::clear()
{
    std::vector<std::uint64_t> roots;
    for (auto& bucket : buckets_) {
        for (const auto& [root, id] : bucket) roots.push_back(root);
        bucket.clear();
    }
    size_ = 0;
    return roots;
}

} // namespace kspout::multilang::local
