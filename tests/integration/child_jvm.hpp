// Test helpers for servers run as child JVMs: finding java, free loopback ports, spawning with a log, stopping.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace kspout::testing {

// $JAVA_HOME/bin/java, else the first java on PATH; empty when there is none.
std::string find_java();

// A loopback TCP port that was free a moment ago. Throws std::system_error.
std::uint16_t free_loopback_port();

// Starts argv[0] with argv, stdin from /dev/null and stdout and stderr appended to `log`. The
// child gets SIGKILL when the test process dies, so a crashed test leaves no server behind.
// Throws std::system_error when the log cannot be opened or fork fails.
pid_t spawn_logged(const std::vector<std::string>& argv, const std::filesystem::path& log);

// Reaps the child if it has exited; true then (and *status holds its waitpid status).
bool child_exited(pid_t pid, int* status = nullptr);

// Polls for the child's exit up to `limit`; true once it has been reaped.
bool reap_within(pid_t pid, std::chrono::milliseconds limit);

// SIGTERM, then SIGKILL when it has not exited within `limit`; returns once it is reaped.
void stop_child(pid_t pid, std::chrono::milliseconds limit);

} // namespace kspout::testing
