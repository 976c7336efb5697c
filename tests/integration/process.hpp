// Runs a helper program (kcat, python) to completion with its output captured and a time limit.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <sys/types.h>

namespace kspout::testing {

struct process_result {
    std::error_code error;  // set when the program could not be started or watched
    int exit_code = -1;     // the exit status when it exited normally
    int signal = 0;         // the signal that ended it, or 0
    bool timed_out = false; // it ran past the limit and was killed
    std::string out;
    std::string err;

    bool ok() const { return !error && !timed_out && signal == 0 && exit_code == 0; }
    // One paragraph for a test failure message: how it ended and what it printed on stderr.
    std::string describe() const;
};

// Runs argv[0] (searched on PATH) with argv, feeding input on stdin and then closing it.
process_result run_process(const std::vector<std::string>& argv, std::string_view input = {},
                           std::chrono::milliseconds limit = std::chrono::seconds(60));

// The running children of `parent` whose executable is `exe` (compared as canonical paths),
// read from /proc: the subprocesses a local topology runner started from one binary.
std::vector<int> children_running(int parent, const std::string& exe);

// VmHWM of a process in KiB (its peak resident memory so far), or 0 if it cannot be read.
long process_peak_rss_kib(pid_t pid);

// User and system CPU a process has used so far, in seconds, or 0 if it cannot be read.
double process_cpu_seconds(pid_t pid);

// Writing to a pipe whose reader is gone must fail with EPIPE, not kill the test process.
void ignore_sigpipe();

} // namespace kspout::testing
