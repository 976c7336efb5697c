// Errors of the I/O layer: timeouts, closed connections, protocol violations by the peer.
#pragma once

#include <system_error>

namespace kspout::io {

enum class errc {
    request_timed_out = 1,  // no response before the request's deadline
    connect_timed_out,      // the TCP connect did not finish in time
    connection_closed,      // the peer closed the connection or it was closed locally
    correlation_mismatch,   // a response whose correlation id matches no request in flight
    bad_response,           // a response frame that does not decode
    no_common_version,      // the broker supports no version of an API we implement
    shut_down,              // stop() was called on the client, consumer, producer or balanced consumer
    // TLS handshake failures (kafka.security.protocol SSL)
    tls_closed_in_handshake,   // the peer closed the connection during the handshake
    tls_certificate_untrusted, // no trusted CA signed the broker's certificate
    tls_certificate_expired,   // the broker's certificate has expired or is not valid yet
    tls_hostname_mismatch,     // the broker's certificate does not name the host we connected to
    tls_certificate_rejected,  // the broker's certificate failed verification for another reason
    not_kafka_answer,          // the first answer is no Kafka frame: a TLS listener reached over plaintext
    sasl_token_unusable,       // OAUTHBEARER: the token file cannot be read or holds no bearer token
    sasl_login_closed,         // a broker before 1.0 closed the connection during the SASL login
};

const std::error_category& io_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

} // namespace kspout::io

template <>
struct std::is_error_code_enum<kspout::io::errc> : std::true_type {};
