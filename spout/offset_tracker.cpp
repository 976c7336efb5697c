// offset_tracker: the deque of emitted offsets, its done prefix, and the committable offset.
#include "spout/offset_tracker.hpp"

#include <algorithm>

namespace kspout::spout {

std::string_view to_string(track_result result)
{
    switch (result) {
    case track_result::ok: return "ok";
    case track_result::replayed: return "replayed";
    case track_result::stale: return "stale (below the committed offset)";
    case track_result::not_emitted: return "not emitted";
    case track_result::duplicate: return "duplicate";
    case track_result::not_owned: return "partition not owned";
    }
    return "unknown";
}

void offset_tracker::reset(std::int64_t start_offset)
{
    entries_.clear();
    done_prefix_ = 0;
    done_count_ = 0;
    failed_count_ = 0;
    committed_ = start_offset;
    delivered_ = start_offset;
    latest_emitted_.reset();
}

std::size_t offset_tracker::find(std::int64_t offset) const
{
    if (entries_.empty() || offset < entries_.front().offset || offset > entries_.back().offset) {
        return entries_.size();
    }
    // Without gaps or inserts the offset sits at its distance from the front.
    auto guess = static_cast<std::uint64_t>(offset - entries_.front().offset);
    if (guess < entries_.size() && entries_[guess].offset == offset) return guess;
    auto it = std::lower_bound(entries_.begin(), entries_.end(), offset,
                               [](const entry& e, std::int64_t o) { return e.offset < o; });
    if (it == entries_.end() || it->offset != offset) return entries_.size();
    return static_cast<std::size_t>(it - entries_.begin());
}

track_result offset_tracker::classify_missing(std::int64_t offset)
{
    if (offset < committed_) {
        ++counters_.stale;
        return track_result::stale;
    }
    ++counters_.not_emitted;
    return track_result::not_emitted;
}

void offset_tracker::advance_done_prefix()
{
    while (done_prefix_ < entries_.size() && entries_[done_prefix_].st == state::done) ++done_prefix_;
}

track_result offset_tracker::emitted(std::int64_t offset)
{
    if (offset < committed_) {
        ++counters_.stale;
        return track_result::stale;
    }
    if (entries_.empty() || offset > entries_.back().offset) {
        entries_.push_back({offset, state::in_flight});
        latest_emitted_ = std::max(offset, latest_emitted_.value_or(offset));
        ++counters_.emitted;
        return track_result::ok;
    }
    if (auto i = find(offset); i < entries_.size()) {
        if (entries_[i].st != state::failed) {
            ++counters_.duplicate;
            return track_result::duplicate;
        }
        entries_[i].st = state::in_flight;
        --failed_count_;
        ++counters_.replayed;
        return track_result::replayed;
    }
    auto it = std::lower_bound(entries_.begin(), entries_.end(), offset,
                               [](const entry& e, std::int64_t o) { return e.offset < o; });
    auto pos = static_cast<std::size_t>(it - entries_.begin());
    entries_.insert(it, {offset, state::in_flight});
    done_prefix_ = std::min(done_prefix_, pos);
    ++counters_.emitted;
    return track_result::ok;
}

track_result offset_tracker::acked(std::int64_t offset)
{
    // A failed offset acked before its replay (a late ack racing the fail) is simply done.
    return mark_done(offset, counters_.acked);
}

track_result offset_tracker::failed(std::int64_t offset)
{
    auto i = find(offset);
    if (i == entries_.size()) return classify_missing(offset);
    if (entries_[i].st != state::in_flight) {
        ++counters_.duplicate;
        return track_result::duplicate;
    }
    entries_[i].st = state::failed;
    ++failed_count_;
    ++counters_.failed;
    return track_result::ok;
}

track_result offset_tracker::give_up(std::int64_t offset)
{
    return mark_done(offset, counters_.given_up);
}

track_result offset_tracker::mark_done(std::int64_t offset, std::uint64_t& counter)
{
    auto i = find(offset);
    if (i == entries_.size()) return classify_missing(offset);
    if (entries_[i].st == state::done) {
        ++counters_.duplicate;
        return track_result::duplicate;
    }
    if (entries_[i].st == state::failed) --failed_count_;
    entries_[i].st = state::done;
    ++done_count_;
    ++counter;
    if (i == done_prefix_) advance_done_prefix();
    return track_result::ok;
}

std::optional<std::int64_t> offset_tracker::committable() const
{
    std::int64_t c = committed_;
    if (done_prefix_ < entries_.size()) {
        c = entries_[done_prefix_].offset;
    } else {
        if (!entries_.empty()) c = entries_.back().offset + 1;
        c = std::max(c, delivered_);
    }
    if (c <= committed_) return std::nullopt;
    return c;
}

bool offset_tracker::committed(std::int64_t c)
{
    if (c < committed_) return false;
    std::size_t popped = 0;
    while (!entries_.empty() && entries_.front().offset < c) {
        if (entries_.front().st == state::done) --done_count_;
        if (entries_.front().st == state::failed) --failed_count_;
        entries_.pop_front();
        ++popped;
    }
    if (popped <= done_prefix_) {
        done_prefix_ -= popped;
    } else {
        done_prefix_ = 0;
        advance_done_prefix();
    }
    committed_ = c;
    return true;
}

bool offset_tracker::pending(std::int64_t offset) const
{
    auto i = find(offset);
    return i < entries_.size() && entries_[i].st != state::done;
}

} // namespace kspout::spout
