// How a client secures its broker connections: the security protocol and the TLS settings.
#pragma once

#include <string>

namespace kspout::io {

enum class security_protocol { plaintext, ssl };

struct tls_options {
    std::string ca_location;          // a PEM file or a directory of hashed PEM files; empty: the system's CAs
    std::string certificate_location; // our PEM certificate (chain) for mutual TLS; empty: none
    std::string key_location;         // its PEM private key
    std::string key_password;         // the key's password (a secret); empty: an unencrypted key
    bool verify_hostname = true;      // the broker's certificate must name the host we connect to
    std::string cipher_list;          // OpenSSL cipher list for TLS 1.2; empty: OpenSSL's default
};

} // namespace kspout::io
