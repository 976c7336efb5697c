// async_sasl_login: SaslHandshake v1 with the mechanism, then one SaslAuthenticate for PLAIN.
#include "protocol/io/sasl_login.hpp"

#include "protocol/io/error.hpp"
#include "protocol/messages/sasl_authenticate.hpp"
#include "protocol/messages/sasl_handshake.hpp"
#include "protocol/wire/broker_error.hpp"

namespace kspout::io {

wire::byte_buffer plain_initial_response(const sasl_options& options)
{
    wire::byte_buffer out;
    out.push_back(0);
    out.insert(out.end(), options.username.begin(), options.username.end());
    out.push_back(0);
    out.insert(out.end(), options.password.begin(), options.password.end());
    return out;
}

namespace {

std::string joined(const std::vector<std::string>& items)
{
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out.empty() ? "none" : out;
}

void authenticate(const std::shared_ptr<connection>& conn, std::int16_t version, const sasl_options& options,
                  std::chrono::milliseconds timeout, login_handler done)
{
    auto request = std::make_shared<messages::sasl_authenticate_request>();
    request->auth_bytes = plain_initial_response(options);
    conn->send(
        wire::api_key::sasl_authenticate, version, [&](wire::writer& w) { encode(w, *request, version); }, timeout,
        [version, request, done = std::move(done)](std::error_code ec, response_frame frame) {
            if (ec) return done(ec, "");
            messages::sasl_authenticate_response response;
            wire::reader r(frame.body());
            if (auto failure = decode(r, response, version)) {
                return done(make_error_code(errc::bad_response), failure->message());
            }
            if (response.error_code != 0) {
                return done(wire::make_broker_error(response.error_code), response.error_message.value_or(""));
            }
            done({}, "");
        });
}

} // namespace

void async_sasl_login(const std::shared_ptr<connection>& conn, const messages::negotiated_versions& versions,
                      const sasl_options& options, std::chrono::milliseconds timeout, login_handler done)
{
    auto handshake_version = versions.version(wire::api_key::sasl_handshake);
    auto authenticate_version = versions.version(wire::api_key::sasl_authenticate);
    if (!handshake_version || *handshake_version < 1 || !authenticate_version) {
        done(make_error_code(errc::no_common_version), "the broker has no SaslHandshake v1 and SaslAuthenticate");
        return;
    }
    messages::sasl_handshake_request request{options.mechanism};
    std::int16_t v = *handshake_version;
    conn->send(
        wire::api_key::sasl_handshake, v, [&](wire::writer& w) { encode(w, request, v); }, timeout,
        [weak = std::weak_ptr<connection>(conn), v, version = *authenticate_version, options, timeout,
         done = std::move(done)](std::error_code ec, response_frame frame) mutable {
            if (ec) return done(ec, "");
            messages::sasl_handshake_response response;
            wire::reader r(frame.body());
            if (auto failure = decode(r, response, v)) {
                return done(make_error_code(errc::bad_response), failure->message());
            }
            if (response.error_code != 0) {
                return done(wire::make_broker_error(response.error_code),
                            "mechanism " + options.mechanism + " refused; the broker offers " +
                                joined(response.mechanisms));
            }
            auto conn = weak.lock();
            if (!conn) return done(make_error_code(errc::connection_closed), "");
            authenticate(conn, version, options, timeout, std::move(done));
        });
}

} // namespace kspout::io
