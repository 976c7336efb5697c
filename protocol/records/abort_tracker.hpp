// The Java consumer's read_committed bookkeeping of aborted transactions over a partition's batches.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace kspout::records {

struct aborted_transaction {
    std::int64_t producer_id;
    std::int64_t first_offset;
};

namespace detail {

// The Java consumer's read_committed bookkeeping: aborted transactions in first_offset order
// become "aborted producer ids" once a batch reaches them; an ABORT marker ends one.
class abort_tracker {
public:
    void reset(std::span<const aborted_transaction> aborted)
    {
        pending_.assign(aborted.begin(), aborted.end());
        std::sort(pending_.begin(), pending_.end(),
                  [](const auto& a, const auto& b) { return a.first_offset < b.first_offset; });
        next_ = 0;
        producers_.clear();
    }

    void consume_up_to(std::int64_t last_offset)
    {
        for (; next_ < pending_.size() && pending_[next_].first_offset <= last_offset; ++next_) {
            if (!is_aborted(pending_[next_].producer_id)) {
                producers_.push_back(pending_[next_].producer_id);
            }
        }
    }

    bool is_aborted(std::int64_t producer_id) const
    {
        return std::find(producers_.begin(), producers_.end(), producer_id) != producers_.end();
    }

    void end_transaction(std::int64_t producer_id)
    {
        std::erase(producers_, producer_id);
    }

private:
    std::vector<aborted_transaction> pending_;
    std::size_t next_ = 0;
    std::vector<std::int64_t> producers_;
};

} // namespace detail
} // namespace kspout::records
