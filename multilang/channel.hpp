// The component's two pipes to Storm on Asio: framed messages in from stdin, out to stdout.
#pragma once

#include "multilang/framing.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace kspout::multilang {

// Reads and writes never block the executor. Messages go out in the order send() was called,
// each written (and so flushed to the pipe) as soon as the previous one is.
class channel : public std::enable_shared_from_this<channel> {
public:
    using message_handler = std::function<void(std::string text)>;
    // Called once, with an empty code on a clean EOF, else the read, write or framing error;
    // `unfinished` holds the bytes of a message cut off by the EOF. Reading stops then; writing
    // goes on until a write fails.
    using closed_handler = std::function<void(std::error_code, std::string_view unfinished)>;

    static std::shared_ptr<channel> create(boost::asio::any_io_executor executor, int in_fd, int out_fd);

    void start(message_handler on_message, closed_handler on_closed);
    void send(std::string json_text);
    // Runs when everything sent so far has been written.
    void when_flushed(std::function<void()> callback);
    // Stops reading; pending writes still go out.
    void stop_reading();
    // Holds the messages back, from the next one on, without losing any: what was read already
    // waits in the buffer; nothing more is read until resume_reading. Writing goes on.
    void pause_reading();
    void resume_reading();
    bool paused() const noexcept { return paused_; }
    std::size_t queued_bytes() const noexcept { return queued_bytes_; }
    boost::asio::any_io_executor executor() { return out_.get_executor(); }

private:
    channel(boost::asio::any_io_executor executor, int in_fd, int out_fd);
    void read_more();
    void dispatch(); // hands on buffered messages while not paused, then reads more or closes
    void write_more();
    void closed(std::error_code ec);

    boost::asio::posix::stream_descriptor in_;
    boost::asio::posix::stream_descriptor out_;
    message_reader reader_;
    std::array<char, 64 * 1024> read_buffer_{};
    message_handler on_message_;
    closed_handler on_closed_;
    std::string outbox_;  // framed messages not yet handed to a write
    std::string writing_; // the write in progress
    std::size_t queued_bytes_ = 0;
    bool write_in_progress_ = false;
    bool reading_ = false;
    bool paused_ = false;
    bool read_in_flight_ = false;
    std::optional<std::error_code> read_end_; // how the input ended, once it has (empty code: EOF)
    bool closed_ = false;
    bool write_failed_ = false;
    std::vector<std::function<void()>> flush_waiters_;
};

} // namespace kspout::multilang
