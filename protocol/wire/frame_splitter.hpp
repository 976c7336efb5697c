// Splits a byte stream into Kafka frames, read in place: small frames are assembled in one
// buffer, a frame larger than what has arrived is read straight into its own.
#pragma once

#include "protocol/wire/bytes.hpp"
#include "protocol/wire/frame.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <system_error>

namespace kspout::wire {

// The reading side calls prepare() for where the next read lands, commit(n) with what was read,
// then next() until it returns nothing. A bad size prefix fails the splitter for good, after the
// frames before it.
class frame_splitter {
public:
    explicit frame_splitter(std::size_t max_frame_size = default_max_frame_size,
                            std::size_t inbox_size = 64 * 1024);

    // Never empty: the free tail of the inbox, or the unread rest of a frame too large for it.
    std::span<std::uint8_t> prepare();
    void commit(std::size_t n);

    // Copies data in through prepare/commit (tests and fuzzers; sockets read in place).
    void feed(bytes_view data);

    // The next complete frame body, without its size prefix. Shared: decoded views into it keep
    // it alive.
    std::shared_ptr<byte_buffer> next(std::error_code& ec);

    // Bytes received but not yet handed out as frames.
    std::size_t buffered() const noexcept;

private:
    void split_inbox();

    std::size_t max_;
    byte_buffer inbox_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    std::shared_ptr<byte_buffer> large_; // a frame whose body is still arriving
    std::size_t large_filled_ = 0;
    std::deque<std::shared_ptr<byte_buffer>> ready_;
    std::error_code error_;
};

} // namespace kspout::wire
