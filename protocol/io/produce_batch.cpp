// partition_queue accounting and batch encoding through records::write_records.
#include "protocol/io/produce_batch.hpp"

#include "protocol/io/producer_error.hpp"
#include "protocol/messages/versions.hpp"
#include "protocol/records/records_writer.hpp"

#include <algorithm>

namespace kspout::io {
namespace {

// A v1 message's fixed fields (offset, size, crc, magic, attributes, timestamp, two lengths) are
// 34 bytes; a v2 record's varints take at most 26, and each v2 header at most 10 besides its bytes.
constexpr std::size_t record_overhead = 34;
constexpr std::size_t header_overhead = 10;

} // namespace

std::size_t estimated_size(const std::optional<std::string>& key, const std::optional<std::string>& value,
                           const std::vector<record_header>& headers)
{
    std::size_t size = record_overhead + (key ? key->size() : 0) + (value ? value->size() : 0);
    for (const auto& h : headers) size += header_overhead + h.key.size() + (h.value ? h.value->size() : 0);
    return size;
}

void partition_queue::push(queued_record r)
{
    bytes_ += r.size;
    records_.push_back(std::move(r));
}

bool partition_queue::ready(clock::time_point now, std::chrono::milliseconds linger, std::size_t batch_size) const
{
    if (records_.empty()) return false;
    return batch_overhead + bytes_ >= batch_size || now >= linger_expiry(linger);
}

partition_queue::clock::time_point partition_queue::linger_expiry(std::chrono::milliseconds linger) const
{
    return records_.front().enqueued + linger;
}

std::vector<queued_record> partition_queue::take_batch(std::size_t batch_size)
{
    std::size_t count = 0;
    std::size_t total = batch_overhead;
    for (std::size_t i = head_; i < records_.size(); ++i) {
        if (count > 0 && total + records_[i].size > batch_size) break;
        total += records_[i].size;
        ++count;
    }
    return take_front(count);
}

std::vector<queued_record> partition_queue::take_enqueued_by(clock::time_point cutoff)
{
    std::size_t count = 0;
    while (head_ + count < records_.size() && records_[head_ + count].enqueued <= cutoff) ++count;
    return take_front(count);
}

std::vector<queued_record> partition_queue::take_all()
{
    return take_front(size());
}

std::vector<queued_record> partition_queue::take_front(std::size_t count)
{
    std::vector<queued_record> taken;
    if (count == 0) return taken;
    taken.reserve(count);
    for (std::size_t i = head_; i < head_ + count; ++i) {
        bytes_ -= records_[i].size;
        taken.push_back(std::move(records_[i]));
    }
    head_ += count;
    if (head_ == records_.size()) {
        records_.clear(); // keeps the capacity for the next records
        head_ = 0;
    } else if (head_ >= 64 && 2 * head_ >= records_.size()) {
        records_.erase(records_.begin(), records_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
    return taken;
}

std::error_code encode_batch(std::span<const queued_record> records, std::int16_t produce_version,
                             records::compression codec, wire::byte_buffer& out, const batch_identity& identity)
{
    std::int8_t magic = messages::message_format_magic(produce_version);
    if (codec == records::compression::zstd && produce_version < 7) return producer_errc::zstd_needs_produce_v7;
    if (magic < 2 && std::any_of(records.begin(), records.end(), [](const auto& r) { return !r.headers.empty(); })) {
        return producer_errc::headers_need_produce_v3;
    }

    auto view = [](const std::optional<std::string>& s) -> std::optional<wire::bytes_view> {
        if (!s) return std::nullopt;
        return wire::as_bytes(*s);
    };
    std::vector<records::record_to_write> to_write;
    to_write.reserve(records.size());
    for (const auto& r : records) {
        records::record_to_write w{view(r.key), view(r.value), r.timestamp, {}};
        w.headers.reserve(r.headers.size());
        for (const auto& h : r.headers) w.headers.emplace_back(h.key, view(h.value));
        to_write.push_back(std::move(w));
    }
    records::write_options options;
    options.magic = magic;
    options.codec = codec;
    if (magic == 2) {
        options.producer_id = identity.producer_id;
        options.producer_epoch = identity.producer_epoch;
        options.base_sequence = identity.base_sequence;
    }
    std::size_t before = out.size();
    std::error_code ec = records::write_records(to_write, options, out);
    if (ec) out.resize(before);
    return ec;
}

} // namespace kspout::io
