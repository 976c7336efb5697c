// batch_records: records appended through records::batch_builder, encoded per Produce version.
#include "protocol/io/produce_batch.hpp"

#include "protocol/io/producer_error.hpp"
#include "protocol/messages/versions.hpp"

namespace kspout::io {
namespace {

// A v1 message's fixed fields (offset, size, crc, magic, attributes, timestamp, two lengths) are
// 34 bytes; a v2 record's varints take at most 26, and each v2 header at most 10 besides its bytes.
constexpr std::size_t record_overhead = 34;
constexpr std::size_t header_overhead = 10;

std::optional<wire::bytes_view> bytes_of(std::optional<std::string_view> s)
{
    if (!s) return std::nullopt;
    return wire::as_bytes(*s);
}

} // namespace

std::size_t estimated_size(std::optional<std::string_view> key, std::optional<std::string_view> value,
                           std::span<const record_header> headers)
{
    std::size_t size = record_overhead + (key ? key->size() : 0) + (value ? value->size() : 0);
    for (const auto& h : headers) size += header_overhead + h.key.size() + (h.value ? h.value->size() : 0);
    return size;
}

batch_records::batch_records(clock::time_point opened, batch_storage storage)
    : records_(std::move(storage.bytes)), receipts_(std::move(storage.receipts)), opened_(opened)
{
    receipts_.clear();
}

batch_storage batch_records::take_storage() noexcept
{
    batch_storage storage{records_.take_storage(), std::move(receipts_)};
    storage.receipts.clear();
    receipts_.clear();
    bytes_ = 0;
    return storage;
}

bool batch_records::fits(std::size_t size, std::size_t batch_size) const noexcept
{
    return empty() || batch_overhead + bytes_ + size <= batch_size;
}

void batch_records::append(std::optional<std::string_view> key, std::optional<std::string_view> value,
                           std::span<const record_header> headers, std::int64_t timestamp, record_receipt receipt,
                           std::size_t size)
{
    records::record_to_write r{bytes_of(key), bytes_of(value), timestamp, {}};
    if (!headers.empty()) {
        r.headers.reserve(headers.size());
        for (const auto& h : headers) r.headers.emplace_back(h.key, bytes_of(h.value));
    }
    records_.append(r);
    receipts_.push_back(std::move(receipt));
    bytes_ += size;
}

bool batch_records::ready(clock::time_point now, std::chrono::milliseconds linger, std::size_t batch_size) const
{
    if (empty()) return false;
    return batch_overhead + bytes_ >= batch_size || now >= linger_expiry(linger);
}

std::error_code batch_records::unencodable(std::int16_t produce_version, records::compression codec) const
{
    if (codec == records::compression::zstd && produce_version < 7) return producer_errc::zstd_needs_produce_v7;
    if (messages::message_format_magic(produce_version) < 2 && records_.has_headers()) {
        return producer_errc::headers_need_produce_v3;
    }
    return {};
}

std::error_code batch_records::encode(std::int16_t produce_version, records::compression codec,
                                      wire::byte_buffer& out, const batch_identity& identity) const
{
    wire::writer w(std::move(out));
    auto ec = encode(produce_version, codec, w, identity);
    out = w.take();
    return ec;
}

std::error_code batch_records::encode(std::int16_t produce_version, records::compression codec, wire::writer& out,
                                      const batch_identity& identity) const
{
    if (auto ec = unencodable(produce_version, codec)) return ec;
    const std::int8_t magic = messages::message_format_magic(produce_version);
    records::write_options options;
    options.magic = magic;
    options.codec = codec;
    if (magic < 2) return records_.finish_as_message_set(options, out);
    options.producer_id = identity.producer_id;
    options.producer_epoch = identity.producer_epoch;
    options.base_sequence = identity.base_sequence;
    return records_.finish(options, out);
}

} // namespace kspout::io
