// request_pipeline: framing requests, matching responses, deadlines and the in-flight limit.
#include "protocol/io/request_pipeline.hpp"

#include "protocol/io/error.hpp"
#include "protocol/messages/versions.hpp"
#include "protocol/wire/frame.hpp"

#include <algorithm>

namespace kspout::io {
namespace {

constexpr std::size_t max_unanswered = 1024; // against brokers that never answer them, keep only the latest

} // namespace

request_pipeline::request_pipeline(options opts) : options_(std::move(opts)) {}

bool request_pipeline::has_room(bool expects_response) const noexcept
{
    return !expects_response || options_.max_in_flight == 0 || in_flight_.size() < options_.max_in_flight;
}

// Writes the frame straight into the output when nothing is held and there is room, else holds it.
template <typename WriteFrame>
void request_pipeline::enqueue(awaiting request, bool expects_response, WriteFrame write_frame)
{
    bool now = held_.empty() && has_room(expects_response); // held ones go first
    wire::writer w(now ? std::move(output_) : wire::byte_buffer{});
    write_frame(w);
    if (now) {
        output_ = w.take();
        track(std::move(request), expects_response);
    } else {
        held_.push_back({w.take(), std::move(request), expects_response});
    }
}

void request_pipeline::add(wire::api_key key, std::int16_t version, const body_encoder& encode_body,
                           time_point deadline, response_handler handler, bool expects_response)
{
    std::int32_t correlation_id = next_correlation_id_++;
    awaiting request{correlation_id, deadline, std::move(handler), messages::flexible_response_header(key, version)};
    enqueue(std::move(request), expects_response, [&](wire::writer& w) {
        std::size_t start = wire::begin_request(
            w, {key, version, correlation_id, options_.client_id, messages::is_flexible(key, version)});
        encode_body(w);
        wire::end_frame(w, start);
    });
}

void request_pipeline::add_raw(wire::bytes_view token, time_point deadline, response_handler handler)
{
    awaiting request{-1, deadline, std::move(handler), false, true};
    enqueue(std::move(request), true, [&](wire::writer& w) { w.bytes(token); }); // size prefix, then the token
}

void request_pipeline::track(awaiting request, bool expects_response)
{
    if (expects_response) {
        in_flight_.push_back(std::move(request));
    } else {
        output_written_.push_back(std::move(request.handler));
        if (unanswered_.size() == max_unanswered) unanswered_.pop_front();
        unanswered_.push_back(request.correlation_id);
    }
}

void request_pipeline::admit_held()
{
    while (!held_.empty()) {
        if (!has_room(held_.front().expects_response)) return;
        held_request request = std::move(held_.front());
        held_.pop_front();
        output_.insert(output_.end(), request.frame.begin(), request.frame.end());
        track(std::move(request.request), request.expects_response);
    }
}

void request_pipeline::take_output(wire::byte_buffer& bytes, std::vector<response_handler>& written)
{
    bytes.clear();
    bytes.swap(output_);
    written.clear();
    written.swap(output_written_);
}

std::optional<request_pipeline::delivery> request_pipeline::on_response(std::shared_ptr<wire::byte_buffer> frame,
                                                                        std::error_code& ec)
{
    if (!in_flight_.empty() && in_flight_.front().raw) {
        delivery out{std::move(in_flight_.front().handler), response_frame{std::move(frame), 0}};
        in_flight_.pop_front();
        admit_held();
        return out;
    }
    // The correlation id comes first in both header versions; whether tagged fields follow it
    // depends on the request it answers.
    wire::reader r(*frame);
    std::int32_t correlation_id = wire::decode_response_header(r);
    if (!r.ok()) {
        ec = make_error_code(errc::bad_response);
        return std::nullopt;
    }
    // Responses come in request order, so one for an acks=0 request can only be for an id sent
    // before the oldest request in flight, and none can follow for ids below this one.
    auto unanswered = std::find(unanswered_.begin(), unanswered_.end(), correlation_id);
    if (unanswered != unanswered_.end() &&
        (in_flight_.empty() || correlation_id < in_flight_.front().correlation_id)) {
        unanswered_.erase(unanswered_.begin(), unanswered + 1);
        return delivery{};
    }
    if (in_flight_.empty() || in_flight_.front().correlation_id != correlation_id) {
        ec = make_error_code(errc::correlation_mismatch);
        return std::nullopt;
    }
    if (in_flight_.front().flexible_response) {
        r.skip_tagged_fields();
        if (!r.ok()) {
            ec = make_error_code(errc::bad_response);
            return std::nullopt;
        }
    }
    while (!unanswered_.empty() && unanswered_.front() < correlation_id) unanswered_.pop_front();
    delivery out{std::move(in_flight_.front().handler), response_frame{std::move(frame), r.position()}};
    in_flight_.pop_front();
    admit_held();
    return out;
}

std::optional<request_pipeline::time_point> request_pipeline::earliest_deadline() const
{
    std::optional<time_point> earliest;
    for (const auto& r : in_flight_)
        if (!earliest || r.deadline < *earliest) earliest = r.deadline;
    for (const auto& h : held_)
        if (!earliest || h.request.deadline < *earliest) earliest = h.request.deadline;
    return earliest;
}

std::vector<response_handler> request_pipeline::take_expired(time_point now)
{
    std::vector<response_handler> expired;
    auto take = [&](auto& queue, auto request_of) {
        for (auto it = queue.begin(); it != queue.end();) {
            if (request_of(*it).deadline <= now) {
                expired.push_back(std::move(request_of(*it).handler));
                it = queue.erase(it);
            } else {
                ++it;
            }
        }
    };
    take(in_flight_, [](awaiting& a) -> awaiting& { return a; });
    take(held_, [](held_request& h) -> awaiting& { return h.request; });
    return expired;
}

std::vector<response_handler> request_pipeline::take_all()
{
    std::vector<response_handler> all;
    for (auto& r : in_flight_) all.push_back(std::move(r.handler));
    for (auto& h : held_) all.push_back(std::move(h.request.handler));
    for (auto& h : output_written_) all.push_back(std::move(h));
    in_flight_.clear();
    held_.clear();
    output_written_.clear();
    output_.clear();
    return all;
}

} // namespace kspout::io
