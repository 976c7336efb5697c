// The component side of a bolt: handshake, tuples to a handler, heartbeats answered with sync.
#pragma once

#include "multilang/session_common.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kspout::multilang {

// Unlike a spout, a bolt owes Storm no reply per message: each tuple goes to on_tuple, which
// emits, acks or fails through the session now or later (ShellBolt tracks pending ids itself).
// Heartbeat tuples never reach the handler; the session answers each with a sync. Task-id
// arrays are dropped (emits always say need_task_ids false).
class bolt_session : public std::enable_shared_from_this<bolt_session> {
public:
    struct handlers {
        // Returns an error text to refuse the handshake; the pid file is created first.
        std::function<std::optional<std::string>(const handshake&)> on_handshake;
        // Every input tuple, tick tuples included (they must be acked like any other).
        std::function<void(const bolt_tuple&, bolt_session&)> on_tuple;
        // After each heartbeat's sync was sent (a bolt that paused its input learns that Storm was answered).
        std::function<void()> on_heartbeat;
        // stdin ended cleanly (Storm went away).
        std::function<void()> on_end_of_input;
        // Malformed input from Storm, or the pipes broke: what went wrong, in one line.
        std::function<void(const std::string&)> on_protocol_error;
    };

    static std::shared_ptr<bolt_session> create(std::shared_ptr<channel> ch, handlers h, std::int64_t pid);

    void start();

    // An emit anchored to the given input ids; an empty stream means Storm's "default". Strings
    // must be valid UTF-8 (to_json_text throws json::type_error otherwise), as for spout_session.
    void emit(std::vector<std::string> anchors, std::string stream, json tuple);
    void ack(std::string id);
    void fail(std::string id);
    void log(std::string msg, log_level level = log_level::info);
    void error(std::string msg);
    void metrics(std::string name, json params);

    bool handshake_done() const noexcept { return core_.handshake_done(); }
    std::uint64_t heartbeats_answered() const noexcept { return heartbeats_; }
    std::shared_ptr<channel> output() const { return core_.output(); }

private:
    bolt_session(std::shared_ptr<channel> ch, handlers h, std::int64_t pid);

    void on_message(storm_message&& message, const std::string& text);

    session_core core_;
    handlers handlers_;
    std::uint64_t heartbeats_ = 0;
};

// Runs a bolt on this process's stdin and stdout until Storm goes away: returns 0 after a clean
// EOF, 1 after a protocol error, which is written to stderr as "<name>: <what>". The handlers'
// own on_end_of_input and on_protocol_error run first when set.
int run_bolt(bolt_session::handlers h, const std::string& name);

} // namespace kspout::multilang
