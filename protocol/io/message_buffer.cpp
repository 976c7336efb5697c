// message_buffer: chunked storage of decoded records, byte accounting, round-robin hand-out.
#include "protocol/io/message_buffer.hpp"

namespace kspout::io {

std::size_t record_bytes(const records::record_set& set, const records::record& r)
{
    std::size_t n = (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
    for (const auto& h : set.headers_of(r)) n += h.key.size() + (h.value ? h.value->size() : 0);
    return n;
}

void message_buffer::push(response_frame frame, std::unique_ptr<records::record_set> set)
{
    if (!set || set->records.empty()) return;
    messages_ += set->records.size();
    for (const auto& r : set->records) bytes_ += record_bytes(*set, r);
    chunks_.push_back({std::move(frame), std::move(set), 0});
}

std::optional<std::int64_t> message_buffer::front_offset() const
{
    if (chunks_.empty()) return std::nullopt;
    const auto& c = chunks_.front();
    return c.set->records[c.next].offset;
}

std::size_t message_buffer::take(std::size_t max, std::string_view topic, std::int32_t partition,
                                 std::vector<consumer_message>& out, std::vector<buffered_chunk>& lent)
{
    std::size_t taken = 0;
    while (taken < max && !chunks_.empty()) {
        auto& c = chunks_.front();
        const auto& set = *c.set;
        while (taken < max && c.next < set.records.size()) {
            const auto& r = set.records[c.next++];
            out.push_back({topic, partition, r.offset, r.timestamp, r.ts_type, r.key, r.value, set.headers_of(r)});
            bytes_ -= record_bytes(set, r);
            --messages_;
            ++taken;
        }
        if (c.next == set.records.size()) {
            lent.push_back(std::move(c));
            chunks_.pop_front();
        }
    }
    return taken;
}

void message_buffer::clear()
{
    chunks_.clear();
    messages_ = 0;
    bytes_ = 0;
}

std::size_t take_round_robin(std::span<const poll_source> sources, std::size_t max, std::string_view topic,
                             std::vector<consumer_message>& out, std::vector<buffered_chunk>& lent)
{
    std::size_t taken = 0;
    while (taken < max) {
        const poll_source* only = nullptr;
        std::size_t non_empty = 0;
        for (const auto& s : sources) {
            if (!s.buffer->empty()) {
                ++non_empty;
                only = &s;
            }
        }
        if (non_empty == 0) break;
        if (non_empty == 1) { // nobody to alternate with: take the rest in one go
            taken += only->buffer->take(max - taken, topic, only->partition, out, lent);
            break;
        }
        for (const auto& s : sources) {
            if (taken == max) break;
            if (!s.buffer->empty()) taken += s.buffer->take(1, topic, s.partition, out, lent);
        }
    }
    return taken;
}

} // namespace kspout::io
