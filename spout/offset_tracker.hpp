// Ack-before-commit for one partition: which offset may be committed given what Storm acked.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>

namespace kspout::spout {

// What became of one emitted/acked/failed/give_up call. Everything but ok and replayed means the
// call changed nothing; the caller may log it, but it is not an error of the spout.
enum class track_result {
    ok,
    replayed,    // emitted(): an offset that had failed went out again
    stale,       // below the committed offset: already covered by a commit
    not_emitted, // never emitted (or emitted before a reset()): nothing to ack, fail or give up
    duplicate,   // already in that state: acked twice, failed twice, emitted while in flight or done
    not_owned,   // offset_book only: the partition is not assigned to this task
};

std::string_view to_string(track_result result);

struct tracker_counters {
    std::uint64_t emitted = 0;  // first emits
    std::uint64_t replayed = 0;
    std::uint64_t acked = 0;
    std::uint64_t failed = 0;
    std::uint64_t given_up = 0;
    std::uint64_t stale = 0;       // calls answered track_result::stale
    std::uint64_t not_emitted = 0; // calls answered track_result::not_emitted
    std::uint64_t duplicate = 0;   // calls answered track_result::duplicate
};

// One partition, following storm-kafka-client's OffsetManager: the committable offset c is the
// highest offset ("next offset to read") such that every offset emitted below c has been acked
// or given up. Offsets never emitted (compaction gaps, transaction markers) do not hold it back.
//
// Emits arrive in increasing order per partition, except replays of failed offsets, so the
// emitted-and-not-committed offsets live in a deque sorted by offset with a state each: a new
// emit is a push_back, an ack is an O(1) index when offsets are dense (else a binary search),
// a commit pops from the front, and the count of leading done entries only moves forward between
// commits, so committable() is amortized O(1). Java's two TreeSets cost a node allocation per
// offset and a walk of the acked set per commit; at a million tuples a second that matters.
// An emit below the newest emitted offset that was never emitted (only possible if the caller
// rewinds past a gap) is inserted in place, O(n), which keeps the answer right.
class offset_tracker {
public:
    explicit offset_tracker(std::int64_t start_offset = 0) : committed_(start_offset), delivered_(start_offset) {}

    // Forgets everything: the partition (re)starts at start_offset, which counts as committed.
    void reset(std::int64_t start_offset);

    // Call before sending the emit: stale means the offset is already committed and must not go
    // out; duplicate means it is in flight or done (acked, given up) and must not go out again.
    track_result emitted(std::int64_t offset);
    track_result acked(std::int64_t offset);
    // The tuple failed; it holds the commit back until it is replayed and acked, or given up.
    track_result failed(std::int64_t offset);
    // The retry policy gave up: the offset counts as done (the caller logs it).
    track_result give_up(std::int64_t offset);

    // Every offset below `position` has reached the spout: emitted, or never a tuple (a
    // transaction marker, an aborted record, a compaction gap, a record the mapping skipped).
    // Once every emitted offset is done, the commit may move up to it, past trailing markers.
    void delivered(std::int64_t position) { delivered_ = std::max(delivered_, position); }

    // The offset to commit, or nullopt when it would not move past committed_offset().
    std::optional<std::int64_t> committable() const;
    // A commit of c succeeded: state below c is dropped. A c below the committed offset is
    // ignored (returns false). A c above committable() also drops the in-flight offsets below it;
    // their acks then count as stale.
    bool committed(std::int64_t c);

    std::int64_t committed_offset() const { return committed_; }
    // Emitted offsets at or above the committed offset, acked ones included (they count until
    // the next commit, as in the JVM spout): the number the per-partition cap is checked against.
    std::size_t uncommitted_count() const { return entries_.size(); }
    std::size_t in_flight_count() const { return entries_.size() - done_count_; }
    // Emitted offsets still waiting for Storm's ack or fail (failed ones awaiting a replay excluded).
    std::size_t unanswered_count() const { return entries_.size() - done_count_ - failed_count_; }
    // The highest offset emitted since the last reset (kept after commits; for lag metrics).
    std::optional<std::int64_t> latest_emitted() const { return latest_emitted_; }
    // True when the offset was emitted and is neither acked nor given up (in flight or failed).
    bool pending(std::int64_t offset) const;
    const tracker_counters& counters() const { return counters_; }

private:
    enum class state : std::uint8_t { in_flight, failed, done };
    struct entry {
        std::int64_t offset;
        state st;
    };

    // Index of offset in entries_, or entries_.size().
    std::size_t find(std::int64_t offset) const;
    track_result classify_missing(std::int64_t offset);
    // acked() and give_up(): the offset is done; `counter` records which.
    track_result mark_done(std::int64_t offset, std::uint64_t& counter);
    void advance_done_prefix();

    std::deque<entry> entries_;    // emitted offsets >= committed_, increasing
    std::size_t done_prefix_ = 0;  // entries_[0, done_prefix_) are all done
    std::size_t done_count_ = 0;   // done entries anywhere in entries_
    std::size_t failed_count_ = 0; // failed entries anywhere in entries_
    std::int64_t committed_ = 0;
    std::int64_t delivered_ = 0;
    std::optional<std::int64_t> latest_emitted_;
    tracker_counters counters_;
};

} // namespace kspout::spout
