// A RecordBatch v2 built one record at a time: each record is encoded as it is appended.
#pragma once

#include "protocol/records/records_writer.hpp"
#include "protocol/wire/writer.hpp"

#include <cstddef>
#include <cstdint>
#include <system_error>
#include <vector>

namespace kspout::records {

// Records are encoded on append, with offset deltas 0, 1, ... and timestamp deltas from the first
// record's; the batch header and the compression of the records come at finish(). A producer
// appends each record once, when it is produced, and keeps nothing else of it.
class batch_builder {
public:
    batch_builder() = default;
    // Appends into `storage`, emptied first: a buffer of an earlier batch, whose capacity (and
    // the memory pages behind it) a producer reuses rather than allocate and fault in again.
    explicit batch_builder(wire::byte_buffer storage);
    // The buffer, for the next batch; this builder is empty afterwards.
    wire::byte_buffer take_storage() noexcept;

    void append(const record_to_write& r);

    bool empty() const noexcept { return count_ == 0; }
    std::int32_t count() const noexcept { return count_; }
    bool has_headers() const noexcept { return has_headers_; }
    std::size_t body_size() const noexcept { return body_.size(); } // the records' bytes, uncompressed

    // Appends the whole batch to `out`: the header (base offset and producer fields from `o`;
    // o.magic is ignored) and the records compressed with o.codec. `out` is unchanged on error.
    std::error_code finish(const write_options& o, wire::writer& out) const;
    std::error_code finish(const write_options& o, wire::byte_buffer& out) const;

    // The same records in an older format (magic 0 or 1), for brokers before Kafka 0.11; the
    // records must have no headers (errc::bad_value otherwise), the codec no zstd.
    std::error_code finish_as_message_set(const write_options& o, wire::writer& out) const;

private:
    wire::writer body_;
    std::int32_t count_ = 0;
    std::int64_t base_timestamp_ = -1;
    std::int64_t max_timestamp_ = -1;
    bool has_headers_ = false;
};

} // namespace kspout::records
