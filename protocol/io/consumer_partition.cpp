// consumer_partition: fetch eligibility, the Fetch error step table, applying a Fetch response.
#include "protocol/io/consumer_partition.hpp"

#include "protocol/io/consumer_error.hpp"
#include "protocol/wire/broker_error.hpp"

#include <vector>

namespace kspout::io {

std::optional<std::int64_t> consumer_partition::position() const
{
    if (auto front = buffer.front_offset()) return front;
    if (phase == partition_phase::active || phase == partition_phase::stopped) {
        if (fetch_offset >= 0) return fetch_offset;
    }
    return std::nullopt;
}

bool consumer_partition::buffer_full(const consumer_options& o) const
{
    return buffer.messages() >= o.queued_max_messages || buffer.bytes() >= o.queued_max_bytes;
}

void consumer_partition::drop_buffered()
{
    buffer.clear();
    undecoded.reset();
}

bool consumer_partition::fetchable(std::chrono::steady_clock::time_point now, const consumer_options& o) const
{
    return phase == partition_phase::active && !paused && !in_flight && !backing_off(now) && !buffer_full(o) &&
           !undecoded;
}

bool consumer_partition::backing_off(std::chrono::steady_clock::time_point now) const
{
    return now < not_before;
}

fetch_step fetch_error_step(std::int16_t code) noexcept
{
    switch (wire::broker_error_action(wire::api_key::fetch, code)) {
    case wire::error_action::none: return fetch_step::proceed;
    case wire::error_action::refresh_metadata: return fetch_step::refresh_metadata;
    case wire::error_action::reset_offset: return fetch_step::reset_offset;
    case wire::error_action::retry: return fetch_step::retry;
    default: return fetch_step::stop; // fatal: the Fetch overrides leave no other action
    }
}

bool begin_reset(consumer_partition& p, offset_reset policy)
{
    if (policy == offset_reset::error) {
        p.phase = partition_phase::stopped;
        return false;
    }
    p.phase = partition_phase::awaiting_reset;
    return true;
}

namespace {

std::string where(std::string_view topic, std::int32_t partition, std::int64_t offset)
{
    return partition_label(topic, partition) + " offset " + std::to_string(offset);
}

fetch_outcome error_outcome(consumer_partition& p, std::int16_t code, const fetch_apply_options& o)
{
    fetch_outcome out;
    out.step = fetch_error_step(code);
    out.error = wire::make_broker_error(code);
    out.detail = where(o.topic, p.id, p.fetch_offset) + ": " + out.error.message();
    switch (out.step) {
    case fetch_step::reset_offset:
        if (!begin_reset(p, o.reset_policy)) {
            out.step = fetch_step::stop;
            out.detail += " and auto_offset_reset is error";
        }
        break;
    case fetch_step::stop:
        p.phase = partition_phase::stopped;
        break;
    default:
        break;
    }
    return out;
}

} // namespace

fetch_outcome apply_fetch_response(consumer_partition& p, const messages::fetch_partition_response& response,
                                   const response_frame& frame, const fetch_apply_options& options)
{
    if (response.error_code != 0) return error_outcome(p, response.error_code, options);
    p.high_watermark = response.high_watermark;
    p.last_stable_offset = response.last_stable_offset;
    p.log_start_offset = response.log_start_offset;

    std::vector<records::aborted_transaction> aborted;
    aborted.reserve(response.aborted_transactions.size());
    for (const auto& a : response.aborted_transactions) aborted.push_back({a.producer_id, a.first_offset});
    p.undecoded.emplace(frame, records::record_reader(response.records, p.fetch_offset, options.read, aborted,
                                                      options.topic, p.id));
    return read_undecoded(p, options);
}

fetch_outcome read_undecoded(consumer_partition& p, const fetch_apply_options& options)
{
    fetch_outcome out;
    if (!p.undecoded) return out;
    std::size_t messages = p.buffer.messages();
    std::size_t bytes = p.buffer.bytes();
    if (messages >= options.queued_max_messages || bytes >= options.queued_max_bytes) return out;

    auto& reader = p.undecoded->reader;
    auto set = std::make_unique<records::record_set>();
    auto failure = reader.read(*set, {options.queued_max_messages - messages, options.queued_max_bytes - bytes});
    response_frame frame = p.undecoded->frame;
    if (reader.finished()) p.undecoded.reset();
    out.new_messages = set->records.size();
    bool stalled = !failure && set->records.empty() && set->next_offset == p.fetch_offset &&
                   set->partial_tail && set->complete_bytes == 0;
    if (stalled) {
        std::int32_t grown = records::next_fetch_size(*set, p.fetch_size, options.fetch_size_max);
        if (grown > p.fetch_size) {
            p.fetch_size = grown;
            return out;
        }
        p.phase = partition_phase::stopped;
        out.step = fetch_step::stop;
        out.error = make_error_code(consumer_errc::record_too_large);
        out.detail = where(options.topic, p.id, p.fetch_offset) + ": a record is larger than " +
                     std::to_string(options.fetch_size_max) + " bytes (fetch_partition_bytes_max)";
        return out;
    }
    if (set->next_offset > p.fetch_offset) p.fetch_offset = set->next_offset;
    if (!set->records.empty()) p.buffer.push(std::move(frame), std::move(set));
    if (failure) {
        // Never skip data silently: what came before the bad entry is kept, and the partition
        // waits at the bad entry for the caller to decide (seek past it, or give up).
        p.phase = partition_phase::stopped;
        out.step = fetch_step::stop;
        out.error = failure->code;
        out.detail = failure->message();
        return out;
    }
    if (p.fetch_size > options.fetch_size_base && out.new_messages > 0) p.fetch_size = options.fetch_size_base;
    return out;
}

std::string_view phase_name(partition_phase phase) noexcept
{
    switch (phase) {
    case partition_phase::awaiting_committed: return "awaiting committed offset";
    case partition_phase::awaiting_reset: return "awaiting offset reset";
    case partition_phase::active: return "active";
    case partition_phase::stopped: return "stopped";
    }
    return "stopped";
}

std::string partition_label(std::string_view topic, std::int32_t partition)
{
    return "topic " + std::string(topic) + " partition " + std::to_string(partition);
}

} // namespace kspout::io
