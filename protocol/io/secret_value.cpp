// resolve_secret: the file: and env: forms of a secret setting.
#include "protocol/io/secret_value.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kspout::io {

std::optional<std::string> resolve_secret(std::string_view written, std::string& why)
{
    if (written.starts_with("file:")) {
        std::string path(written.substr(5));
        std::ifstream in(path, std::ios::binary);
        std::ostringstream text;
        if (!in || !(text << in.rdbuf())) {
            why = "cannot read the secret file " + path;
            return std::nullopt;
        }
        std::string secret = text.str();
        if (secret.ends_with("\r\n")) {
            secret.resize(secret.size() - 2);
        } else if (secret.ends_with('\n')) {
            secret.pop_back();
        }
        return secret;
    }
    if (written.starts_with("env:")) {
        std::string name(written.substr(4));
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) {
            why = "the environment variable " + name + " is not set";
            return std::nullopt;
        }
        return std::string(value);
    }
    return std::string(written);
}

} // namespace kspout::io
