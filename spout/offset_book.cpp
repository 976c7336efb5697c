// offset_book: trackers per owned partition, and not_owned for everything else.
#include "spout/offset_book.hpp"

namespace kspout::spout {

bool offset_book::assign(const topic_partition& tp, std::int64_t start_offset)
{
    return trackers_.try_emplace(tp, start_offset).second;
}

bool offset_book::revoke(topic_partition_ref tp)
{
    auto it = trackers_.find(tp);
    if (it == trackers_.end()) return false;
    trackers_.erase(it);
    return true;
}

offset_tracker* offset_book::find(topic_partition_ref tp)
{
    auto it = trackers_.find(tp);
    return it == trackers_.end() ? nullptr : &it->second;
}

const offset_tracker* offset_book::find(topic_partition_ref tp) const
{
    auto it = trackers_.find(tp);
    return it == trackers_.end() ? nullptr : &it->second;
}

std::vector<topic_partition> offset_book::owned() const
{
    std::vector<topic_partition> out;
    out.reserve(trackers_.size());
    for (const auto& [tp, tracker] : trackers_) out.push_back(tp);
    return out;
}

track_result offset_book::not_owned()
{
    ++not_owned_;
    return track_result::not_owned;
}

track_result offset_book::emitted(topic_partition_ref tp, std::int64_t offset)
{
    auto* t = find(tp);
    return t ? t->emitted(offset) : not_owned();
}

track_result offset_book::acked(topic_partition_ref tp, std::int64_t offset)
{
    auto* t = find(tp);
    return t ? t->acked(offset) : not_owned();
}

track_result offset_book::failed(topic_partition_ref tp, std::int64_t offset)
{
    auto* t = find(tp);
    return t ? t->failed(offset) : not_owned();
}

track_result offset_book::give_up(topic_partition_ref tp, std::int64_t offset)
{
    auto* t = find(tp);
    return t ? t->give_up(offset) : not_owned();
}

std::vector<commit_point> offset_book::committable() const
{
    std::vector<commit_point> out;
    for (const auto& [tp, tracker] : trackers_) {
        if (auto c = tracker.committable()) out.push_back({tp, *c});
    }
    return out;
}

bool offset_book::committed(topic_partition_ref tp, std::int64_t offset)
{
    auto* t = find(tp);
    return t && t->committed(offset);
}

} // namespace kspout::spout
