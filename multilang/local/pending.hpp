// A spout task's pending tuple trees: Storm's 2-bucket RotatingMap, rotated once per message
// timeout, and the max-spout-pending gate in front of next.
#pragma once

#include "multilang/messages.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

namespace kspout::multilang::local {

struct pending_tuple {
    std::uint64_t root = 0;
    json message_id; // the spout's emit id, sent back with ack or fail
};

class pending_tuples {
public:
    explicit pending_tuples(std::size_t buckets = 2);

    // A reliable emit went out with this root.
    void add(std::uint64_t root, json message_id);
    // The tree finished (ack or fail): its message id, once; nothing if it already expired.
    std::optional<json> remove(std::uint64_t root);
    // A message-timeout tick: the oldest bucket expires. A tuple added between two ticks is
    // therefore failed between one and two timeouts after its emit (SpoutExecutor's behaviour).
    std::vector<pending_tuple> rotate();
    // The spout task restarted: every pending tree is dropped unanswered; returns their roots.
    std::vector<std::uint64_t> clear();

    std::size_t size() const noexcept { return size_; }
    // SpoutExecutor sends no next while pending >= max (max unset: no limit).
    bool may_call_next(std::optional<long> max_pending) const
    {
        return !max_pending || static_cast<long>(size_) < *max_pending;
    }

private:
    std::deque<std::unordered_map<std::uint64_t, json>> buckets_; // front: newest
    std::size_t size_ = 0;
};

// The system tick that rotates pending tuples: once per period from the start. The caller
// passes the time, so tests drive it with a fake clock.
class tick_timer {
public:
    using clock = std::chrono::steady_clock;
    tick_timer(clock::duration period, clock::time_point start) : period_(period), next_(start + period) {}
    // How many ticks fell due up to `now`; each is counted once.
    int due(clock::time_point now)
    {
        int ticks = 0;
        for (; now >= next_; next_ += period_) ++ticks;
        return ticks;
    }
    clock::time_point next() const noexcept { return next_; }

private:
    clock::duration period_;
    clock::time_point next_;
};

} // namespace kspout::multilang::local
