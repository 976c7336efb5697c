// One broker connection: pipelined requests matched to responses by correlation id, deadlines, close.
#pragma once

#include "protocol/io/byte_stream.hpp"
#include "protocol/wire/api_key.hpp"
#include "protocol/wire/frame.hpp"
#include "protocol/wire/writer.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kspout::io {

struct connection_options {
    std::string client_id = "kafka-spout";
    std::size_t max_frame_size = wire::default_max_frame_size;
    std::size_t read_buffer_size = 64 * 1024;
};

// A response body (after the header). Decoded structs may hold views into it, so it is shared:
// whoever keeps the views keeps `buffer`.
struct response_frame {
    std::shared_ptr<const wire::byte_buffer> buffer;
    std::size_t body_offset = 0;

    wire::bytes_view body() const
    {
        return buffer ? wire::bytes_view(*buffer).subspan(body_offset) : wire::bytes_view{};
    }
};

// Kafka answers requests on one connection in order, so in-flight requests form a queue and a
// response must match the oldest one. A request that times out closes the connection: every
// response queued behind it would be stuck, and the broker may still act on it.
class connection : public std::enable_shared_from_this<connection> {
public:
    using response_handler = std::function<void(std::error_code, response_frame)>;
    using body_encoder = std::function<void(wire::writer&)>;

    static std::shared_ptr<connection> create(boost::asio::any_io_executor executor,
                                              std::unique_ptr<byte_stream> stream,
                                              connection_options options = {});
    ~connection();

    // Queues a request. The handler runs exactly once, on the executor: with the response, or
    // with an error. With expects_response false (Produce acks=0) it runs once the request is
    // written.
    void send(wire::api_key key, std::int16_t version, const body_encoder& encode_body,
              std::chrono::milliseconds timeout, response_handler handler, bool expects_response = true);

    // Closes the stream and fails every request in flight with `reason`. Idempotent.
    void close(std::error_code reason);

    // Called once, when the connection closes for any reason.
    void on_close(std::function<void(std::error_code)> callback) { on_close_ = std::move(callback); }

    bool is_open() const noexcept { return open_; }
    std::size_t in_flight() const noexcept { return in_flight_.size(); }

private:
    struct pending_request {
        std::int32_t correlation_id;
        wire::api_key key;
        std::int16_t version;
        std::chrono::steady_clock::time_point deadline;
        response_handler handler;
    };

    connection(boost::asio::any_io_executor executor, std::unique_ptr<byte_stream> stream,
               connection_options options);

    void start_write();
    void start_read();
    void on_read(std::error_code ec, std::size_t n);
    void consume_inbox();
    void deliver(std::shared_ptr<wire::byte_buffer> frame);
    void arm_timer();
    void on_timer();
    void complete_later(response_handler handler, std::error_code ec, response_frame frame = {});

    boost::asio::any_io_executor executor_;
    std::unique_ptr<byte_stream> stream_;
    connection_options options_;
    boost::asio::steady_timer timer_;
    bool open_ = true;
    std::int32_t next_correlation_id_ = 1;
    std::deque<pending_request> in_flight_;
    // Correlation ids of requests sent without expecting a response (Produce acks=0) since the last
    // response: a broker that answers them anyway (the librdkafka mock does) must not break the
    // connection.
    std::deque<std::int32_t> unanswered_;
    std::function<void(std::error_code)> on_close_;

    // Writing: frames queue up while a write is in progress and go out together in the next one.
    wire::byte_buffer write_queue_;
    std::vector<response_handler> written_queue_; // no-response requests in write_queue_
    wire::byte_buffer writing_;
    std::vector<response_handler> written_callbacks_;
    bool write_in_progress_ = false;

    // Reading: small frames are assembled from inbox_; a frame larger than what has arrived is
    // read straight into its own buffer (partial_), so big Fetch responses are never copied.
    wire::byte_buffer inbox_;
    std::size_t inbox_begin_ = 0;
    std::size_t inbox_end_ = 0;
    std::shared_ptr<wire::byte_buffer> partial_;
    std::size_t partial_filled_ = 0;
};

} // namespace kspout::io
