// How a client secures its broker connections: the security protocol, the TLS and the SASL settings.
#pragma once

#include <string>

namespace kspout::io {

enum class security_protocol { plaintext, ssl, sasl_plaintext, sasl_ssl };

constexpr bool uses_tls(security_protocol p) noexcept
{
    return p == security_protocol::ssl || p == security_protocol::sasl_ssl;
}

constexpr bool uses_sasl(security_protocol p) noexcept
{
    return p == security_protocol::sasl_plaintext || p == security_protocol::sasl_ssl;
}

struct tls_options {
    std::string ca_location;          // a PEM file or a directory of hashed PEM files; empty: the system's CAs
    std::string certificate_location; // our PEM certificate (chain) for mutual TLS; empty: none
    std::string key_location;         // its PEM private key
    std::string key_password;         // the key's password (a secret); empty: an unencrypted key
    bool verify_hostname = true;      // the broker's certificate must name the host we connect to
    std::string cipher_list;          // OpenSSL cipher list for TLS 1.2; empty: OpenSSL's default
};

struct sasl_options {
    std::string mechanism = "PLAIN"; // or SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER
    std::string username;            // PLAIN and SCRAM
    std::string password;            // PLAIN and SCRAM; a secret
    // OAUTHBEARER: the file holding the token (a compact JWS, itself a secret). It is read again
    // at every login and re-authentication, so that an agent outside can refresh it.
    std::string oauthbearer_token_file;
};

} // namespace kspout::io
