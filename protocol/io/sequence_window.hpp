// The sequence numbers handed out and not yet settled, kept as a sliding window of flags.
#pragma once

#include <cstdint>
#include <deque>

namespace kspout::io {

// Numbers are handed out in order and settled in any order; lowest_unsettled() tells how far
// everything is settled (a flush waits for that to pass its mark). O(1) amortized per number,
// without a node per number: the flags of settled numbers at the front are dropped as they go.
class sequence_window {
public:
    std::uint64_t next() noexcept { return base_ + flags_.size(); }

    std::uint64_t open()
    {
        flags_.push_back(false);
        ++unsettled_;
        return base_ + flags_.size() - 1;
    }

    // Settling a number twice, or one never opened, is a no-op.
    void settle(std::uint64_t n)
    {
        if (n < base_ || n >= next()) return;
        auto& settled = flags_[static_cast<std::size_t>(n - base_)];
        if (settled) return;
        settled = true;
        --unsettled_;
        while (!flags_.empty() && flags_.front()) {
            flags_.pop_front();
            ++base_;
        }
    }

    // The lowest number not settled yet, or next() when all are.
    std::uint64_t lowest_unsettled() const noexcept { return base_; }
    std::size_t unsettled() const noexcept { return unsettled_; }

private:
    std::deque<bool> flags_; // for base_, base_ + 1, ...; the front one is always unsettled
    std::uint64_t base_ = 0;
    std::size_t unsettled_ = 0;
};

} // namespace kspout::io
