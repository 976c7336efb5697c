// The offset trackers of the partitions this task owns; acks for any other partition are ignored.
#pragma once

#include "spout/offset_tracker.hpp"
#include "spout/topic_partition.hpp"

#include <cstdint>
#include <map>
#include <vector>

namespace kspout::spout {

struct commit_point {
    topic_partition partition;
    std::int64_t offset = 0; // next offset to read
};

// Owned partitions in (topic, partition) order. A task owns tens of partitions at most, so a
// sorted map with an allocation-free lookup by topic_partition_ref is cheap enough per ack.
class offset_book {
public:
    // Takes ownership of a partition whose reading starts at start_offset. A partition already
    // owned keeps its state (as the JVM spout keeps partitions that stay assigned): returns false.
    bool assign(const topic_partition& tp, std::int64_t start_offset);
    // Drops the partition's tracker; later calls for it answer not_owned. The caller commits
    // what is committable first. Returns false if it was not owned.
    bool revoke(topic_partition_ref tp);
    void clear() { trackers_.clear(); }

    bool owns(topic_partition_ref tp) const { return trackers_.find(tp) != trackers_.end(); }
    offset_tracker* find(topic_partition_ref tp);
    const offset_tracker* find(topic_partition_ref tp) const;
    std::vector<topic_partition> owned() const;
    std::size_t size() const { return trackers_.size(); }

    track_result emitted(topic_partition_ref tp, std::int64_t offset);
    track_result acked(topic_partition_ref tp, std::int64_t offset);
    track_result failed(topic_partition_ref tp, std::int64_t offset);
    track_result give_up(topic_partition_ref tp, std::int64_t offset);

    // Every owned partition whose commit point moved, in partition order.
    std::vector<commit_point> committable() const;
    // A commit succeeded; a partition no longer owned is ignored (returns false).
    bool committed(topic_partition_ref tp, std::int64_t offset);

    // Calls for partitions not owned (late acks and fails after a revoke, or garbage).
    std::uint64_t not_owned_count() const { return not_owned_; }

private:
    track_result not_owned();

    std::map<topic_partition, offset_tracker, topic_partition_less> trackers_;
    std::uint64_t not_owned_ = 0;
};

} // namespace kspout::spout
