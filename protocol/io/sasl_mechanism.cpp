// PLAIN, SCRAM and OAUTHBEARER clients: SCRAM's proofs with OpenSSL's PBKDF2, HMAC and digests; base64 with
// EVP_EncodeBlock; OAUTHBEARER's error status read with nlohmann/json.
#include "protocol/io/sasl_mechanism.hpp"

#include "protocol/text/excerpt.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <vector>

namespace kspout::io {
namespace {

using bytes = std::vector<unsigned char>;

class plain_mechanism final : public sasl_mechanism {
public:
    explicit plain_mechanism(const sasl_options& options) : options_(options) {}

    std::optional<std::string> respond(std::string_view, std::string&) override
    {
        if (sent_) {
            finished_ = true;
            return std::string();
        }
        sent_ = true;
        return std::string(1, '\0') + options_.username + std::string(1, '\0') + options_.password;
    }
    bool finished() const override { return finished_; }

private:
    sasl_options options_;
    bool sent_ = false;
    bool finished_ = false;
};

std::string base64(const bytes& data)
{
    std::string out(4 * ((data.size() + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(), static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<bytes> unbase64(std::string_view text)
{
    if (text.size() % 4 != 0) return std::nullopt;
    bytes out(3 * text.size() / 4);
    int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    std::size_t padding = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
    out.resize(static_cast<std::size_t>(n) - padding);
    return out;
}

// RFC 5802's saslname: ',' and '=' escaped.
std::string sasl_name(std::string_view name)
{
    std::string out;
    for (char c : name) {
        if (c == ',') {
            out += "=2C";
        } else if (c == '=') {
            out += "=3D";
        } else {
            out += c;
        }
    }
    return out;
}

// The value of attribute `name` ("r", "s", "i", "v", "e") in a comma-separated message.
std::optional<std::string_view> attribute(std::string_view message, char name)
{
    while (!message.empty()) {
        auto comma = message.find(',');
        std::string_view item = message.substr(0, comma);
        if (item.size() >= 2 && item[0] == name && item[1] == '=') return item.substr(2);
        if (comma == std::string_view::npos) break;
        message.remove_prefix(comma + 1);
    }
    return std::nullopt;
}

class scram_mechanism final : public sasl_mechanism {
public:
    scram_mechanism(scram_hash hash, std::string username, std::string password, std::string nonce)
        : digest_(hash == scram_hash::sha256 ? EVP_sha256() : EVP_sha512()), username_(std::move(username)),
          password_(std::move(password)), nonce_(std::move(nonce))
    {
    }

    std::optional<std::string> respond(std::string_view server_message, std::string& why) override
    {
        switch (step_++) {
        case 0:
            client_first_bare_ = "n=" + sasl_name(username_) + ",r=" + nonce_;
            return "n,," + client_first_bare_;
        case 1: return client_final(server_message, why);
        case 2: return verify_server_final(server_message, why);
        default: why = "SCRAM: a message after the exchange ended"; return std::nullopt;
        }
    }
    bool finished() const override { return finished_; }

private:
    bytes hmac(const bytes& key, std::string_view text) const
    {
        bytes out(EVP_MAX_MD_SIZE);
        unsigned int n = 0;
        HMAC(digest_, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(text.data()),
             text.size(), out.data(), &n);
        out.resize(n);
        return out;
    }

    bytes hash(const bytes& data) const
    {
        bytes out(EVP_MAX_MD_SIZE);
        unsigned int n = 0;
        EVP_Digest(data.data(), data.size(), out.data(), &n, digest_, nullptr);
        out.resize(n);
        return out;
    }

    std::optional<std::string> client_final(std::string_view server_first, std::string& why)
    {
        auto nonce = attribute(server_first, 'r');
        auto salt_text = attribute(server_first, 's');
        auto iterations_text = attribute(server_first, 'i');
        if (auto error = attribute(server_first, 'e')) {
            why = "SCRAM: the broker refused: " + text::excerpt(*error);
            return std::nullopt;
        }
        if (!nonce || !salt_text || !iterations_text) {
            why = "SCRAM: malformed server-first-message";
            return std::nullopt;
        }
        if (!nonce->starts_with(nonce_) || nonce->size() == nonce_.size()) {
            why = "SCRAM: the broker's nonce does not extend ours";
            return std::nullopt;
        }
        auto salt = unbase64(*salt_text);
        int iterations = 0;
        const char* end = iterations_text->data() + iterations_text->size();
        auto parsed = std::from_chars(iterations_text->data(), end, iterations);
        if (!salt || parsed.ec != std::errc() || parsed.ptr != end || iterations < 1) {
            why = "SCRAM: malformed salt or iteration count";
            return std::nullopt;
        }
        // The key derivation runs on the event loop: a broker asking for billions of rounds would
        // stall it for hours. Kafka stores SCRAM credentials with 4096 to 16384 (KIP-554), and its
        // own client refuses fewer than 4096.
        if (iterations < min_scram_iterations || iterations > max_scram_iterations) {
            why = "SCRAM: the broker asks for " + std::to_string(iterations) + " iterations, outside " +
                  std::to_string(min_scram_iterations) + " to " + std::to_string(max_scram_iterations);
            return std::nullopt;
        }
        bytes salted(static_cast<std::size_t>(EVP_MD_get_size(digest_)));
        PKCS5_PBKDF2_HMAC(password_.data(), static_cast<int>(password_.size()), salt->data(),
                          static_cast<int>(salt->size()), iterations, digest_, static_cast<int>(salted.size()),
                          salted.data());
        bytes client_key = hmac(salted, "Client Key");
        server_key_ = hmac(salted, "Server Key");
        std::string without_proof = "c=biws,r=" + std::string(*nonce);
        auth_message_ = client_first_bare_ + "," + std::string(server_first) + "," + without_proof;
        bytes signature = hmac(hash(client_key), auth_message_);
        bytes proof(client_key.size());
        for (std::size_t i = 0; i < proof.size(); ++i) proof[i] = client_key[i] ^ signature[i];
        return without_proof + ",p=" + base64(proof);
    }

    std::optional<std::string> verify_server_final(std::string_view server_final, std::string& why)
    {
        if (auto error = attribute(server_final, 'e')) {
            why = "SCRAM: the broker refused: " + text::excerpt(*error);
            return std::nullopt;
        }
        auto verifier = attribute(server_final, 'v');
        if (!verifier || *verifier != base64(hmac(server_key_, auth_message_))) {
            why = "SCRAM: the broker's signature does not verify (not the broker that holds our credentials)";
            return std::nullopt;
        }
        finished_ = true;
        return std::string();
    }

    const EVP_MD* digest_;
    std::string username_;
    std::string password_;
    std::string nonce_;
    int step_ = 0;
    bool finished_ = false;
    std::string client_first_bare_;
    std::string auth_message_;
    bytes server_key_;
};

// RFC 7628: the GS2 header without an authorization id, then key=value pairs each ended by
// \x01, and a final \x01.
class oauthbearer_mechanism final : public sasl_mechanism {
public:
    explicit oauthbearer_mechanism(std::string token) : token_(std::move(token)) {}

    std::optional<std::string> respond(std::string_view server_message, std::string& why) override
    {
        switch (step_++) {
        case 0: return "n,," + std::string(1, kvsep) + "auth=Bearer " + token_ + kvsep + kvsep;
        case 1:
            if (server_message.empty()) {
                finished_ = true;
                return std::string();
            }
            // A refusal (RFC 7628 3.2.2): a JSON object with a status; the client ends the
            // exchange with a lone \x01 and the server then fails it.
            refusal_ = error_status(server_message);
            return std::string(1, kvsep);
        default: why = "OAUTHBEARER: a message after the exchange ended"; return std::nullopt;
        }
    }
    bool finished() const override { return finished_; }
    std::string refusal() const override { return refusal_; }

private:
    static constexpr char kvsep = '\x01';

    // "status <status>[, scope <scope>]" from the server's JSON, or a note that it was not JSON.
    static std::string error_status(std::string_view message)
    {
        auto json = nlohmann::json::parse(message, nullptr, false);
        if (!json.is_object() || !json.contains("status") || !json["status"].is_string()) {
            return "an error that is not RFC 7628's JSON";
        }
        std::string out = "status " + text::excerpt(json["status"].get_ref<const std::string&>());
        if (json.contains("scope") && json["scope"].is_string())
            out += ", scope " + text::excerpt(json["scope"].get_ref<const std::string&>());
        return out;
    }

    std::string token_;
    int step_ = 0;
    bool finished_ = false;
    std::string refusal_;
};

bool is_b64token_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~' || c == '+' || c == '/';
}

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

} // namespace

std::unique_ptr<sasl_mechanism> make_oauthbearer(std::string token)
{
    return std::make_unique<oauthbearer_mechanism>(std::move(token));
}

std::optional<std::string> bearer_token(std::string_view file_contents, std::string& why)
{
    while (!file_contents.empty() && is_space(file_contents.front())) file_contents.remove_prefix(1);
    while (!file_contents.empty() && is_space(file_contents.back())) file_contents.remove_suffix(1);
    if (file_contents.empty()) {
        why = "the token file is empty";
        return std::nullopt;
    }
    auto body_end = std::find_if_not(file_contents.begin(), file_contents.end(), is_b64token_char);
    bool padding_only = std::all_of(body_end, file_contents.end(), [](char c) { return c == '='; });
    if (body_end == file_contents.begin() || !padding_only) {
        why = "the token file holds no bearer token (expected one compact JWS: letters, digits, \"-._~+/\")";
        return std::nullopt;
    }
    return std::string(file_contents);
}

std::optional<std::chrono::milliseconds> reauthentication_delay(std::chrono::milliseconds session_lifetime,
                                                                double jitter)
{
    if (session_lifetime <= std::chrono::milliseconds::zero()) return std::nullopt;
    double fraction = 0.85 + 0.10 * std::clamp(jitter, 0.0, 1.0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(session_lifetime.count()) * fraction));
}

std::unique_ptr<sasl_mechanism> make_scram(scram_hash hash, std::string username, std::string password,
                                           std::string nonce)
{
    return std::make_unique<scram_mechanism>(hash, std::move(username), std::move(password), std::move(nonce));
}

std::unique_ptr<sasl_mechanism> make_sasl_mechanism(const sasl_options& options, const std::string& nonce)
{
    if (options.mechanism == "PLAIN") return std::make_unique<plain_mechanism>(options);
    if (options.mechanism == "SCRAM-SHA-256") return make_scram(scram_hash::sha256, options.username, options.password, nonce);
    if (options.mechanism == "SCRAM-SHA-512") return make_scram(scram_hash::sha512, options.username, options.password, nonce);
    return nullptr;
}

} // namespace kspout::io
