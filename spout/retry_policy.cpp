// retry_policy: the backoff formula, failure counts, and the time-ordered replay schedule.
#include "spout/retry_policy.hpp"

#include <algorithm>

namespace kspout::spout {

std::chrono::milliseconds retry_delay(const retry_options& options, std::int64_t failures)
{
    auto initial = options.initial_delay.count();
    auto max = options.max_delay.count();
    if (initial <= 0) return std::chrono::milliseconds(0);
    if (initial >= max) return options.max_delay;
    auto shift = std::max<std::int64_t>(failures, 1) - 1;
    // initial * 2^shift would pass max: stop before it can overflow.
    if (shift >= 63 || initial > (max >> shift)) return options.max_delay;
    return std::chrono::milliseconds(std::min(initial << shift, max));
}

retry_decision retry_policy::on_fail(const topic_partition& tp, std::int64_t offset,
                                     std::chrono::steady_clock::time_point now)
{
    auto pit = partitions_.try_emplace(tp).first;
    auto [it, inserted] = pit->second.try_emplace(offset);
    if (inserted) ++tracked_;
    offset_state& state = it->second;
    unschedule(tp.ref(), offset, state);

    retry_decision decision;
    decision.failures = ++state.failures;
    decision.exhausted = options_.max_retries >= 0 && state.failures > options_.max_retries;
    if (decision.exhausted && options_.exhausted == retries_exhausted::give_up) {
        decision.what = retry_decision::action::give_up;
        pit->second.erase(it);
        --tracked_;
        if (pit->second.empty()) partitions_.erase(pit);
        return decision;
    }
    decision.at = now + retry_delay(options_, state.failures);
    state.at = decision.at;
    schedule_.insert({decision.at, tp, offset});
    return decision;
}

std::vector<retry_policy::due_offsets> retry_policy::due(std::chrono::steady_clock::time_point now) const
{
    std::map<topic_partition_ref, std::vector<std::int64_t>> ready;
    for (auto it = schedule_.begin(); it != schedule_.end() && it->at <= now; ++it) {
        ready[it->partition.ref()].push_back(it->offset);
    }
    std::vector<due_offsets> out;
    out.reserve(ready.size());
    for (auto& [tp, offsets] : ready) {
        std::sort(offsets.begin(), offsets.end());
        out.push_back({topic_partition{std::string(tp.topic), tp.partition}, std::move(offsets)});
    }
    return out;
}

std::optional<std::chrono::steady_clock::time_point> retry_policy::next_due() const
{
    if (schedule_.empty()) return std::nullopt;
    return schedule_.begin()->at;
}

const retry_policy::offset_state* retry_policy::lookup(topic_partition_ref tp, std::int64_t offset) const
{
    if (tracked_ == 0) return nullptr;
    auto pit = partitions_.find(tp);
    if (pit == partitions_.end()) return nullptr;
    auto it = pit->second.find(offset);
    return it == pit->second.end() ? nullptr : &it->second;
}

bool retry_policy::scheduled(topic_partition_ref tp, std::int64_t offset) const
{
    const auto* state = lookup(tp, offset);
    return state && state->at.has_value();
}

bool retry_policy::ready(topic_partition_ref tp, std::int64_t offset, std::chrono::steady_clock::time_point now) const
{
    const auto* state = lookup(tp, offset);
    return state && state->at && *state->at <= now;
}

std::int64_t retry_policy::failures(topic_partition_ref tp, std::int64_t offset) const
{
    const auto* state = lookup(tp, offset);
    return state ? state->failures : 0;
}

void retry_policy::unschedule(topic_partition_ref tp, std::int64_t offset, offset_state& state)
{
    if (!state.at) return;
    schedule_.erase(schedule_key{*state.at, topic_partition{std::string(tp.topic), tp.partition}, offset});
    state.at.reset();
}

void retry_policy::replayed(topic_partition_ref tp, std::int64_t offset)
{
    if (tracked_ == 0) return;
    auto pit = partitions_.find(tp);
    if (pit == partitions_.end()) return;
    if (auto it = pit->second.find(offset); it != pit->second.end()) unschedule(tp, offset, it->second);
}

void retry_policy::acked(topic_partition_ref tp, std::int64_t offset)
{
    if (tracked_ == 0) return; // the common case: nothing ever failed
    auto pit = partitions_.find(tp);
    if (pit == partitions_.end()) return;
    auto it = pit->second.find(offset);
    if (it == pit->second.end()) return;
    unschedule(tp, offset, it->second);
    pit->second.erase(it);
    --tracked_;
    if (pit->second.empty()) partitions_.erase(pit);
}

void retry_policy::forget(topic_partition_ref tp)
{
    auto pit = partitions_.find(tp);
    if (pit == partitions_.end()) return;
    for (auto& [offset, state] : pit->second) unschedule(tp, offset, state);
    tracked_ -= pit->second.size();
    partitions_.erase(pit);
}

} // namespace kspout::spout
