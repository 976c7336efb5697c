// What the host-side spout and bolt share: the context they run with, the handshake, emit checks.
#pragma once

#include "multilang/context.hpp"
#include "multilang/messages.hpp"
#include "multilang/shell_process.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace kspout::multilang {

// The parsed topology context; throws shell_error for a malformed one.
topology_context context_or_throw(const json& context);

// Writes Storm's handshake and reads the reply; returns the pid it reported (-1 if none).
// A reply that is not {"pid": N}, or a string pid, throws shell_error as Storm would fail.
std::int64_t shell_handshake(shell_process& process, const std::string& pid_dir, const json& conf,
                             const json& context, std::chrono::milliseconds timeout);

// Storm's checks on an emit: a tuple is present; with declared streams (Storm 0.10+), the stream
// is declared (TopologyContext) and the arity matches (TupleImpl's local-mode check).
void check_emit(const topology_context& context, const emit_message& emit);

} // namespace kspout::multilang
