// A minimal blocking request/response client for one broker, for tools: io::broker driven to each answer.
#pragma once

#include "protocol/io/broker.hpp"
#include "protocol/messages/versions.hpp"
#include "protocol/wire/api_key.hpp"
#include "protocol/wire/bytes.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace kspout::tools {

struct tool_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One broker connection (TCP or TLS, as `options` say), one request in flight. Failures throw
// tool_error with a clear message.
class blocking_client {
public:
    blocking_client(const std::string& host, std::uint16_t port, io::broker_options options);
    ~blocking_client();
    blocking_client(const blocking_client&) = delete;
    blocking_client& operator=(const blocking_client&) = delete;

    // Sends ApiVersions v0 and negotiates against what this library implements.
    const messages::negotiated_versions& negotiate();
    std::int16_t version(wire::api_key key) const;

    // Sends one request and returns the response body (after the correlation id).
    wire::byte_buffer call(wire::api_key key, std::int16_t version,
                           const std::function<void(wire::writer&)>& encode_body);

    template <typename Request, typename Response>
    Response request(wire::api_key key, const Request& req)
    {
        std::int16_t v = version(key);
        response_storage_ = call(key, v, [&](wire::writer& w) { encode(w, req, v); });
        wire::reader r(response_storage_);
        Response out;
        if (auto err = decode(r, out, v)) throw tool_error(err->message());
        return out;
    }

private:
    boost::asio::io_context ioc_;
    std::string endpoint_;
    std::shared_ptr<io::broker> broker_;
    wire::byte_buffer response_storage_; // the last response; views in decoded structs point here
};

// Splits "host:port".
std::pair<std::string, std::uint16_t> split_host_port(const std::string& endpoint);

} // namespace kspout::tools
