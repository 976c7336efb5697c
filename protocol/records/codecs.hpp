// Per-codec entry points behind compression.hpp, and the bounded output buffer they share.
#pragma once

#include "protocol/records/compression.hpp"

#include <algorithm>
#include <span>

namespace kspout::records::detail {

// Growable output region at the end of a byte_buffer that never grows past a limit. Codecs that
// do not know their output size write into space(), commit() what they wrote, and call finish().
class bounded_output {
public:
    bounded_output(wire::byte_buffer& buffer, std::size_t max_bytes, std::size_t size_hint)
        : buf_(buffer), start_(buffer.size()), used_(buffer.size())
    {
        limit_ = max_bytes > buf_.max_size() - start_ ? buf_.max_size() : start_ + max_bytes;
        // One spare byte: a codec that fills the space exactly may still need a call to see its
        // end mark, and that call should not have to grow the buffer.
        grow(std::max<std::size_t>(size_hint, 255) + 1);
    }

    // Free bytes to write into; empty once the limit is reached.
    std::span<std::uint8_t> space()
    {
        if (used_ == buf_.size()) grow(std::max<std::size_t>(used_ - start_, 64 * 1024));
        return {buf_.data() + used_, buf_.size() - used_};
    }
    void commit(std::size_t n) noexcept { used_ += n; }
    std::size_t produced() const noexcept { return used_ - start_; }
    void finish() { buf_.resize(used_); }

private:
    void grow(std::size_t extra)
    {
        std::size_t room = limit_ - used_;
        buf_.resize(used_ + std::min(extra, room));
    }

    wire::byte_buffer& buf_;
    std::size_t start_;
    std::size_t used_;
    std::size_t limit_;
};

std::error_code gzip_decompress(wire::bytes_view input, wire::byte_buffer& output, std::size_t max);
std::error_code gzip_compress(wire::bytes_view input, wire::byte_buffer& output);
std::error_code snappy_decompress(wire::bytes_view input, wire::byte_buffer& output, std::size_t max);
std::error_code snappy_compress(wire::bytes_view input, wire::byte_buffer& output, bool xerial);
std::error_code lz4_decompress(wire::bytes_view input, wire::byte_buffer& output, std::size_t max,
                               bool legacy_header_checksum);
std::error_code lz4_compress(wire::bytes_view input, wire::byte_buffer& output,
                             bool legacy_header_checksum);
std::error_code zstd_decompress(wire::bytes_view input, wire::byte_buffer& output, std::size_t max);
std::error_code zstd_compress(wire::bytes_view input, wire::byte_buffer& output);

} // namespace kspout::records::detail
