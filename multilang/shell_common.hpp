// What the host-side spout and bolt share: the context they run with, the handshake, emit checks.
#pragma once

#include "multilang/context.hpp"
#include "multilang/messages.hpp"
#include "multilang/shell_process.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace kspout::multilang {

// How a ShellSpout or ShellBolt host runs its subprocess.
struct shell_options {
    json conf = json::object();
    json context = json::object();
    std::string pid_dir;
    // topology.subprocess.timeout.secs: the longest silence while Storm waits for the subprocess.
    std::chrono::milliseconds timeout = std::chrono::seconds(30);
    // Storm waits forever for the handshake reply; tests want a bound.
    std::chrono::milliseconds handshake_timeout = std::chrono::seconds(60);
    std::set<std::string> registered_metrics;
    // The task ids Storm writes back after an emit with need_task_ids (default: none).
    std::function<std::vector<std::int64_t>(const emit_message&)> task_ids_for;
    // Called with stderr text Storm would have logged after each write.
    std::function<void(const std::string&)> on_stderr;
    // Called for each checked emit as it is read, as Storm's collector.emit runs: routing goes
    // here, and for a spout with zero ackers the re-entrant ack (a nested command). Returns the
    // task ids written back when need_task_ids asks (task_ids_for is then unused).
    std::function<std::vector<std::int64_t>(const emit_message&)> on_emit;
};

// The parsed topology context; throws shell_error for a malformed one.
topology_context context_or_throw(const json& context);

// Writes Storm's handshake and reads the reply; returns the pid it reported (-1 if none).
// A reply that is not {"pid": N}, or a string pid, throws shell_error as Storm would fail.
std::int64_t shell_handshake(shell_process& process, const std::string& pid_dir, const json& conf,
                             const json& context, std::chrono::milliseconds timeout);

// Storm's checks on an emit: a tuple is present; with declared streams (Storm 0.10+), the stream
// is declared (TopologyContext) and the arity matches (TupleImpl's local-mode check).
void check_emit(const topology_context& context, const emit_message& emit);

// Storm's check on a metrics message: the name is one the Java subclass registered.
void check_metric(const std::set<std::string>& registered, const metrics_message& metrics);

// After an emit passed check_emit: runs options.on_emit (routing, a nested ack) and, when the
// emit asks for task ids, writes them back as Storm does. Returns whether it wrote to the process.
bool answer_emit(shell_process& process, const shell_options& options, const emit_message& emit);

// log, error and metrics messages go to the same fields of a spout's reply and a bolt's output;
// returns false for any other message.
template <class Output>
bool take_diagnostic(component_message& message, Output& out, const std::set<std::string>& registered_metrics)
{
    if (auto* log = std::get_if<log_message>(&message)) {
        out.logs.push_back(std::move(*log));
    } else if (auto* error = std::get_if<error_message>(&message)) {
        out.errors.push_back(std::move(*error));
    } else if (auto* metrics = std::get_if<metrics_message>(&message)) {
        check_metric(registered_metrics, *metrics);
        out.metrics.push_back(std::move(*metrics));
    } else {
        return false;
    }
    return true;
}

} // namespace kspout::multilang
