// child_process: fork/exec with pipes, line reading without blocking, and reaping with a limit.
#include "tests/integration/balanced_child.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kspout::balanced::testing {
namespace {

void close_fd(int& fd)
{
    if (fd >= 0)
        ::close(fd);
    fd = -1;
}

bool read_available(int fd, std::string& into)
{
    char chunk[8192];
    for (;;) {
        ssize_t got = ::read(fd, chunk, sizeof chunk);
        if (got > 0) {
            into.append(chunk, static_cast<std::size_t>(got));
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        return got < 0 && errno == EAGAIN; // false at end of file
    }
}

} // namespace

child_process::child_process(const std::vector<std::string>& argv)
{
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("child_process: pipe: ") + std::strerror(errno));
    std::vector<std::string> args = argv;
    std::vector<char*> raw;
    for (auto& a : args)
        raw.push_back(a.data());
    raw.push_back(nullptr);
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error(std::string("child_process: fork: ") + std::strerror(errno));
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(127);
        ::dup2(in[0], STDIN_FILENO);
        ::dup2(out[1], STDOUT_FILENO);
        ::dup2(err[1], STDERR_FILENO);
        ::execv(raw[0], raw.data());
        ::_exit(127);
    }
    pid_ = pid;
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    stdin_fd_ = in[1];
    stdout_fd_ = out[0];
    stderr_fd_ = err[0];
    ::fcntl(stdout_fd_, F_SETFL, ::fcntl(stdout_fd_, F_GETFL) | O_NONBLOCK);
    ::fcntl(stderr_fd_, F_SETFL, ::fcntl(stderr_fd_, F_GETFL) | O_NONBLOCK);
}

child_process::~child_process()
{
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait(std::chrono::seconds(10));
    }
    close_fd(stdin_fd_);
    close_fd(stdout_fd_);
    close_fd(stderr_fd_);
}

void child_process::drain()
{
    if (stdout_fd_ >= 0 && !read_available(stdout_fd_, out_))
        close_fd(stdout_fd_);
    if (stderr_fd_ >= 0 && !read_available(stderr_fd_, err_))
        close_fd(stderr_fd_);
}

std::vector<std::string> child_process::lines()
{
    drain();
    std::vector<std::string> complete;
    std::size_t start = 0;
    for (;;) {
        std::size_t end = out_.find('\n', start);
        if (end == std::string::npos)
            break;
        complete.push_back(out_.substr(start, end - start));
        start = end + 1;
    }
    out_.erase(0, start);
    return complete;
}

const std::string& child_process::stderr_text()
{
    drain();
    return err_;
}

void child_process::close_stdin()
{
    close_fd(stdin_fd_);
}

void child_process::kill(int signal)
{
    if (pid_ > 0)
        ::kill(pid_, signal);
}

bool child_process::wait(std::chrono::milliseconds limit)
{
    if (pid_ <= 0)
        return true;
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        int status = 0;
        pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_ || (done < 0 && errno == ECHILD)) {
            status_ = status;
            pid_ = -1;
            drain();
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

} // namespace kspout::balanced::testing
