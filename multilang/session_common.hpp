// What the spout and bolt sessions share: the handshake, parsing, how stdin ended, sending, failing.
#pragma once

#include "multilang/channel.hpp"
#include "multilang/messages.hpp"

#include <cstdint>
#include <functional>
#include <memory>
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

// The part of a session that does not depend on the component kind: it reads the channel,
// answers the handshake, parses every later message (task-id arrays are dropped: we never ask
// for them) and hands it on; it writes messages until the first protocol error, after which it
// stops reading and sends nothing more.
class session_core {
public:
    struct hooks {
        handshake_hook on_handshake;
        // A parsed message after the handshake, with its text for error messages.
        std::function<void(storm_message&&, const std::string& text)> on_message;
        std::function<void()> on_end_of_input;
        std::function<void(const std::string&)> on_protocol_error;
    };

    session_core(std::shared_ptr<channel> ch, std::int64_t pid) : channel_(std::move(ch)), pid_(pid) {}

    // `owner` keeps the session alive while a channel callback runs; callbacks after it is gone
    // do nothing.
    void start(std::weak_ptr<void> owner, hooks h);
    template <class Message>
    void send(const Message& message)
    {
        if (!failed_) channel_->send(to_json_text(message));
    }
    void protocol_error(const std::string& what);

    bool failed() const noexcept { return failed_; }
    bool handshake_done() const noexcept { return handshake_done_; }
    const std::shared_ptr<channel>& output() const noexcept { return channel_; }

private:
    void on_text(std::string text);

    std::shared_ptr<channel> channel_;
    std::int64_t pid_;
    hooks hooks_;
    bool handshake_done_ = false;
    bool failed_ = false;
};

} // namespace kspout::multilang
