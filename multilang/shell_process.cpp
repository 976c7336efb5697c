// shell_process: posix_spawn with pipes, poll-based reads with deadlines, graceful teardown.
#include "multilang/shell_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace kspout::multilang {
namespace {

std::string errno_text(const char* what)
{
    return std::string(what) + ": " + std::strerror(errno);
}

} // namespace

shell_process::shell_process(const shell_command& command)
{
    if (command.argv.empty()) throw shell_error("no command to run");
    // A child that dies must show up as a write error here, not kill the host with SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        throw shell_error(errno_text("pipe"));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    if (!command.working_dir.empty()) posix_spawn_file_actions_addchdir_np(&actions, command.working_dir.c_str());

    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string entry(*e);
        if (!command.env.contains(entry.substr(0, entry.find('=')))) env_strings.push_back(entry);
    }
    for (const auto& [k, v] : command.env) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp, argv;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = command.argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    int rc = ::posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    stderr_ = err[0];
    if (rc != 0) {
        pid_ = -1;
        throw shell_error("cannot start " + command.argv[0] + ": " + std::strerror(rc));
    }
    ::fcntl(stderr_, F_SETFL, O_NONBLOCK);
}

shell_process::~shell_process()
{
    close_stdin();
    if (pid_ > 0 && !status_) {
        // Like Process.destroy(): SIGTERM, then make sure.
        ::kill(pid_, SIGTERM);
        if (!wait(std::chrono::seconds(5))) {
            ::kill(pid_, SIGKILL);
            wait(std::chrono::seconds(5));
        }
    }
    for (int fd : {stdout_, stderr_}) {
        if (fd >= 0) ::close(fd);
    }
}

void shell_process::write_message(const std::string& json_text)
{
    write_raw(frame(json_text));
}

void shell_process::write_raw(std::string_view bytes)
{
    if (stdin_ < 0) throw shell_error("stdin of the subprocess is closed");
    while (!bytes.empty()) {
        ssize_t n = ::write(stdin_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw shell_error(errno_text("write to subprocess"));
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::string shell_process::read_message(std::chrono::milliseconds timeout)
{
    if (auto message = try_read_message(timeout)) return *message;
    throw shell_error("subprocess sent nothing within " + std::to_string(timeout.count()) + " ms");
}

std::optional<std::string> shell_process::try_read_message(std::chrono::milliseconds wait)
{
    auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
        std::error_code ec;
        if (auto message = reader_.next(ec)) return message;
        if (ec) throw shell_error("subprocess output: " + ec.message());
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{stdout_, POLLIN, 0};
        int rc = ::poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 0)));
        if (rc < 0 && errno == EINTR) continue;
        if (rc <= 0) {
            if (left.count() <= 0) return std::nullopt;
            continue;
        }
        char buf[65536];
        ssize_t n = ::read(stdout_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            std::string pending(reader_.pending());
            throw shell_error(pending.empty()
                                  ? "Pipe to subprocess seems to be broken! No output read."
                                  : "Pipe to subprocess seems to be broken! Currently read output: " + pending);
        }
        reader_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    }
}

std::string shell_process::drain_stderr()
{
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(stderr_, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    return out;
}

void shell_process::close_stdin()
{
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
}

void shell_process::close_stdout()
{
    if (stdout_ >= 0) ::close(stdout_);
    stdout_ = -1;
}

void shell_process::signal(int sig)
{
    if (pid_ > 0 && !status_) ::kill(pid_, sig);
}

std::optional<int> shell_process::wait(std::chrono::milliseconds timeout)
{
    if (status_ || pid_ <= 0) return status_;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            status_ = status;
            return status_;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

} // namespace kspout::multilang
