// The topology context from the handshake, and what a task derives from it.
#pragma once

#include "multilang/messages.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kspout::multilang {

struct topology_context {
    std::int64_t task_id = -1;
    std::string component_id;
    std::map<std::int64_t, std::string> task_to_component;
    std::map<std::string, std::vector<std::string>> stream_output_fields; // empty before Storm 0.10

    // This task's position among its component's tasks sorted by id, and how many there are:
    // the (index, count) a static partition assignment needs.
    std::optional<std::pair<int, int>> task_index_and_count() const;
};

// Reads the fields it knows and ignores the rest; error names a field of the wrong type.
std::optional<topology_context> parse_context(const json& context, std::string& error);

// Creates the empty file <pid_dir>/<pid> that the supervisor uses to kill the process.
// Returns a message naming the path and the reason on failure.
std::optional<std::string> create_pid_file(const std::string& pid_dir, std::int64_t pid);

} // namespace kspout::multilang
