// connection: write coalescing, frame assembly, correlation matching and deadlines.
#include "protocol/io/connection.hpp"

#include "protocol/io/error.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstring>

namespace kspout::io {
namespace {

constexpr std::size_t max_unanswered = 1024; // against brokers that never answer them, keep only the latest

} // namespace

std::shared_ptr<connection> connection::create(boost::asio::any_io_executor executor,
                                               std::unique_ptr<byte_stream> stream,
                                               connection_options options)
{
    std::shared_ptr<connection> c(new connection(std::move(executor), std::move(stream), std::move(options)));
    c->start_read();
    return c;
}

connection::connection(boost::asio::any_io_executor executor, std::unique_ptr<byte_stream> stream,
                       connection_options options)
    : executor_(executor), stream_(std::move(stream)), options_(std::move(options)), timer_(executor),
      inbox_(std::max<std::size_t>(options_.read_buffer_size, 16))
{
}

connection::~connection()
{
    if (stream_) stream_->close();
}

void connection::send(wire::api_key key, std::int16_t version, const body_encoder& encode_body,
                      std::chrono::milliseconds timeout, response_handler handler, bool expects_response)
{
    if (!open_) {
        complete_later(std::move(handler), make_error_code(errc::connection_closed));
        return;
    }
    std::int32_t correlation_id = next_correlation_id_++;
    wire::writer w(std::move(write_queue_));
    std::size_t start = wire::begin_request(w, {key, version, correlation_id, options_.client_id});
    encode_body(w);
    wire::end_frame(w, start);
    write_queue_ = w.take();

    if (expects_response) {
        in_flight_.push_back({correlation_id, key, version, std::chrono::steady_clock::now() + timeout,
                              std::move(handler)});
        arm_timer();
    } else {
        written_queue_.push_back(std::move(handler));
        if (unanswered_.size() == max_unanswered) unanswered_.pop_front();
        unanswered_.push_back(correlation_id);
    }
    start_write();
}

void connection::start_write()
{
    if (write_in_progress_ || write_queue_.empty() || !open_) return;
    write_in_progress_ = true;
    writing_.swap(write_queue_);
    write_queue_.clear();
    written_callbacks_.swap(written_queue_);
    written_queue_.clear();
    stream_->async_write_all(writing_, [self = shared_from_this()](std::error_code ec, std::size_t) {
        self->write_in_progress_ = false;
        auto callbacks = std::move(self->written_callbacks_);
        self->written_callbacks_.clear();
        if (ec) {
            for (auto& cb : callbacks) self->complete_later(std::move(cb), ec);
            self->close(ec);
            return;
        }
        for (auto& cb : callbacks) self->complete_later(std::move(cb), {});
        self->writing_.clear();
        self->start_write();
    });
}

void connection::start_read()
{
    if (!open_) return;
    std::span<std::uint8_t> target;
    if (partial_) {
        target = std::span<std::uint8_t>(*partial_).subspan(partial_filled_);
    } else {
        if (inbox_begin_ == inbox_end_) {
            inbox_begin_ = inbox_end_ = 0;
        } else if (inbox_end_ == inbox_.size()) { // move the unread tail to the front
            std::memmove(inbox_.data(), inbox_.data() + inbox_begin_, inbox_end_ - inbox_begin_);
            inbox_end_ -= inbox_begin_;
            inbox_begin_ = 0;
        }
        target = std::span<std::uint8_t>(inbox_).subspan(inbox_end_);
    }
    stream_->async_read_some(target, [self = shared_from_this()](std::error_code ec, std::size_t n) {
        self->on_read(ec, n);
    });
}

void connection::on_read(std::error_code ec, std::size_t n)
{
    if (!open_) return;
    if (ec) {
        close(ec);
        return;
    }
    if (partial_) {
        partial_filled_ += n;
        if (partial_filled_ == partial_->size()) {
            auto frame = std::move(partial_);
            partial_.reset();
            deliver(std::move(frame));
        }
    } else {
        inbox_end_ += n;
        consume_inbox();
    }
    start_read();
}

void connection::consume_inbox()
{
    while (open_ && !partial_ && inbox_end_ - inbox_begin_ >= 4) {
        wire::bytes_view pending(inbox_.data() + inbox_begin_, inbox_end_ - inbox_begin_);
        std::error_code ec;
        std::size_t size = wire::decode_frame_size(pending, options_.max_frame_size, ec);
        if (ec) {
            close(ec);
            return;
        }
        std::size_t available = std::min(size, pending.size() - 4);
        auto frame = std::make_shared<wire::byte_buffer>(size);
        std::memcpy(frame->data(), pending.data() + 4, available);
        inbox_begin_ += 4 + available;
        if (available < size) {
            partial_ = std::move(frame);
            partial_filled_ = available;
            return;
        }
        deliver(std::move(frame));
    }
}

void connection::deliver(std::shared_ptr<wire::byte_buffer> frame)
{
    wire::reader r(*frame);
    std::int32_t correlation_id = wire::decode_response_header(r);
    if (!r.ok()) {
        close(make_error_code(errc::bad_response));
        return;
    }
    // Responses come in request order, so one for a no-response request can only be for an id
    // sent before the oldest request in flight, and none can follow for ids below this one.
    auto unanswered = std::find(unanswered_.begin(), unanswered_.end(), correlation_id);
    if (unanswered != unanswered_.end() && (in_flight_.empty() || correlation_id < in_flight_.front().correlation_id)) {
        unanswered_.erase(unanswered_.begin(), unanswered + 1);
        return;
    }
    if (in_flight_.empty() || in_flight_.front().correlation_id != correlation_id) {
        close(make_error_code(errc::correlation_mismatch));
        return;
    }
    while (!unanswered_.empty() && unanswered_.front() < correlation_id) unanswered_.pop_front();
    pending_request request = std::move(in_flight_.front());
    in_flight_.pop_front();
    arm_timer();
    request.handler({}, response_frame{std::move(frame), r.position()});
}

void connection::arm_timer()
{
    if (in_flight_.empty()) {
        timer_.cancel();
        return;
    }
    auto earliest = std::min_element(in_flight_.begin(), in_flight_.end(), [](const auto& a, const auto& b) {
                        return a.deadline < b.deadline;
                    })->deadline;
    if (timer_.expiry() == earliest) return;
    timer_.expires_at(earliest);
    timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->on_timer();
    });
}

