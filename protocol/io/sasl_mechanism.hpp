// The client side of the SASL mechanisms: PLAIN (RFC 4616) and SCRAM-SHA-256/512 (RFC 5802, 7677), without I/O.
#pragma once

#include "protocol/io/security_options.hpp"

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
    // verification (`why` never holds the password).
    virtual std::optional<std::string> respond(std::string_view server_message, std::string& why) = 0;
    virtual bool finished() const = 0;
};

enum class scram_hash { sha256, sha512 };

// "PLAIN", "SCRAM-SHA-256" or "SCRAM-SHA-512"; nullptr for another name. The SCRAM client nonce
// comes from `nonce` (printable, without ','): random in use, fixed in tests.
std::unique_ptr<sasl_mechanism> make_sasl_mechanism(const sasl_options& options, const std::string& nonce);

// SCRAM's client, exposed for the RFC test vectors.
std::unique_ptr<sasl_mechanism> make_scram(scram_hash hash, std::string username, std::string password,
                                           std::string nonce);

} // namespace kspout::io
