// In-memory byte_stream for connection tests: the test plays the broker and can fail the Nth I/O.
#pragma once

#include "protocol/io/byte_stream.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <optional>

namespace kspout::testing {

// The far end of a test_stream. Reads wait until the test feeds bytes; writes are recorded.
// With fail_at(n), the n-th read or write (counting from 0) completes with an I/O error.
class test_peer : public std::enable_shared_from_this<test_peer> {
public:
    explicit test_peer(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

    std::unique_ptr<io::byte_stream> make_stream();

    void feed(wire::bytes_view bytes);
    void close_remote(); // EOF for the reader
    void fail_at(int operation) { fail_at_ = operation; }

    const wire::byte_buffer& written() const { return written_; }
    void clear_written() { written_.clear(); }
    bool closed_locally() const { return closed_; }
    int operations() const { return operations_; }

private:
    friend class test_stream;
    bool next_operation_fails() { return operations_++ == fail_at_; }
    void try_complete_read();

    boost::asio::any_io_executor executor_;
    wire::byte_buffer incoming_;
    wire::byte_buffer written_;
    bool remote_closed_ = false;
    bool closed_ = false;
    int operations_ = 0;
    int fail_at_ = -1;
    std::optional<std::pair<std::span<std::uint8_t>, io::byte_stream::io_handler>> pending_read_;
};

} // namespace kspout::testing
