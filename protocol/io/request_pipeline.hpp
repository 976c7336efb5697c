// The pure core of a broker connection: correlation ids, responses matched in request order,
// answers to acks=0 requests dropped, deadlines and the in-flight limit. No sockets, no clock.
#pragma once

#include "protocol/wire/api_key.hpp"
#include "protocol/wire/bytes.hpp"
#include "protocol/wire/writer.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace kspout::io {

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

using response_handler = std::function<void(std::error_code, response_frame)>;
using body_encoder = std::function<void(wire::writer&)>;

// Kafka answers requests on one connection in order, so the requests awaiting an answer form a
// queue and a response must match the oldest. Requests past max_in_flight wait, encoded, until an
// answer frees a place; a request that expects no answer (Produce acks=0) never takes one, but
// keeps its place in line.
class request_pipeline {
public:
    using time_point = std::chrono::steady_clock::time_point;

    struct options {
        std::string client_id = "kafka-spout";
        std::size_t max_in_flight = 0; // requests awaiting an answer; 0: no limit
    };

    // What to do with a response frame.
    struct delivery {
        response_handler handler; // empty: an answer to an acks=0 request, dropped
        response_frame frame;
    };

    explicit request_pipeline(options opts);

    void add(wire::api_key key, std::int16_t version, const body_encoder& encode_body, time_point deadline,
             response_handler handler, bool expects_response);
    // A SASL token of a pre-1.0 login (after SaslHandshake v0): a size-prefixed frame with no
    // request header. The broker answers with one size-prefixed frame with no response header,
    // delivered whole; nothing else may be in flight meanwhile, as nothing could tell them apart.
    void add_raw(wire::bytes_view token, time_point deadline, response_handler handler);

    // The bytes to write next, and the handlers of the acks=0 requests among them (they complete
    // once the bytes are written).
    bool has_output() const noexcept { return !output_.empty(); }
    void take_output(wire::byte_buffer& bytes, std::vector<response_handler>& written);

    // A whole response frame arrived. An error (a response no request is waiting for, a header
    // that does not parse) means the connection must close.
    std::optional<delivery> on_response(std::shared_ptr<wire::byte_buffer> frame, std::error_code& ec);

    std::optional<time_point> earliest_deadline() const;
    // The handlers of the requests whose deadline has passed, removed from the pipeline.
    std::vector<response_handler> take_expired(time_point now);
    // Every handler still waiting (in flight, held or unwritten acks=0), for a close.
    std::vector<response_handler> take_all();

    std::size_t in_flight() const noexcept { return in_flight_.size(); }
    std::size_t held() const noexcept { return held_.size(); }

private:
    struct awaiting {
        std::int32_t correlation_id;
        time_point deadline;
        response_handler handler;
        bool flexible_response; // response header v1: tagged fields after the correlation id
        bool raw = false;       // add_raw: the answer has no header at all
    };
    struct held_request {
        wire::byte_buffer frame;
        awaiting request;
        bool expects_response;
    };

    bool has_room(bool expects_response) const noexcept;
    template <typename WriteFrame>
    void enqueue(awaiting request, bool expects_response, WriteFrame write_frame);
    void track(awaiting request, bool expects_response);
    void admit_held();

    options options_;
    std::int32_t next_correlation_id_ = 1;
    wire::byte_buffer output_;
    std::vector<response_handler> output_written_;
    std::deque<awaiting> in_flight_;
    std::deque<held_request> held_;
    // Correlation ids of acks=0 requests since the last response: a broker that answers them
    // anyway (the librdkafka mock does) must not break the connection.
    std::deque<std::int32_t> unanswered_;
};

} // namespace kspout::io
