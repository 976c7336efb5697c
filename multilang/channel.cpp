// channel: async reads split into messages, writes coalesced and kept in order.
#include "multilang/channel.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <unistd.h>

namespace kspout::multilang {

namespace asio = boost::asio;

std::shared_ptr<channel> channel::create(asio::any_io_executor executor, int in_fd, int out_fd)
{
    return std::shared_ptr<channel>(new channel(std::move(executor), in_fd, out_fd));
}

channel::channel(asio::any_io_executor executor, int in_fd, int out_fd)
    : in_(executor, ::dup(in_fd)), out_(executor, ::dup(out_fd))
{
}

void channel::start(message_handler on_message, closed_handler on_closed)
{
    on_message_ = std::move(on_message);
    on_closed_ = std::move(on_closed);
    reading_ = true;
    read_more();
}

void channel::read_more()
{
    if (!reading_ || closed_ || paused_ || read_in_flight_ || read_end_) return;
    read_in_flight_ = true;
    in_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](boost::system::error_code ec,
                                                                                  std::size_t n) {
        self->read_in_flight_ = false;
        if (!self->reading_ || self->closed_) return;
        if (n > 0) self->reader_.feed(std::string_view(self->read_buffer_.data(), n));
        if (ec) self->read_end_ = ec == asio::error::eof ? std::error_code{} : std::error_code(ec);
        self->dispatch();
    });
}

void channel::dispatch()
{
    std::error_code framing_error;
    while (!paused_) {
        auto message = reader_.next(framing_error);
        if (!message) break;
        on_message_(std::move(*message));
        if (!reading_ || closed_) return;
    }
    if (paused_) return;
    if (framing_error) return closed(framing_error);
    if (read_end_) return closed(*read_end_);
    read_more();
}

void channel::pause_reading()
{
    paused_ = true;
}

void channel::resume_reading()
{
    if (!paused_) return;
    paused_ = false;
    if (!reading_ || closed_ || read_in_flight_) return;
    // Not from inside the caller's own message handler: the buffered messages go on afterwards.
    asio::post(out_.get_executor(), [self = shared_from_this()] {
        if (!self->paused_ && self->reading_ && !self->closed_ && !self->read_in_flight_) self->dispatch();
    });
}

void channel::send(std::string json_text)
{
    // The end of stdin leaves stdout open: a bolt still acks what it finishes after Storm's EOF.
    if (write_failed_) return;
    queued_bytes_ += json_text.size() + 5;
    append_frame(outbox_, json_text);
    write_more();
}

void channel::write_more()
{
    if (write_in_progress_) return;
    if (outbox_.empty()) {
        auto waiters = std::move(flush_waiters_);
        flush_waiters_.clear();
        for (auto& w : waiters) asio::post(out_.get_executor(), std::move(w));
        return;
    }
    writing_.clear();
    writing_.swap(outbox_); // both buffers keep their capacity from one write to the next
    write_in_progress_ = true;
    asio::async_write(out_, asio::buffer(writing_), [self = shared_from_this()](boost::system::error_code ec,
                                                                                 std::size_t n) {
        self->write_in_progress_ = false;
        self->queued_bytes_ -= std::min(self->queued_bytes_, n);
        if (ec) {
            self->write_failed_ = true;
            self->outbox_.clear();
            self->closed(ec);
            auto waiters = std::move(self->flush_waiters_);
            self->flush_waiters_.clear();
            for (auto& w : waiters) w();
            return;
        }
        self->write_more();
    });
}

void channel::when_flushed(std::function<void()> callback)
{
    flush_waiters_.push_back(std::move(callback));
    if (!write_in_progress_) write_more();
}

void channel::stop_reading()
{
    reading_ = false;
    boost::system::error_code ignored;
    in_.cancel(ignored);
}

void channel::closed(std::error_code ec)
{
    if (closed_) return;
    closed_ = true;
    reading_ = false;
    boost::system::error_code ignored;
    in_.cancel(ignored);
    if (on_closed_) {
        auto handler = std::move(on_closed_);
        on_closed_ = nullptr;
        handler(ec, reader_.pending());
    }
}

} // namespace kspout::multilang
