// read_records: splits a Fetch records blob into entries by size and magic, and record_set upkeep.
#include "protocol/records/records.hpp"

#include "protocol/records/read_state.hpp"

#include <string>

namespace kspout::records {
namespace {

constexpr std::size_t log_overhead = 12; // offset and size, common to every magic
constexpr std::size_t magic_at = 16;
// clear() keeps decompression buffers up to this much memory, so the next fetch reuses them
// instead of allocating (and page-faulting) afresh.
constexpr std::size_t kept_buffer_bytes = 64 * 1024 * 1024;

std::string error_context(std::string_view topic, std::int32_t partition, std::int64_t offset)
{
    std::string text;
    if (!topic.empty()) {
        text += "topic ";
        text += topic;
        text += ' ';
    }
    if (partition >= 0) {
        text += "partition ";
        text += std::to_string(partition);
        text += ' ';
    }
    text += "offset ";
    text += std::to_string(offset);
    return text;
}

} // namespace

std::span<const header> record_set::headers_of(const record& r) const
{
    return std::span<const header>(headers).subspan(r.first_header, r.header_count);
}

void record_set::clear()
{
    records.clear();
    headers.clear();
    next_offset = -1;
    partial_tail = false;
    complete_bytes = 0;
    std::size_t kept = 0;
    std::size_t bytes = 0;
    for (; kept < decompressed.size(); ++kept) {
        bytes += decompressed[kept].capacity();
        if (bytes > kept_buffer_bytes) break;
        decompressed[kept].clear();
    }
    decompressed.resize(kept);
}

record_reader::record_reader(wire::bytes_view blob, std::int64_t fetch_offset, const read_options& options,
                             std::span<const aborted_transaction> aborted, std::string_view topic,
                             std::int32_t partition)
    : blob_(blob), fetch_offset_(fetch_offset), options_(options), topic_(topic), partition_(partition),
      next_offset_(fetch_offset)
{
    if (options_.read_committed) aborts_.reset(aborted);
}

std::optional<wire::decode_error> record_reader::read(record_set& out, read_limit limit)
{
    detail::read_state state{options_, fetch_offset_, out, aborts_, out.decompressed.size()};
    while (state.next_free_buffer > 0 && out.decompressed[state.next_free_buffer - 1].empty()) {
        --state.next_free_buffer;
    }
    out.next_offset = next_offset_;
    out.partial_tail = false;
    out.complete_bytes = position_;
    std::size_t records_at_start = out.records.size();
    std::size_t bytes_read = 0;

    while (!finished_) {
        std::size_t remaining = blob_.size() - position_;
        if (remaining == 0) {
            finished_ = true;
            break;
        }
        if (remaining < log_overhead) {
            out.partial_tail = finished_ = true;
            break;
        }
        const std::uint8_t* p = blob_.data() + position_;
        std::int64_t entry_offset = detail::load_i64(p);
        std::int32_t size = detail::load_i32(p + 8);
        auto fail = [&](std::error_code ec, std::size_t at) {
            finished_ = true;
            return wire::decode_error{ec, position_ + at, error_context(topic_, partition_, entry_offset)};
        };
        if (size < 0) return fail(wire::errc::bad_length, 8);
        if (static_cast<std::size_t>(size) > remaining - log_overhead) {
            out.partial_tail = finished_ = true;
            break;
        }
        std::size_t records_read = out.records.size() - records_at_start;
        if (records_read > 0 && (records_read >= limit.max_records || bytes_read >= limit.max_bytes)) break;
        auto entry = blob_.subspan(position_, log_overhead + static_cast<std::size_t>(size));
        if (entry.size() <= magic_at) return fail(wire::errc::bad_length, 8);

        std::size_t records_before = out.records.size();
        std::size_t headers_before = out.headers.size();
        std::size_t buffers_before = state.next_free_buffer;
        detail::entry_result result;
        switch (entry[magic_at]) {
        case 0:
        case 1: result = detail::read_message_set_entry(entry, state); break;
        case 2: result = detail::read_record_batch(entry, state); break;
        default: return fail(wire::errc::bad_magic, magic_at);
        }
        if (result.error) {
            out.records.resize(records_before);
            out.headers.resize(headers_before);
            return fail(result.error, result.error_at);
        }
        if (state.next_free_buffer == buffers_before) {
            bytes_read += entry.size();
        } else {
            for (std::size_t b = buffers_before; b < state.next_free_buffer; ++b) bytes_read += out.decompressed[b].size();
        }
        next_offset_ = std::max(next_offset_, result.next_offset);
        out.next_offset = next_offset_;
        position_ += entry.size();
        out.complete_bytes = position_;
    }
    return std::nullopt;
}

std::optional<wire::decode_error> read_records(wire::bytes_view blob, std::int64_t fetch_offset,
    const read_options& options, std::span<const aborted_transaction> aborted,
    record_set& out, std::string_view topic, std::int32_t partition)
{
    return record_reader(blob, fetch_offset, options, aborted, topic, partition).read(out);
}

std::int32_t next_fetch_size(const record_set& result, std::int32_t current, std::int32_t max)
{
    bool stalled = result.partial_tail && result.complete_bytes == 0;
    if (!stalled || current >= max) return current;
    std::int64_t doubled = std::max<std::int64_t>(std::int64_t{current} * 2, 1);
    return static_cast<std::int32_t>(std::min<std::int64_t>(doubled, max));
}

} // namespace kspout::records
