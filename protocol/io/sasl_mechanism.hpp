// The client side of the SASL mechanisms: PLAIN (RFC 4616), SCRAM-SHA-256/512 (RFC 5802, 7677) and
// OAUTHBEARER (RFC 7628, KIP-255), and when to log in again (KIP-368); without I/O.
#pragma once

#include "protocol/io/security_options.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace kspout::io {

// Driven one server message at a time: respond("") gives the first message; each later call
// takes what the server answered to the previous one. Once finished(), nothing more is sent and
// the login succeeded as far as the client can tell.
class sasl_mechanism {
public:
    virtual ~sasl_mechanism() = default;
    // The next message, or nullopt with `why` when the server's message is malformed or fails
    // verification (`why` never holds the password or the token).
    virtual std::optional<std::string> respond(std::string_view server_message, std::string& why) = 0;
    virtual bool finished() const = 0;
    // What the server said when it refused, for the error that follows (OAUTHBEARER's JSON
    // status, RFC 7628 3.2.2); empty if it said nothing the mechanism understood.
    virtual std::string refusal() const { return {}; }
};

enum class scram_hash { sha256, sha512 };

// The iteration counts a SCRAM client takes from the broker: at least RFC 5802's 4096, at most
// four times the 16384 Kafka stores (the key derivation runs on the event loop).
inline constexpr int min_scram_iterations = 4096;
inline constexpr int max_scram_iterations = 65536;

// "PLAIN", "SCRAM-SHA-256" or "SCRAM-SHA-512"; nullptr for another name (OAUTHBEARER needs its
// token: make_oauthbearer). The SCRAM client nonce comes from `nonce` (printable, without ','):
// random in use, fixed in tests.
std::unique_ptr<sasl_mechanism> make_sasl_mechanism(const sasl_options& options, const std::string& nonce);

// SCRAM's client, exposed for the RFC test vectors.
std::unique_ptr<sasl_mechanism> make_scram(scram_hash hash, std::string username, std::string password,
                                           std::string nonce);

// OAUTHBEARER's client: the initial response "n,,\x01auth=Bearer <token>\x01\x01" (no
// authorization id, no extensions). A server that refuses answers with a JSON error; the client
// then sends the single \x01 RFC 7628 asks for and keeps the status for refusal(); the broker's
// SaslAuthenticate error follows.
std::unique_ptr<sasl_mechanism> make_oauthbearer(std::string token);

// The bearer token in a token file's contents: surrounding whitespace dropped, and then it must
// be a b64token (RFC 6750 2.1: letters, digits, "-._~+/", then '='s), as a compact JWS is.
// Nullopt with `why` otherwise; `why` never quotes the contents.
std::optional<std::string> bearer_token(std::string_view file_contents, std::string& why);

// How long after a login to log in again: between 85% and 95% of the session lifetime, as the
// Java client does, `jitter` in [0, 1) choosing where (random in use, so that many connections
// do not all log in again at once). Nullopt for a lifetime of zero or less: no limit.
std::optional<std::chrono::milliseconds> reauthentication_delay(std::chrono::milliseconds session_lifetime,
                                                                double jitter);

} // namespace kspout::io
