// async_sasl_login: SaslHandshake v1 with the mechanism, then SaslAuthenticate until the mechanism is finished.
#include "protocol/io/sasl_login.hpp"

#include "protocol/io/error.hpp"
#include "protocol/io/sasl_mechanism.hpp"
#include "protocol/messages/sasl_authenticate.hpp"
#include "protocol/messages/sasl_handshake.hpp"
#include "protocol/wire/broker_error.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstdio>

namespace kspout::io {
namespace {

std::string joined(const std::vector<std::string>& items)
{
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out.empty() ? "none" : out;
}

// 24 random bytes in hex: a SCRAM client nonce.
std::string random_nonce()
{
    std::array<unsigned char, 24> bytes{};
    RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
    std::string out;
    for (unsigned char b : bytes) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", b);
        out += hex;
    }
    return out;
}

struct exchange {
    std::weak_ptr<connection> conn;
    std::int16_t version = 0;
    std::chrono::milliseconds timeout{0};
    std::unique_ptr<sasl_mechanism> mechanism;
    login_handler done;
};

// Answers the server's last message: sends the mechanism's next one, or ends the login.
void step(const std::shared_ptr<exchange>& x, std::string_view server_message)
{
    std::string why;
    auto message = x->mechanism->respond(server_message, why);
    if (!message) return x->done(make_error_code(errc::bad_response), why);
    if (x->mechanism->finished()) return x->done({}, "");
    auto conn = x->conn.lock();
    if (!conn) return x->done(make_error_code(errc::connection_closed), "");
    auto request = std::make_shared<messages::sasl_authenticate_request>();
    request->auth_bytes.assign(message->begin(), message->end());
    conn->send(
        wire::api_key::sasl_authenticate, x->version, [&](wire::writer& w) { encode(w, *request, x->version); },
        x->timeout, [x](std::error_code ec, response_frame frame) {
            if (ec) return x->done(ec, "");
            messages::sasl_authenticate_response response;
            wire::reader r(frame.body());
            if (auto failure = decode(r, response, x->version)) {
                return x->done(make_error_code(errc::bad_response), failure->message());
            }
            if (response.error_code != 0) {
                return x->done(wire::make_broker_error(response.error_code), response.error_message.value_or(""));
            }
            step(x, wire::as_text(response.auth_bytes));
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
    auto x = std::make_shared<exchange>(
        exchange{conn, *authenticate_version, timeout, make_sasl_mechanism(options, random_nonce()), std::move(done)});
    if (!x->mechanism) {
        x->done(make_error_code(errc::no_common_version), "unknown SASL mechanism " + options.mechanism);
        return;
    }
    messages::sasl_handshake_request request{options.mechanism};
    std::int16_t v = *handshake_version;
    conn->send(
        wire::api_key::sasl_handshake, v, [&](wire::writer& w) { encode(w, request, v); }, timeout,
        [x, v, mechanism = options.mechanism](std::error_code ec, response_frame frame) {
            if (ec) return x->done(ec, "");
            messages::sasl_handshake_response response;
            wire::reader r(frame.body());
            if (auto failure = decode(r, response, v)) {
                return x->done(make_error_code(errc::bad_response), failure->message());
            }
            if (response.error_code != 0) {
                return x->done(wire::make_broker_error(response.error_code),
                               "mechanism " + mechanism + " refused; the broker offers " + joined(response.mechanisms));
            }
            step(x, "");
        });
}

} // namespace kspout::io
