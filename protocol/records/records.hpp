// Decoding a partition's records blob from a Fetch response: MessageSet v0/v1 and RecordBatch v2.
#pragma once

#include "protocol/records/abort_tracker.hpp"
#include "protocol/wire/bytes.hpp"
#include "protocol/wire/error.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace kspout::records {

enum class timestamp_type : std::int8_t { create_time, log_append_time };

struct header {
    std::string_view key;
    std::optional<wire::bytes_view> value;
};

struct record {
    std::int64_t offset = 0;
    std::int64_t timestamp = -1;
    timestamp_type ts_type = timestamp_type::create_time;
    std::optional<wire::bytes_view> key;
    std::optional<wire::bytes_view> value;
    std::uint32_t first_header = 0; // index into record_set::headers
    std::uint32_t header_count = 0;
};

struct read_options {
    bool check_crcs = true;
    bool read_committed = false;
    std::size_t max_decompressed_bytes = 64 * 1024 * 1024; // per compressed batch or wrapper
};

struct record_set {
    std::vector<record> records;
    std::vector<header> headers;
    std::int64_t next_offset = -1;  // position after the last complete entry (>= fetch offset)
    bool partial_tail = false;      // blob ended inside an entry: not an error
    std::size_t complete_bytes = 0; // bytes of the blob taken by complete entries
    std::deque<wire::byte_buffer> decompressed; // storage for views into decompressed data

    std::span<const header> headers_of(const record& r) const;
    // Empties the set; keeps decompression buffers (emptied, up to 64 MiB) for reuse.
    void clear();
};

// Decodes one partition's records blob from a Fetch response: any mix of MessageSet v0, v1
// (including compressed wrappers; v1 inner offsets are relative) and RecordBatch v2. Skips
// records below fetch_offset, control batches, and (read_committed) aborted transactional
// batches per the Java consumer's algorithm. Views point into `blob` (caller keeps it alive)
// or into out.decompressed. On error the records decoded before the bad entry stay in `out`,
// next_offset stays at the bad entry, and the error's context names topic, partition, offset
// (e.g. "topic t partition 3 offset 42: checksum mismatch").
// Records and headers are appended to `out`; next_offset, partial_tail and complete_bytes
// describe this blob.
std::optional<wire::decode_error> read_records(wire::bytes_view blob, std::int64_t fetch_offset,
    const read_options& options, std::span<const aborted_transaction> aborted,
    record_set& out, std::string_view topic = {}, std::int32_t partition = -1);

// Where a reader stops early: at the first entry boundary after which the records read in this
// call reach max_records, or the bytes they came from (decompressed, or the entry's own when not
// compressed) reach max_bytes. At least one record is read first, unless the blob ends.
struct read_limit {
    std::size_t max_records = SIZE_MAX;
    std::size_t max_bytes = SIZE_MAX;
};

// read_records in parts: each read() decodes the next entries of the blob into `out`, up to the
// limit, carrying the read_committed bookkeeping from one part to the next. The reader views the
// blob and the topic (keep them alive while it reads); it copies the aborted list.
// Per part, out.next_offset is the offset after the last entry read so far (fetch_offset at
// first), out.complete_bytes the bytes of the blob read so far, out.partial_tail whether the
// blob ended inside an entry (set once the reader reaches it).
class record_reader {
public:
    record_reader(wire::bytes_view blob, std::int64_t fetch_offset, const read_options& options,
                  std::span<const aborted_transaction> aborted, std::string_view topic = {},
                  std::int32_t partition = -1);

    std::optional<wire::decode_error> read(record_set& out, read_limit limit = {});
    // Every complete entry is read, or an error stopped the reader.
    bool finished() const noexcept { return finished_; }

private:
    wire::bytes_view blob_;
    std::int64_t fetch_offset_;
    read_options options_;
    std::string_view topic_;
    std::int32_t partition_;
    detail::abort_tracker aborts_;
    std::size_t position_ = 0;
    std::int64_t next_offset_;
    bool finished_ = false;
};

// When a fetch returned bytes but no complete entry (one record larger than the fetch size),
// the size to ask for next: double, capped at max; returns current if not stalled.
std::int32_t next_fetch_size(const record_set& result, std::int32_t current, std::int32_t max);

} // namespace kspout::records
