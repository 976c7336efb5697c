// One broker connection: the socket, write coalescing and the deadline timer around a request_pipeline.
#pragma once

#include "protocol/io/byte_stream.hpp"
#include "protocol/io/request_pipeline.hpp"
#include "protocol/wire/api_key.hpp"
#include "protocol/wire/frame_splitter.hpp"
#include "protocol/wire/writer.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kspout::io {

struct connection_options {
    std::string client_id = "kafka-spout";
    std::size_t max_frame_size = wire::default_max_frame_size;
    std::size_t read_buffer_size = 64 * 1024;
    std::size_t max_in_flight = 0; // requests awaiting an answer; 0: no limit
};

// A request that times out closes the connection: every response queued behind it would be
// stuck, and the broker may still act on it.
class connection : public std::enable_shared_from_this<connection> {
public:
    using response_handler = io::response_handler;
    using body_encoder = io::body_encoder;

    static std::shared_ptr<connection> create(boost::asio::any_io_executor executor,
                                              std::unique_ptr<byte_stream> stream,
                                              connection_options options = {});
    ~connection();

    // Queues a request. The handler runs exactly once, on the executor: with the response, or
    // with an error. With expects_response false (Produce acks=0) it runs once the request is
    // written.
    void send(wire::api_key key, std::int16_t version, const body_encoder& encode_body,
              std::chrono::milliseconds timeout, response_handler handler, bool expects_response = true);

    // Queues a SASL token of a pre-1.0 login (request_pipeline::add_raw); the handler gets the
    // broker's token as the frame's body.
    void send_raw(wire::bytes_view token, std::chrono::milliseconds timeout, response_handler handler);

    // Closes the stream and fails every request in flight with `reason`. Idempotent.
    void close(std::error_code reason);

    // Called once, when the connection closes for any reason.
    void on_close(std::function<void(std::error_code)> callback) { on_close_ = std::move(callback); }

    bool is_open() const noexcept { return open_; }
    std::size_t in_flight() const noexcept { return pipeline_.in_flight(); }

private:
    connection(boost::asio::any_io_executor executor, std::unique_ptr<byte_stream> stream,
               connection_options options);

    void start_write();
    void start_read();
    void on_read(std::error_code ec, std::size_t n);
    void arm_timer();
    void on_timer();
    void complete_later(response_handler handler, std::error_code ec, response_frame frame = {});

    boost::asio::any_io_executor executor_;
    std::unique_ptr<byte_stream> stream_;
    request_pipeline pipeline_;
    wire::frame_splitter splitter_;
    boost::asio::steady_timer timer_;
    bool open_ = true;
    std::function<void(std::error_code)> on_close_;

    // Requests queue up in the pipeline while a write is in progress and go out together next.
    wire::byte_buffer writing_;
    std::vector<response_handler> written_callbacks_; // acks=0 requests in writing_
    bool write_in_progress_ = false;
};

} // namespace kspout::io
