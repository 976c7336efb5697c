// SASL authentication on a new broker connection: SaslHandshake, then the mechanism's SaslAuthenticate round trips.
#pragma once

#include "protocol/io/connection.hpp"
#include "protocol/io/security_options.hpp"
#include "protocol/messages/versions.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace kspout::io {

// What a login failure was, for the log: the broker's own words where it gave any (never the
// password, which the broker does not echo).
using login_handler = std::function<void(std::error_code, std::string detail)>;

// Runs the login with the versions the connection negotiated (SaslHandshake v1 and
// SaslAuthenticate are needed: brokers from 1.0 on): one SaslAuthenticate per message of the
// mechanism (sasl_mechanism.hpp). A refused mechanism fails with the broker's
// UNSUPPORTED_SASL_MECHANISM and the mechanisms it offers; wrong credentials with its
// SASL_AUTHENTICATION_FAILED; a broker whose SCRAM messages do not verify with bad_response.
void async_sasl_login(const std::shared_ptr<connection>& conn, const messages::negotiated_versions& versions,
                      const sasl_options& options, std::chrono::milliseconds timeout, login_handler done);

} // namespace kspout::io
