// What a failed tuple becomes: a replay after an exponential backoff, or, once retries run out, done.
#pragma once

#include "spout/topic_partition.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace kspout::spout {

enum class retries_exhausted { give_up, keep_retrying };

struct retry_options {
    // The n-th failure of an offset (n = 1, 2, ...) is replayed after
    //     delay(n) = min(initial_delay * 2^(n-1), max_delay)
    // so 100 ms, 200 ms, 400 ms, ... up to max_delay. An initial_delay of 0 replays at once.
    std::chrono::milliseconds initial_delay{100};
    std::chrono::milliseconds max_delay{10'000};
    // Replays per offset; -1 = no limit. An offset is emitted at most max_retries + 1 times
    // before `exhausted` applies.
    std::int32_t max_retries = 10;
    retries_exhausted exhausted = retries_exhausted::give_up;
    // On give_up, the stream the spout emits the record on (unanchored); empty: none.
    std::string dead_letter_stream;
};

// The delay formula above; failures counts this failure too (>= 1).
std::chrono::milliseconds retry_delay(const retry_options& options, std::int64_t failures);

struct retry_decision {
    enum class action { retry, give_up };
    action what = action::retry;
    std::chrono::steady_clock::time_point at{}; // retry: when the offset is due
    std::int64_t failures = 0;                  // failures of this offset so far, this one included
    // Failures went past max_retries; with keep_retrying the offset is still retried (at
    // max_delay at least as far as the formula goes), and the caller may warn about it.
    bool exhausted = false;
};

// Failure counts and replay times per (partition, offset). Pure: time is passed in. An offset
// stays known from its first failure until it is acked, given up or its partition forgotten.
class retry_policy {
public:
    explicit retry_policy(retry_options options = {}) : options_(std::move(options)) {}

    const retry_options& options() const { return options_; }

    // Counts a failure and schedules the replay, or gives up (the offset is then forgotten
    // here; the caller marks it done in the offset tracker and emits to the dead-letter stream).
    retry_decision on_fail(const topic_partition& tp, std::int64_t offset,
                           std::chrono::steady_clock::time_point now);

    struct due_offsets {
        topic_partition partition;
        std::vector<std::int64_t> offsets; // increasing: the first is where to seek back to
    };
    // Offsets whose replay time has come, per partition in partition order. They stay due until
    // replayed(), acked() or forget().
    std::vector<due_offsets> due(std::chrono::steady_clock::time_point now) const;
    // The earliest replay time, for the caller's timer; nullopt if nothing is scheduled.
    std::optional<std::chrono::steady_clock::time_point> next_due() const;

    // Scheduled (failed, not yet replayed); ready is scheduled with its time come.
    bool scheduled(topic_partition_ref tp, std::int64_t offset) const;
    bool ready(topic_partition_ref tp, std::int64_t offset, std::chrono::steady_clock::time_point now) const;
    // Failures of the offset so far (0 if none).
    std::int64_t failures(topic_partition_ref tp, std::int64_t offset) const;

    // The offset was emitted again: no longer scheduled; its failure count stays.
    void replayed(topic_partition_ref tp, std::int64_t offset);
    // The offset was acked: all of its retry state goes.
    void acked(topic_partition_ref tp, std::int64_t offset);
    // The partition was revoked: all of its retry state goes.
    void forget(topic_partition_ref tp);

    std::size_t scheduled_count() const { return schedule_.size(); }
    std::size_t tracked_count() const { return tracked_; }

private:
    using time_point = std::chrono::steady_clock::time_point;
    struct offset_state {
        std::int64_t failures = 0;
        std::optional<time_point> at; // set while scheduled
    };
    using partition_state = std::map<std::int64_t, offset_state>;
    struct schedule_key {
        time_point at;
        topic_partition partition;
        std::int64_t offset;
        friend auto operator<=>(const schedule_key&, const schedule_key&) = default;
    };

    const offset_state* lookup(topic_partition_ref tp, std::int64_t offset) const;
    void unschedule(topic_partition_ref tp, std::int64_t offset, offset_state& state);

    retry_options options_;
    std::map<topic_partition, partition_state, topic_partition_less> partitions_;
    std::set<schedule_key> schedule_; // time order: due() stops at the first entry not yet due
    std::size_t tracked_ = 0;
};

} // namespace kspout::spout
