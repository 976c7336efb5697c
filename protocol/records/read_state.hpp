// State shared by the entry readers during one read_records call (internal to kspout_records).
#pragma once

#include "protocol/records/abort_tracker.hpp"
#include "protocol/records/records.hpp"

#include <algorithm>
#include <cstring>
#include <system_error>

namespace kspout::records::detail {

// Outcome of reading one complete entry (a v0/v1 message or a v2 batch).
struct entry_result {
    std::error_code error;
    std::size_t error_at = 0;      // byte offset of the failure within the entry
    std::int64_t next_offset = -1; // offset after the entry, when it was read
};

struct read_state {
    const read_options& options;
    std::int64_t fetch_offset;
    record_set& out;
    abort_tracker& aborts;
    std::size_t next_free_buffer = 0; // buffers in out.decompressed from here on are unused

    // An empty buffer in out.decompressed that stays alive (and in place) until out.clear().
    wire::byte_buffer& acquire_buffer()
    {
        if (next_free_buffer < out.decompressed.size()) {
            auto& buffer = out.decompressed[next_free_buffer++];
            buffer.clear();
            return buffer;
        }
        ++next_free_buffer;
        return out.decompressed.emplace_back();
    }

    // Grows the record vector geometrically even when called once per batch.
    void reserve_records(std::size_t more)
    {
        std::size_t need = out.records.size() + more;
        if (need > out.records.capacity()) {
            out.records.reserve(std::max(need, out.records.capacity() * 2));
        }
    }
};

entry_result read_message_set_entry(wire::bytes_view entry, read_state& state);
entry_result read_record_batch(wire::bytes_view entry, read_state& state);

// Big-endian loads from bounds-checked positions.
inline std::uint64_t load_be(const std::uint8_t* p, int n) noexcept
{
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}
inline std::int64_t load_i64(const std::uint8_t* p) noexcept { return static_cast<std::int64_t>(load_be(p, 8)); }
inline std::int32_t load_i32(const std::uint8_t* p) noexcept
{
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(load_be(p, 4)));
}
inline std::uint32_t load_u32(const std::uint8_t* p) noexcept { return static_cast<std::uint32_t>(load_be(p, 4)); }
inline std::int16_t load_i16(const std::uint8_t* p) noexcept
{
    return static_cast<std::int16_t>(static_cast<std::uint16_t>(load_be(p, 2)));
}

// Offsets and timestamps from the wire are untrusted: add without signed-overflow UB.
inline std::int64_t wrapping_add(std::int64_t a, std::int64_t b) noexcept
{
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

} // namespace kspout::records::detail
