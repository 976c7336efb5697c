// kafka_spout's next: buffered records out as tuples, replays by rewinding, dead letters, pauses.
#include "spout/kafka_spout.hpp"

#include "spout/message_id.hpp"

namespace kspout::spout {

using multilang::log_level;
using done_callback = multilang::spout_session::done_callback;
using clock = std::chrono::steady_clock;

void kafka_spout::on_next(done_callback done)
{
    if (!consumer_) return done();
    rewind_due_replays();
    if (emit_buffered(static_cast<std::size_t>(settings_.batch_size)) > 0 || settings_.next_wait.count() == 0) {
        update_pauses();
        return done();
    }
    // Nothing buffered: wait a little for the first record rather than bounce an empty round
    // trip, but never long (Storm's subprocess timeout runs while we wait).
    pending_next_ = std::move(done);
    next_timer_.expires_after(std::min(settings_.next_wait, settings_.subprocess_timeout / 4));
    next_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (!ec && self) self->complete_pending_next();
    });
    if (!data_wait_registered_) {
        data_wait_registered_ = true;
        consumer_->async_wait_data([weak = weak_from_this()](std::error_code) {
            auto self = weak.lock();
            if (!self) return;
            self->data_wait_registered_ = false;
            self->complete_pending_next();
        });
    }
}

void kafka_spout::complete_pending_next()
{
    if (!pending_next_) return;
    next_timer_.cancel();
    auto done = std::move(*pending_next_);
    pending_next_.reset();
    if (consumer_ && !finished_) emit_buffered(static_cast<std::size_t>(settings_.batch_size));
    update_pauses();
    done();
}

std::size_t kafka_spout::emit_buffered(std::size_t max)
{
    std::size_t emitted = 0;
    auto now = clock::now();
    while (emitted < max) {
        auto batch = consumer_->poll(max - emitted);
        if (batch.empty()) break;
        for (const auto& m : batch) {
            topic_partition_ref tp{m.topic, m.partition};
            settle_rewind(m.partition, m.offset);
            if (dead_letters_.contains({m.partition, m.offset})) {
                emit_dead_letter(m);
                continue;
            }
            // A rewind re-reads offsets already in flight, acked, or failed but not yet due.
            if (retries_.scheduled(tp, m.offset) && !retries_.ready(tp, m.offset, now)) continue;
            auto mapped = mapper_->map(m.topic, m.partition, io::as_record(m), m.headers);
            if (!mapped.ok()) {
                // Never emitted, so it does not hold commits back: the skip is the policy's choice.
                log("kafka-spout: skipping " + to_string(tp) + " offset " + std::to_string(m.offset) + ": " +
                        mapped.error,
                    log_level::error);
                continue;
            }
            track_result result = book_.emitted(tp, m.offset);
            if (result == track_result::replayed) {
                retries_.replayed(tp, m.offset);
                ++totals_.replayed;
            } else if (result != track_result::ok) {
                continue;
            }
            if (!mapped.note.empty()) log("kafka-spout: " + mapped.note, log_level::debug);
            multilang::emit_message e;
            if (settings_.stream != "default") e.stream = settings_.stream;
            e.tuple = std::move(mapped.values);
            id_buffer_.clear();
            format_message_id(id_buffer_, m.topic, m.partition, m.offset);
            e.id = id_buffer_;
            session_->emit(std::move(e));
            ++emitted;
            ++totals_.emitted;
        }
    }
    return emitted;
}

void kafka_spout::emit_dead_letter(const io::consumer_message& m)
{
    topic_partition_ref tp{m.topic, m.partition};
    dead_letters_.erase({m.partition, m.offset});
    auto mapped = dead_letter_mapper_->map(m.topic, m.partition, io::as_record(m), m.headers);
    if (mapped.ok()) {
        multilang::emit_message e;
        e.stream = settings_.retry.dead_letter_stream;
        e.tuple = std::move(mapped.values); // unanchored: the dead-letter stream is not tracked
        session_->emit(std::move(e));
    }
    book_.give_up(tp, m.offset);
    log("kafka-spout: gave up on " + to_string(tp) + " offset " + std::to_string(m.offset) +
            " and emitted it on stream " + settings_.retry.dead_letter_stream,
        log_level::warn);
}

void kafka_spout::settle_rewind(std::int32_t partition, std::int64_t first_offset_seen)
{
    auto it = rewinding_.find(partition);
    if (it == rewinding_.end() || first_offset_seen < it->second) return;
    std::int64_t target = it->second;
    rewinding_.erase(it);
    if (first_offset_seen == target) return;
    // The rewind target is gone (compaction or retention): the failed offsets in the hole
    // cannot be replayed, so they stop holding the commit back.
    for (const auto& due : retries_.due(clock::time_point::max())) {
        if (due.partition.topic != settings_.group.topic || due.partition.partition != partition) continue;
        for (std::int64_t offset : due.offsets) {
            if (offset >= target && offset < first_offset_seen) {
                book_.give_up(due.partition.ref(), offset);
                retries_.acked(due.partition.ref(), offset);
                log("kafka-spout: " + to_string(due.partition.ref()) + " offset " + std::to_string(offset) +
                        " failed and is no longer in the log; not replayed",
                    log_level::warn);
            }
        }
    }
}

void kafka_spout::rewind_due_replays()
{
    auto now = clock::now();
    for (const auto& due : retries_.due(now)) {
        std::int64_t first = due.offsets.front();
        auto it = rewinding_.find(due.partition.partition);
        if (it != rewinding_.end() && it->second <= first) continue; // already on its way
        if (!consumer_->seek(due.partition.partition, first)) rewinding_[due.partition.partition] = first;
    }
}

void kafka_spout::update_pauses()
{
    auto now = clock::now();
    std::set<std::int32_t> due_partitions;
    for (const auto& due : retries_.due(now)) due_partitions.insert(due.partition.partition);
    for (const auto& tp : book_.owned()) {
        const offset_tracker* tracker = book_.find(tp.ref());
        bool over = tracker && static_cast<std::int64_t>(tracker->uncommitted_count()) >= settings_.max_uncommitted_offsets;
        // A partition at the cap still fetches when a replay is due inside it, or it deadlocks.
        bool should_pause = over && !due_partitions.contains(tp.partition);
        bool paused = paused_.contains(tp.partition);
        if (should_pause && !paused) {
            if (!consumer_->pause(tp.partition)) paused_.insert(tp.partition);
        } else if (!should_pause && paused) {
            consumer_->resume(tp.partition);
            paused_.erase(tp.partition);
        }
    }
}

} // namespace kspout::spout
