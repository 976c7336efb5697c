// connection: reads into the frame splitter, writes what the pipeline queued, fires deadlines.
#include "protocol/io/connection.hpp"

#include "protocol/io/error.hpp"

#include <boost/asio/post.hpp>

namespace kspout::io {

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
    : executor_(executor), stream_(std::move(stream)),
      pipeline_({std::move(options.client_id), options.max_in_flight}),
      splitter_(options.max_frame_size, options.read_buffer_size), timer_(executor)
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
    pipeline_.add(key, version, encode_body, std::chrono::steady_clock::now() + timeout, std::move(handler),
                  expects_response);
    arm_timer();
    start_write();
}

void connection::send_raw(wire::bytes_view token, std::chrono::milliseconds timeout, response_handler handler)
{
    if (!open_) {
        complete_later(std::move(handler), make_error_code(errc::connection_closed));
        return;
    }
    pipeline_.add_raw(token, std::chrono::steady_clock::now() + timeout, std::move(handler));
    arm_timer();
    start_write();
}

void connection::start_write()
{
    if (write_in_progress_ || !pipeline_.has_output() || !open_) return;
    write_in_progress_ = true;
    pipeline_.take_output(writing_, written_callbacks_);
    stream_->async_write_all(writing_, [self = shared_from_this()](std::error_code ec, std::size_t) {
        self->write_in_progress_ = false;
        auto callbacks = std::move(self->written_callbacks_);
        self->written_callbacks_.clear();
        for (auto& cb : callbacks) self->complete_later(std::move(cb), ec);
        if (ec) {
            self->close(ec);
            return;
        }
        self->start_write();
    });
}

void connection::start_read()
{
    if (!open_) return;
    stream_->async_read_some(splitter_.prepare(), [self = shared_from_this()](std::error_code ec, std::size_t n) {
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
    splitter_.commit(n);
    while (open_) {
        auto frame = splitter_.next(ec);
        if (!frame) break;
        auto delivery = pipeline_.on_response(std::move(frame), ec);
        if (!delivery) break;
        if (delivery->handler) delivery->handler({}, std::move(delivery->frame));
    }
    if (ec) {
        close(ec);
        return;
    }
    arm_timer();
    start_write(); // an answer may have let held requests out
    start_read();
}

void connection::arm_timer()
{
    auto earliest = pipeline_.earliest_deadline();
    if (!earliest) {
        timer_.cancel();
        return;
    }
    if (timer_.expiry() == *earliest) return;
    timer_.expires_at(*earliest);
    timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->on_timer();
    });
}

void connection::on_timer()
{
    auto expired = pipeline_.take_expired(std::chrono::steady_clock::now());
    if (expired.empty()) {
        arm_timer();
        return;
    }
    // Fail the expired requests with a timeout, then close: the rest is stuck behind them.
    for (auto& handler : expired) complete_later(std::move(handler), make_error_code(errc::request_timed_out));
    close(make_error_code(errc::request_timed_out));
}

void connection::close(std::error_code reason)
{
    if (!open_) return;
    open_ = false;
    timer_.cancel();
    stream_->close();
    for (auto& handler : pipeline_.take_all()) complete_later(std::move(handler), reason);
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
