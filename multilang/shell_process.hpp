// The host side's subprocess: spawn with three pipes, framed writes, reads with a deadline.
#pragma once

#include "multilang/framing.hpp"

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace kspout::multilang {

// A failure Storm treats as fatal for the worker; the text follows Storm's where it has one.
struct shell_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct shell_command {
    std::vector<std::string> argv;
    std::map<std::string, std::string> env; // added to the inherited environment
    std::string working_dir;               // empty: inherit
};

// Like Storm's ShellProcess: stdin, stdout and stderr are pipes; stderr is drained only when
// asked (Storm drains it after each write), so a child that floods stderr blocks as it would
// under Storm.
class shell_process {
public:
    explicit shell_process(const shell_command& command); // throws shell_error
    ~shell_process();
    shell_process(const shell_process&) = delete;
    shell_process& operator=(const shell_process&) = delete;

    void write_message(const std::string& json_text); // throws shell_error on a broken pipe
    void write_raw(std::string_view bytes);
    // The next message, or throws: on EOF "Pipe to subprocess seems to be broken! ...", on
    // timeout a shell_error naming the wait.
    std::string read_message(std::chrono::milliseconds timeout);
    // The next message if one arrives within `wait` (zero: only what is already there), else
    // nothing; EOF throws as read_message does.
    std::optional<std::string> try_read_message(std::chrono::milliseconds wait);
    std::string drain_stderr();

    pid_t pid() const noexcept { return pid_; }
    void close_stdin();
    // Stops reading the subprocess's output, as a host that went away: its writes then fail
    // with EPIPE. Messages can no longer be read.
    void close_stdout();
    void signal(int sig);
    // Waits up to `timeout` for the process to exit; returns its wait status.
    std::optional<int> wait(std::chrono::milliseconds timeout);

private:
    pid_t pid_ = -1;
    int stdin_ = -1;
    int stdout_ = -1;
    int stderr_ = -1;
    message_reader reader_;
    std::optional<int> status_;
};

} // namespace kspout::multilang
