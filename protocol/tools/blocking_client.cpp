// blocking_client: an io::broker on a private io_context, run until each request is answered.
#include "protocol/tools/blocking_client.hpp"

#include "protocol/messages/api_versions.hpp"

#include <charconv>
#include <chrono>
#include <optional>
#include <stdexcept>

namespace kspout::tools {

using namespace std::chrono_literals;

std::pair<std::string, std::uint16_t> split_host_port(const std::string& endpoint)
{
    auto colon = endpoint.rfind(':');
    if (colon == std::string::npos) throw tool_error("expected host:port, got '" + endpoint + "'");
    std::uint16_t port = 0;
    const char* last = endpoint.data() + endpoint.size();
    auto [end, ec] = std::from_chars(endpoint.data() + colon + 1, last, port);
    if (ec != std::errc() || end != last || port == 0) throw tool_error("bad port in '" + endpoint + "'");
    return {endpoint.substr(0, colon), port};
}

blocking_client::blocking_client(const std::string& host, std::uint16_t port, io::broker_options options)
    : endpoint_(host + ":" + std::to_string(port))
{
    // ListOffsets v4+ only adds leader epochs this client does not use, and librdkafka 2.0.2's
    // mock broker writes them malformed: stay at v3.
    options.version_caps[wire::api_key::list_offsets] = 3;
    try {
        broker_ = io::broker::create(ioc_.get_executor(), {-1, host, port}, std::move(options));
    } catch (const std::invalid_argument& e) {
        throw tool_error(e.what());
    }
}

blocking_client::~blocking_client()
{
    broker_->shut_down();
    ioc_.restart();
    ioc_.poll();
}

const messages::negotiated_versions& blocking_client::negotiate()
{
    // The broker negotiates before its first request goes out; ApiVersions is as good as any.
    messages::api_versions_request req;
    call(wire::api_key::api_versions, 0, [&](wire::writer& w) { encode(w, req, 0); });
    return broker_->versions();
}

std::int16_t blocking_client::version(wire::api_key key) const
{
    auto v = broker_->versions().version(key);
    if (!v) throw tool_error(endpoint_ + ": no common version of " + std::string(wire::api_name(key)));
    return *v;
}

wire::byte_buffer blocking_client::call(wire::api_key key, std::int16_t version,
                                        const std::function<void(wire::writer&)>& encode_body)
{
    std::optional<std::error_code> result;
    io::response_frame answer;
    broker_->send(
        key, [&](wire::writer& w, std::int16_t) { encode_body(w); }, 30s,
        [&](std::error_code ec, std::int16_t, io::response_frame frame) {
            result = ec;
            answer = std::move(frame);
        },
        version);
    ioc_.restart();
    while (!result && ioc_.run_one() > 0) {
    }
    if (!result) throw tool_error(endpoint_ + ": no answer");
    if (*result) throw tool_error(endpoint_ + ": " + result->message());
    auto body = answer.body();
    return wire::byte_buffer(body.begin(), body.end());
}

} // namespace kspout::tools
