// Test fixture: a CA and the broker and client certificates the TLS tests need, made with the openssl CLI.
#pragma once

#include <filesystem>
#include <string>

namespace kspout::testing {

// A PEM certificate and its private key.
struct pem_pair {
    std::filesystem::path certificate;
    std::filesystem::path key;
};

// Everything is written into `dir` when constructed (EC P-256 keys, valid for two days unless
// said otherwise). Throws std::runtime_error with openssl's output when a step fails.
struct tls_certificates {
    explicit tls_certificates(const std::filesystem::path& dir);

    std::filesystem::path ca;       // the CA the broker and client certificates are signed by
    std::filesystem::path other_ca; // a CA that signed nothing here: the "wrong CA"
    pem_pair broker;                // for 127.0.0.1 and localhost
    pem_pair expired;               // for 127.0.0.1 and localhost, expired yesterday
    pem_pair other_name;            // for other.example only
    pem_pair client;                // for mutual TLS; its key is encrypted with client_key_password
    std::string client_key_password = "kspout-client-key-secret";

    // Broker keystores (PKCS#12 with the certificate and key) for the three broker certificates.
    std::filesystem::path broker_keystore, expired_keystore, other_name_keystore;
    std::string keystore_password = "kspout-keystore-secret";
};

} // namespace kspout::testing