void connection::on_timer()
{
    auto now = std::chrono::steady_clock::now();
    bool expired = std::any_of(in_flight_.begin(), in_flight_.end(),
                               [now](const auto& r) { return r.deadline <= now; });
    if (!expired) {
        arm_timer();
        return;
    }
    // Fail the expired requests with a timeout, then close: the rest is stuck behind them.
    for (auto it = in_flight_.begin(); it != in_flight_.end();) {
        if (it->deadline <= now) {
            complete_later(std::move(it->handler), make_error_code(errc::request_timed_out));
            it = in_flight_.erase(it);
        } else {
            ++it;
        }
    }
    close(make_error_code(errc::request_timed_out));
}

void connection::close(std::error_code reason)
{
    if (!open_) return;
    open_ = false;
    timer_.cancel();
    stream_->close();
    for (auto& request : in_flight_) complete_later(std::move(request.handler), reason);
    in_flight_.clear();
    for (auto& cb : written_queue_) complete_later(std::move(cb), reason);
    written_queue_.clear();
    write_queue_.clear();
    if (auto callback = std::move(on_close_)) {
        on_close_ = nullptr;
        boost::asio::post(executor_, [callback = std::move(callback), reason] { callback(reason); });
    }
}

void connection::complete_later(response_handler handler, std::error_code ec, response_frame frame)
{
    if (!handler) return;
    boost::asio::post(executor_, [handler = std::move(handler), ec, frame = std::move(frame)]() mutable {
        handler(ec, std::move(frame));
    });
}

} // namespace kspout::io
