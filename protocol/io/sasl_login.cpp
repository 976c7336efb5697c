// async_sasl_login: SaslHandshake with the mechanism, then its messages in SaslAuthenticate requests (or, before
// Kafka 1.0, as raw tokens) until the mechanism is finished.
#include "protocol/io/sasl_login.hpp"

#include "protocol/io/error.hpp"
#include "protocol/io/sasl_mechanism.hpp"
#include "protocol/io/secret_value.hpp"
#include "protocol/messages/sasl_authenticate.hpp"
#include "protocol/messages/sasl_handshake.hpp"
#include "protocol/text/excerpt.hpp"
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
    std::int16_t version = 0; // of SaslAuthenticate; unused with raw tokens
    bool raw_tokens = false;  // after SaslHandshake v0: size-prefixed tokens without Kafka headers
    std::chrono::milliseconds timeout{0};
    std::unique_ptr<sasl_mechanism> mechanism;
    login_handler handler;
    std::chrono::milliseconds session_lifetime{0}; // from the last SaslAuthenticate response

    void done(std::error_code ec, const std::string& detail)
    {
        handler(ec, detail, ec ? std::chrono::milliseconds(0) : session_lifetime);
    }
};

// The mechanism for `options`: OAUTHBEARER's with the token its file holds now (an agent may
// have replaced it since the last login). Null with `ec` and `why` if there is none.
std::unique_ptr<sasl_mechanism> mechanism_for(const sasl_options& options, std::error_code& ec, std::string& why)
{
    if (options.mechanism != "OAUTHBEARER") {
        auto mechanism = make_sasl_mechanism(options, random_nonce());
        if (!mechanism) {
            ec = make_error_code(errc::no_common_version);
            why = "unknown SASL mechanism " + options.mechanism;
        }
        return mechanism;
    }
    ec = make_error_code(errc::sasl_token_unusable);
    if (options.oauthbearer_token_file.empty()) {
        why = "no token file given";
        return nullptr;
    }
    auto contents = resolve_secret("file:" + options.oauthbearer_token_file, why);
    if (!contents) return nullptr;
    auto token = bearer_token(*contents, why);
    if (!token) {
        why = options.oauthbearer_token_file + ": " + why;
        return nullptr;
    }
    ec.clear();
    return make_oauthbearer(std::move(*token));
}

void step(const std::shared_ptr<exchange>& x, std::string_view server_message);

void send_authenticate(const std::shared_ptr<exchange>& x, connection& conn, const std::string& message)
{
    messages::sasl_authenticate_request request;
    request.auth_bytes.assign(message.begin(), message.end());
    conn.send(
        wire::api_key::sasl_authenticate, x->version, [&](wire::writer& w) { encode(w, request, x->version); },
        x->timeout, [x](std::error_code ec, response_frame frame) {
            if (ec) return x->done(ec, "");
            messages::sasl_authenticate_response response;
            wire::reader r(frame.body());
            if (auto failure = decode(r, response, x->version)) {
                return x->done(make_error_code(errc::bad_response), failure->message());
            }
            if (response.error_code != 0) {
                std::string detail = x->mechanism->refusal();
                if (auto said = response.error_message.value_or(""); !said.empty()) {
                    detail += (detail.empty() ? "" : "; ") + text::excerpt(said);
                }
                return x->done(wire::make_broker_error(response.error_code), detail);
            }
            x->session_lifetime = std::chrono::milliseconds(response.session_lifetime_ms);
            step(x, wire::as_text(response.auth_bytes));
        });
}

// Before Kafka 1.0 a broker that refuses the credentials says nothing: it closes the connection.
void send_raw_token(const std::shared_ptr<exchange>& x, connection& conn, const std::string& message)
{
    conn.send_raw(wire::as_bytes(message), x->timeout, [x](std::error_code ec, response_frame frame) {
        if (ec == make_error_code(errc::request_timed_out)) return x->done(ec, "");
        if (ec) return x->done(make_error_code(errc::sasl_login_closed), ec.message());
        step(x, wire::as_text(frame.body()));
    });
}

// Answers the server's last message: sends the mechanism's next one, or ends the login.
void step(const std::shared_ptr<exchange>& x, std::string_view server_message)
{
    std::string why;
    auto message = x->mechanism->respond(server_message, why);
    if (!message) return x->done(make_error_code(errc::bad_response), why);
    if (x->mechanism->finished()) return x->done({}, "");
    auto conn = x->conn.lock();
    if (!conn) return x->done(make_error_code(errc::connection_closed), "");
    if (x->raw_tokens) {
        send_raw_token(x, *conn, *message);
    } else {
        send_authenticate(x, *conn, *message);
    }
}

} // namespace

void async_sasl_login(const std::shared_ptr<connection>& conn, const messages::negotiated_versions& versions,
                      const sasl_options& options, std::chrono::milliseconds timeout, login_handler done)
{
    auto handshake_version = versions.version(wire::api_key::sasl_handshake);
    auto authenticate_version = versions.version(wire::api_key::sasl_authenticate);
    if (!handshake_version) {
        done(make_error_code(errc::no_common_version), "the broker has no SaslHandshake (SASL needs Kafka 0.10 or later)",
             {});
        return;
    }
    // SaslHandshake v1 promises SaslAuthenticate requests; v0 (brokers 0.10.0 to 0.11) raw tokens.
    const bool raw_tokens = *handshake_version < 1 || !authenticate_version;
    std::error_code unusable;
    std::string why;
    auto client = mechanism_for(options, unusable, why);
    if (!client) {
        done(unusable, why, {});
        return;
    }
    auto x = std::make_shared<exchange>(exchange{conn, raw_tokens ? std::int16_t(0) : *authenticate_version, raw_tokens,
                                                 timeout, std::move(client), std::move(done), {}});
    messages::sasl_handshake_request request{options.mechanism};
    std::int16_t v = raw_tokens ? std::int16_t(0) : *handshake_version;
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
