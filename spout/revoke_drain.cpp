// revoke_drain: the wait for in-flight acks between a revoke and the partitions' last commit.
#include "spout/revoke_drain.hpp"

namespace kspout::spout {

void revoke_drain::start(std::weak_ptr<void> owner, std::string topic, std::vector<std::int32_t> partitions,
                         std::chrono::milliseconds limit, const offset_book& book, std::function<void()> then)
{
    const bool joining = active();
    topic_ = std::move(topic);
    partitions_.insert(partitions_.end(), partitions.begin(), partitions.end());
    thens_.push_back(std::move(then));
    if (limit.count() <= 0 || settled(book)) return end();
    if (joining) return;
    // A timeout already queued when its drain ended early must not end the next one.
    timer_.expires_after(limit);
    timer_.async_wait([this, owner = std::move(owner), drain = ++generation_](std::error_code ec) {
        if (auto alive = owner.lock(); alive && !ec && drain == generation_) end();
    });
}

void revoke_drain::check(const offset_book& book)
{
    if (active() && settled(book)) end();
}

void revoke_drain::end()
{
    if (!active()) return;
    ++generation_;
    timer_.cancel();
    auto thens = std::move(thens_);
    thens_.clear();
    partitions_.clear();
    for (auto& then : thens) then();
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
