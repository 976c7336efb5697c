// session_core and its helpers, shared by spout_session and bolt_session.
#include "multilang/session_common.hpp"

#include "multilang/context.hpp"
#include "protocol/text/excerpt.hpp"

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
    if (ec == std::errc::message_size) {
        return "a message from Storm is longer than " + std::to_string(default_max_message_bytes >> 20) +
               " MiB; its start: " + text::excerpt(unfinished);
    }
    if (ec) return "pipe to Storm failed: " + ec.message();
    if (unfinished.find_first_not_of(" \r\n\t") != std::string_view::npos) {
        return "Storm closed stdin in the middle of a message: " + text::excerpt(unfinished);
    }
    return std::nullopt;
}

void session_core::start(std::weak_ptr<void> owner, hooks h)
{
    hooks_ = std::move(h);
    channel_->start(
        [this, owner](std::string text) {
            if (auto alive = owner.lock()) on_text(std::move(text));
        },
        [this, owner](std::error_code ec, std::string_view unfinished) {
            auto alive = owner.lock();
            if (!alive || failed_) return;
            if (auto error = input_closed_error(ec, unfinished)) {
                protocol_error(*error);
            } else if (hooks_.on_end_of_input) {
                hooks_.on_end_of_input();
            }
        });
}

void session_core::on_text(std::string text)
{
    if (failed_) return;
    if (!handshake_done_) {
        if (auto refusal = accept_handshake(text, pid_, hooks_.on_handshake)) {
            protocol_error(*refusal);
            return;
        }
        handshake_done_ = true;
        send(pid_message{pid_});
        return;
    }
    parse_result parsed = parse_storm_message(text);
    if (!parsed.message) {
        protocol_error(parsed.error);
        return;
    }
    if (std::holds_alternative<task_ids>(*parsed.message)) return;
    hooks_.on_message(std::move(*parsed.message), text);
}

void session_core::protocol_error(const std::string& what)
{
    if (failed_) return;
    failed_ = true;
    channel_->stop_reading();
    if (hooks_.on_protocol_error) hooks_.on_protocol_error(what);
}

} // namespace kspout::multilang
