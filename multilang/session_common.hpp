// What the spout and bolt sessions share: accepting the handshake and judging how stdin ended.
#pragma once

#include "multilang/messages.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace kspout::multilang {

using handshake_hook = std::function<std::optional<std::string>(const handshake&)>;

// Parses the handshake, creates the pid file (first: the supervisor kills what it lists, so it
// must exist before Storm believes the process is up), then asks the hook. Returns why the
// handshake is refused, or nullopt when the caller may reply {"pid": N}.
std::optional<std::string> accept_handshake(const std::string& text, std::int64_t pid, const handshake_hook& hook);

// How stdin closed: nullopt for a clean EOF between messages, else the protocol error to report.
std::optional<std::string> input_closed_error(std::error_code ec, std::string_view unfinished);

} // namespace kspout::multilang
