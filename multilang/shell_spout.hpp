// The host side of a spout, as Storm's ShellSpout behaves: handshake, commands, checks, timeouts.
#pragma once

#include "multilang/context.hpp"
#include "multilang/messages.hpp"
#include "multilang/shell_common.hpp"
#include "multilang/shell_process.hpp"

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace kspout::multilang {

// What the subprocess wrote while one command was outstanding, up to its sync.
struct spout_reply {
    std::vector<emit_message> emits;
    std::vector<log_message> logs;
    std::vector<error_message> errors;
    std::vector<metrics_message> metrics;
};

using shell_spout_options = shell_options;

// Every violation Storm treats as fatal throws shell_error: an unknown command (ack and fail
// included), a field of the wrong type, an emit to an undeclared stream or with the wrong number
// of fields (local-mode checks), an unregistered metric, EOF, or silence beyond the timeout.
class shell_spout {
public:
    shell_spout(const shell_command& command, shell_spout_options options);

    // Sends the handshake; returns the pid the subprocess reported (-1 if it sent none).
    std::int64_t open();
    spout_reply next() { return send_command("next", ""); }
    spout_reply ack(const json& id) { return send_command("ack", id); }
    spout_reply fail(const json& id) { return send_command("fail", id); }
    spout_reply activate() { return send_command("activate", ""); }
    spout_reply deactivate() { return send_command("deactivate", ""); }

    shell_process& process() { return process_; }
    const topology_context& context() const { return context_; }

private:
    spout_reply send_command(const std::string& name, const json& id);

    shell_spout_options options_;
    topology_context context_;
    shell_process process_;
};

} // namespace kspout::multilang
