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
    for (const auto& r : records_) {
        if (count > 0 && total + r.size > batch_size) break;
        total += r.size;
        ++count;
    }
    std::vector<queued_record> batch;
    batch.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        bytes_ -= records_.front().size;
        batch.push_back(std::move(records_.front()));
        records_.pop_front();
    }
    return batch;
}

std::vector<queued_record> partition_queue::take_enqueued_by(clock::time_point cutoff)
{
    std::vector<queued_record> taken;
    while (!records_.empty() && records_.front().enqueued <= cutoff) {
        bytes_ -= records_.front().size;
        taken.push_back(std::move(records_.front()));
        records_.pop_front();
    }
    return taken;
}

std::vector<queued_record> partition_queue::take_all()
{
    std::vector<queued_record> taken(std::make_move_iterator(records_.begin()), std::make_move_iterator(records_.end()));
    records_.clear();
    bytes_ = 0;
    return taken;
}

std::error_code encode_batch(std::span<const queued_record> records, std::int16_t produce_version,
                             records::compression codec, wire::byte_buffer& out)
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
    std::size_t before = out.size();
    std::error_code ec = records::write_records(to_write, options, out);
    if (ec) out.resize(before);
    return ec;
}

} // namespace kspout::io
