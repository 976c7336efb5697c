// Makes the test CA and certificates with the openssl CLI: req, x509 -req with a SAN extension file, pkcs8, pkcs12.
#include "tests/integration/tls_certificates.hpp"

#include "tests/integration/process.hpp"

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

void openssl(std::vector<std::string> args)
{
    args.insert(args.begin(), "openssl");
    process_result r = run_process(args, {}, 60s);
    if (!r.ok()) throw std::runtime_error("openssl " + args[1] + " failed: " + r.describe() + "\n" + r.out);
}

// A new EC key (unencrypted PKCS#8) and a certificate request for it.
void new_key_and_request(const std::filesystem::path& key, const std::filesystem::path& request,
                         const std::string& common_name)
{
    openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
             key.string(), "-out", request.string(), "-subj", "/CN=" + common_name});
}

// Signs a certificate for `names` (a subjectAltName value) with the CA; days < 0 makes one
// that expired that many days ago.
pem_pair issue(const std::filesystem::path& dir, const std::string& name, const std::string& names, int days,
               const std::filesystem::path& ca, const std::filesystem::path& ca_key)
{
    pem_pair out{dir / (name + ".pem"), dir / (name + ".key")};
    auto request = dir / (name + ".csr");
    auto extensions = dir / (name + ".ext");
    new_key_and_request(out.key, request, name);
    std::ofstream(extensions) << "subjectAltName=" << names << "\n";
    openssl({"x509", "-req", "-in", request.string(), "-CA", ca.string(), "-CAkey", ca_key.string(),
             "-CAcreateserial", "-out", out.certificate.string(), "-days", std::to_string(days), "-extfile",
             extensions.string()});
    return out;
}

std::filesystem::path make_ca(const std::filesystem::path& dir, const std::string& name)
{
    auto pem = dir / (name + ".pem");
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
             (dir / (name + ".key")).string(), "-out", pem.string(), "-days", "2", "-subj", "/CN=" + name});
    return pem;
}

std::filesystem::path keystore(const pem_pair& pair, const std::filesystem::path& ca, const std::string& password)
{
    auto out = pair.certificate;
    out.replace_extension(".p12");
    openssl({"pkcs12", "-export", "-in", pair.certificate.string(), "-inkey", pair.key.string(), "-certfile",
             ca.string(), "-name", "broker", "-out", out.string(), "-passout", "pass:" + password});
    return out;
}

} // namespace

tls_certificates::tls_certificates(const std::filesystem::path& dir)
{
    std::filesystem::create_directories(dir);
    ca = make_ca(dir, "kspout-test-ca");
    other_ca = make_ca(dir, "kspout-other-ca");
    auto ca_key = dir / "kspout-test-ca.key";
    const std::string loopback = "IP:127.0.0.1,DNS:localhost";
    broker = issue(dir, "broker", loopback, 2, ca, ca_key);
    expired = issue(dir, "expired", loopback, -1, ca, ca_key);
    other_name = issue(dir, "other-name", "DNS:other.example", 2, ca, ca_key);
    client = issue(dir, "client", "DNS:kspout-client", 2, ca, ca_key);
    auto encrypted = dir / "client-encrypted.key";
    openssl({"pkcs8", "-topk8", "-in", client.key.string(), "-out", encrypted.string(), "-passout",
             "pass:" + client_key_password});
    client.key = encrypted;
    broker_keystore = keystore(broker, ca, keystore_password);
    expired_keystore = keystore(expired, ca, keystore_password);
    other_name_keystore = keystore(other_name, ca, keystore_password);
}

} // namespace kspout::testing
