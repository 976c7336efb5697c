// accept_handshake and input_closed_error, shared by spout_session and bolt_session.
#include "multilang/session_common.hpp"

#include "multilang/context.hpp"

namespace kspout::multilang {

std::optional<std::string> accept_handshake(const std::string& text, std::int64_t pid, const handshake_hook& hook)
{
    std::string error;
    auto h = parse_handshake(text, error);
    if (!h) return "bad handshake: " + error;
    if (auto failure = create_pid_file(h->pid_dir, pid)) return failure;
    if (hook) return hook(*h);
    return std::nullopt;
}

std::optional<std::string> input_closed_error(std::error_code ec, std::string_view unfinished)
{
    if (ec) return "pipe to Storm failed: " + ec.message();
    if (unfinished.find_first_not_of(" \r\n\t") != std::string_view::npos) {
        return "Storm closed stdin in the middle of a message: " + std::string(unfinished.substr(0, 200));
    }
    return std::nullopt;
}

} // namespace kspout::multilang
