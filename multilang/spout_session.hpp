// The component side of a spout: handshake, then one sync per command, in order.
#pragma once

#include "multilang/session_common.hpp"

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace kspout::multilang {

// Commands are handled one at a time. A handler gets a `done` callback and may take its time
// (a short bounded wait for data in `next`, say): commands arriving meanwhile queue up, and each
// gets its sync after the one before it. Task-id arrays are dropped (we never ask for them).
//
// Storm reads a spout's stdout only while a command is outstanding, and may send none for hours
// (deactivated, max spout pending). Logs and errors written between commands are therefore held
// and go out at the start of the next command's reply, in order; past held_messages_cap of them
// the newest are counted and dropped, and a warning says how many.
class spout_session : public std::enable_shared_from_this<spout_session> {
public:
    using done_callback = std::function<void()>;

    struct handlers {
        // Returns an error text to refuse the handshake; the pid file is created first.
        std::function<std::optional<std::string>(const handshake&)> on_handshake;
        std::function<void(done_callback)> on_next;
        std::function<void(const json& id, done_callback)> on_ack;
        std::function<void(const json& id, done_callback)> on_fail;
        std::function<void(done_callback)> on_activate;
        std::function<void(done_callback)> on_deactivate;
        // stdin ended cleanly (Storm went away).
        std::function<void()> on_end_of_input;
        // Malformed input from Storm, or the pipes broke: what went wrong, in one line.
        std::function<void(const std::string&)> on_protocol_error;
    };

    static std::shared_ptr<spout_session> create(std::shared_ptr<channel> ch, handlers h, std::int64_t pid);

    void start();

    static constexpr std::size_t held_messages_cap = 1000;

    void emit(emit_message message);
    void log(std::string msg, log_level level = log_level::info);
    void error(std::string msg);
    void metrics(std::string name, json params);

    bool handshake_done() const noexcept { return core_.handshake_done(); }
    std::size_t commands_waiting() const noexcept { return waiting_.size(); }
    std::shared_ptr<channel> output() const { return core_.output(); }

private:
    spout_session(std::shared_ptr<channel> ch, handlers h, std::int64_t pid);

    void on_message(storm_message&& message, const std::string& text);
    void run_next_command();
    void finish_command();
    // Sends now while a command is outstanding, else holds the message for the next one.
    void send_or_hold(component_message message);
    void send_held();

    session_core core_;
    handlers handlers_;
    bool busy_ = false;
    std::deque<storm_message> waiting_;
    std::deque<component_message> held_;
    std::size_t dropped_ = 0;
};

} // namespace kspout::multilang
