// Runs a helper program to completion with captured stdout/stderr, fed stdin and a time limit.
#include "tests/integration/process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace kspout::testing {
namespace {

std::error_code last_error()
{
    return {errno, std::system_category()};
}

void close_fd(int& fd)
{
    if (fd >= 0)
        ::close(fd);
    fd = -1;
}

struct pipe_pair {
    int read = -1;
    int write = -1;

    ~pipe_pair()
    {
        close_fd(read);
        close_fd(write);
    }

    std::error_code open()
    {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0)
            return last_error();
        read = fds[0];
        write = fds[1];
        return {};
    }
};

// Reads what is available; returns false at end of file or on an error.
bool drain(int fd, std::string& into)
{
    char chunk[16384];
    ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (got <= 0)
        return false;
    into.append(chunk, static_cast<std::size_t>(got));
    return true;
}

void reap(pid_t pid, process_result& result)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            result.error = last_error();
            return;
        }
    }
    if (WIFEXITED(status))
        result.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        result.signal = WTERMSIG(status);
}

// The fields of /proc/PID/stat after "pid (comm)", from the state on; empty if the process is
// gone. comm may hold spaces and parentheses, so they start after the last ')'.
std::istringstream stat_fields(const std::filesystem::path& stat_path)
{
    std::ifstream stat_file(stat_path);
    std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
    auto close = stat.rfind(')');
    return std::istringstream(close == std::string::npos ? std::string() : stat.substr(close + 1));
}

} // namespace

long process_peak_rss_kib(pid_t pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    while (status >> key) {
        if (key == "VmHWM:") {
            long kib = 0;
            status >> kib;
            return kib;
        }
        status.ignore(1 << 12, '\n');
    }
    return 0;
}

double process_cpu_seconds(pid_t pid)
{
    // utime and stime are the 12th and 13th fields after comm, in clock ticks.
    auto fields = stat_fields("/proc/" + std::to_string(pid) + "/stat");
    std::string field;
    unsigned long long ticks = 0;
    for (int i = 1; i <= 13 && fields >> field; ++i) {
        if (i >= 12) ticks += std::stoull(field);
    }
    return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::vector<int> children_running(int parent, const std::string& exe)
{
    std::error_code ec;
    auto wanted = std::filesystem::canonical(exe, ec);
    std::vector<int> pids;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::error_code link_error;
        if (std::filesystem::read_symlink(entry.path() / "exe", link_error) != wanted || link_error) continue;
        auto fields = stat_fields(entry.path() / "stat");
        std::string state;
        int ppid = 0;
        if (fields >> state >> ppid && ppid == parent && state != "Z") pids.push_back(std::stoi(name));
    }
    return pids;
}

void ignore_sigpipe()
{
    static std::once_flag once;
    std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

std::string process_result::describe() const
{
    std::string text;
    if (error)
        text = "could not run: " + error.message();
    else if (timed_out)
        text = "killed after the time limit";
    else if (signal != 0)
        text = "killed by signal " + std::to_string(signal);
    else
        text = "exit status " + std::to_string(exit_code);
    if (!err.empty())
        text += "; stderr: " + err;
    return text;
}

process_result run_process(const std::vector<std::string>& argv, std::string_view input,
                           std::chrono::milliseconds limit)
{
    ignore_sigpipe();
    process_result result;
    if (argv.empty()) {
        result.error = std::make_error_code(std::errc::invalid_argument);
        return result;
    }
    pipe_pair in;
    pipe_pair out;
    pipe_pair err;
    if ((result.error = in.open()) || (result.error = out.open()) || (result.error = err.open()))
        return result;

    std::vector<char*> args;
    for (const std::string& arg : argv)
        args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);

    // The pipe ends are close-on-exec; dup2 onto 0..2 gives the child only its own three.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.read, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);
    // We ignore SIGPIPE; the child should get the default back.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    int spawned = ::posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (spawned != 0) {
        result.error = {spawned, std::system_category()};
        return result;
    }
    close_fd(in.read);
    close_fd(out.write);
    close_fd(err.write);
    ::fcntl(in.write, F_SETFL, O_NONBLOCK);
    if (input.empty())
        close_fd(in.write);

    auto deadline = std::chrono::steady_clock::now() + limit;
    std::size_t written = 0;
    while (out.read >= 0 || err.read >= 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            ::kill(pid, SIGKILL);
            break;
        }
        pollfd fds[3] = {{out.read, POLLIN, 0}, {err.read, POLLIN, 0}, {in.write, POLLOUT, 0}};
        int ready = ::poll(fds, 3, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (ready < 0 && errno != EINTR) {
            result.error = last_error();
            ::kill(pid, SIGKILL);
            break;
        }
        if (ready <= 0)
            continue;
        if (fds[0].revents && !drain(out.read, result.out))
            close_fd(out.read);
        if (fds[1].revents && !drain(err.read, result.err))
            close_fd(err.read);
        if (fds[2].revents & (POLLERR | POLLHUP)) {
            close_fd(in.write); // the child closed its stdin early; that is its business
        } else if (fds[2].revents & POLLOUT) {
            ssize_t put = ::write(in.write, input.data() + written, input.size() - written);
            if (put > 0)
                written += static_cast<std::size_t>(put);
            else if (errno != EAGAIN && errno != EINTR)
                close_fd(in.write);
            if (written == input.size())
                close_fd(in.write);
        }
    }
    close_fd(in.write);
    std::error_code watch_error = result.error;
    reap(pid, result);
    if (watch_error)
        result.error = watch_error;
    return result;
}

} // namespace kspout::testing
