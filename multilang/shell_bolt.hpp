// The host side of a bolt, as Storm's ShellBolt behaves: handshake, tuples, heartbeats, checks.
#pragma once

#include "multilang/context.hpp"
#include "multilang/messages.hpp"
#include "multilang/shell_common.hpp"
#include "multilang/shell_process.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace kspout::multilang {

// What the subprocess wrote during one read_until call, in the order of each kind.
struct bolt_output {
    std::vector<emit_message> emits;
    std::vector<std::string> acked;
    std::vector<std::string> failed;
    std::vector<log_message> logs;
    std::vector<error_message> errors;
    std::vector<metrics_message> metrics;
    std::size_t syncs = 0;
    std::vector<std::string> ignored; // unknown commands: ShellBolt ignores them
    std::size_t messages = 0;         // everything read, each one a heartbeat to ShellBolt
};

using shell_bolt_options = shell_options;

// Storm runs ShellBolt's reader and writer on their own threads; this host is synchronous:
// write tuples and heartbeats, then read until a condition holds. Every violation ShellBolt
// treats as fatal throws shell_error: ack or fail of an id that is not pending, an emit anchored
// to an id that is not pending, a field of the wrong type, a message without a command, an emit
// to an undeclared stream or with the wrong number of fields (local-mode checks), an
// unregistered metric, EOF, or silence beyond the timeout.
class shell_bolt {
public:
    shell_bolt(const shell_command& command, shell_bolt_options options);

    // Sends the handshake; returns the pid the subprocess reported (-1 if it sent none).
    std::int64_t open();
    // Writes an input tuple and records it as pending. An empty input.id gets a random decimal
    // long, as ShellBolt makes; the id used is returned.
    std::string execute(bolt_tuple input);
    // Writes a heartbeat tuple (task -1, stream "__heartbeat", comp null, random id).
    void send_heartbeat();
    // Reads and checks messages, each within the timeout, until done(output) holds.
    bolt_output read_until(const std::function<bool(const bolt_output&)>& done);
    // Reads and checks the messages already written, without waiting (a host that multiplexes
    // many bolts keeps its own heartbeat clock from output.messages).
    bolt_output read_available();
    // Whatever arrives within `period`, without ShellBolt's silence check: the host waits that
    // long between two heartbeats.
    bolt_output read_for(std::chrono::milliseconds period);

    // execute, then read until that tuple is acked or failed.
    bolt_output process_tuple(bolt_tuple input);
    // send_heartbeat, then read until a sync arrives.
    bolt_output heartbeat();

    bool is_pending(const std::string& id) const { return pending_.contains(id); }
    std::size_t pending_count() const noexcept { return pending_.size(); }
    shell_process& process() { return process_; }
    const topology_context& context() const { return context_; }

private:
    void after_write();
    void apply(const std::string& text, bolt_output& output);
    std::string random_id();

    shell_bolt_options options_;
    topology_context context_;
    shell_process process_;
    std::map<std::string, bolt_tuple> pending_;
    std::mt19937_64 random_{std::random_device{}()};
};

} // namespace kspout::multilang
