// revoke_drain: the wait for in-flight acks between a revoke and the partitions' last commit.
#include "spout/revoke_drain.hpp"

namespace kspout::spout {

void revoke_drain::start(std::string topic, std::vector<std::int32_t> partitions, std::chrono::milliseconds limit,
                         const offset_book& book, time_point now, std::function<void()> then)
{
    if (!active()) deadline_ = now + limit;
    topic_ = std::move(topic);
    partitions_.insert(partitions_.end(), partitions.begin(), partitions.end());
    thens_.push_back(std::move(then));
    if (limit.count() <= 0 || settled(book)) end();
}

void revoke_drain::check(const offset_book& book)
{
    if (active() && settled(book)) end();
}

void revoke_drain::expire(time_point now)
{
    if (active() && now >= deadline_) end();
}

void revoke_drain::end()
{
    if (!active()) return;
    auto thens = std::move(thens_);
    thens_.clear();
    partitions_.clear();
    for (auto& then : thens) then();
}

std::optional<revoke_drain::time_point> revoke_drain::deadline() const noexcept
{
    if (!active()) return std::nullopt;
    return deadline_;
}

bool revoke_drain::settled(const offset_book& book) const
{
    for (std::int32_t p : partitions_) {
        if (const auto* tracker = book.find(topic_partition_ref{topic_, p}); tracker && tracker->unanswered_count() > 0) {
            return false;
        }
    }
    return true;
}

} // namespace kspout::spout
