// Test helper: a long-running child program whose stdout is read line by line while it runs.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <sys/types.h>

namespace kspout::balanced::testing {

// Started with fork/exec; stdin is a pipe (closing it asks the member program to stop), stdout a
// non-blocking pipe read by lines(), stderr appended to a string for failure messages. The child
// dies with the test (PR_SET_PDEATHSIG). The destructor kills it if it still runs.
class child_process {
public:
    explicit child_process(const std::vector<std::string>& argv); // throws std::runtime_error
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    // Complete lines printed since the last call (without their newline).
    std::vector<std::string> lines();
    const std::string& stderr_text();

    void close_stdin();
    void kill(int signal);
    // Waits for the child to exit, up to `limit`; true once it has been reaped.
    bool wait(std::chrono::milliseconds limit);
    bool running() const { return pid_ > 0; }
    int exit_status() const { return status_; } // waitpid status once reaped
    pid_t pid() const { return pid_; }

private:
    void drain();

    pid_t pid_ = -1;
    int status_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
    int stderr_fd_ = -1;
    std::string out_;
    std::string err_;
};

} // namespace kspout::balanced::testing
