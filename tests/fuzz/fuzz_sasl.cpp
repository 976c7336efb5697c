// libFuzzer: what a broker answers a SASL login: SCRAM server messages, an OAUTHBEARER refusal, a token file's contents.
#include "protocol/io/sasl_mechanism.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace kspout::io;

constexpr std::string_view password = "pencil";                          // RFC 7677's example
constexpr std::string_view token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0."; // an unsecured JWS

// A refusal says why, and names the secret only if the server's own words held it (a broker's
// error text is quoted as it came).
void check_refusal(bool answered, const std::string& why, std::string_view secret, std::string_view server)
{
    if (!answered && why.empty()) std::abort();
    if (why.find(secret) != std::string::npos && server.find(secret) == std::string_view::npos) std::abort();
}

// The server-first message, then after a NUL the server-final one (RFC 7677's exchange is the seed).
void scram(scram_hash hash, std::string_view input)
{
    auto client = make_scram(hash, "user", std::string(password), "rOprNGfwEbeRWgbNEkqO");
    std::string why;
    if (!client->respond("", why)) std::abort(); // client-first needs nothing from the server
    auto cut = input.find('\0');
    auto final_message = client->respond(input.substr(0, cut), why);
    check_refusal(final_message.has_value(), why, password, input);
    if (!final_message || client->finished()) return;
    // The proof, never the password (client-final repeats the server's nonce, which may hold anything).
    if (final_message->find(password) != std::string::npos && input.find(password) == std::string_view::npos) {
        std::abort();
    }
    why.clear();
    auto after = client->respond(cut == std::string_view::npos ? std::string_view() : input.substr(cut + 1), why);
    check_refusal(after.has_value(), why, password, input);
}

void oauthbearer(std::string_view input)
{
    auto client = make_oauthbearer(std::string(token));
    std::string why;
    if (!client->respond("", why)) std::abort();
    auto answer = client->respond(input, why);
    check_refusal(answer.has_value(), why, token, input);
    if (client->refusal().find(token) != std::string::npos && input.find(token) == std::string_view::npos) std::abort();
}

void token_file(std::string_view input)
{
    std::string why;
    auto found = bearer_token(input, why);
    if (found.has_value() == !why.empty()) std::abort();
    if (found && (found->empty() || input.find(*found) == std::string_view::npos)) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) return 0;
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 4) {
    case 0: scram(scram_hash::sha256, input); break;
    case 1: scram(scram_hash::sha512, input); break;
    case 2: oauthbearer(input); break;
    default: token_file(input); break;
    }
    return 0;
}
