// Where a secret setting's value comes from: written inline, read from a file, or from an environment variable.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kspout::io {

// "file:PATH": the file's contents without one trailing newline; "env:NAME": the environment
// variable's value; anything else is the secret itself. Returns nullopt with `why` saying what
// could not be read; `why` names the file or variable, never the secret.
std::optional<std::string> resolve_secret(std::string_view written, std::string& why);

} // namespace kspout::io
