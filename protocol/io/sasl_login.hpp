// SASL authentication on a broker connection: SaslHandshake, then the mechanism's SaslAuthenticate
// round trips; on a new connection, and again on an open one when its session ends (KIP-368).
#pragma once

#include "protocol/io/connection.hpp"
#include "protocol/io/security_options.hpp"
#include "protocol/messages/versions.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace kspout::io {

// How a login ended. On failure, `detail` is the broker's own words where it gave any (never the
// password or the token, which the broker does not echo). On success, `session_lifetime` is what
// the broker gave the session (SaslAuthenticate v1+): the connection must log in again before it
// ends, or the broker closes it. Zero: no limit.
using login_handler =
    std::function<void(std::error_code, std::string detail, std::chrono::milliseconds session_lifetime)>;

// Runs the login with the versions the connection negotiated: from Kafka 1.0 on, SaslHandshake v1
// and one SaslAuthenticate per message of the mechanism (sasl_mechanism.hpp); from 0.10.0 to
// 0.11, SaslHandshake v0 and the messages as raw size-prefixed tokens. Such a broker closes the
// connection on wrong credentials: errc::sasl_login_closed. A refused mechanism fails with the broker's
// UNSUPPORTED_SASL_MECHANISM and the mechanisms it offers; wrong credentials with its
// SASL_AUTHENTICATION_FAILED; a broker whose SCRAM messages do not verify with bad_response;
// OAUTHBEARER with a token file that cannot be read, or holds no bearer token, with
// errc::sasl_token_unusable before anything is sent. The token file is read on every call.
// The same call logs in again on an open connection: the caller holds its other requests
// until `done`.
void async_sasl_login(const std::shared_ptr<connection>& conn, const messages::negotiated_versions& versions,
                      const sasl_options& options, std::chrono::milliseconds timeout, login_handler done);

} // namespace kspout::io
