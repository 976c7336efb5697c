// Spawns and stops server child processes (JVMs) for the fixtures, with their output in a log file.
#include "tests/integration/child_jvm.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <system_error>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kspout::testing {
namespace {

std::system_error errno_error(const std::string& what)
{
    return {errno, std::system_category(), what};
}

} // namespace

std::string find_java()
{
    if (const char* home = std::getenv("JAVA_HOME")) {
        std::string java = std::string(home) + "/bin/java";
        if (::access(java.c_str(), X_OK) == 0)
            return java;
    }
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        std::size_t colon = dirs.find(':', start);
        if (colon == std::string::npos)
            colon = dirs.size();
        std::string java = dirs.substr(start, colon - start) + "/java";
        if (::access(java.c_str(), X_OK) == 0)
            return java;
        start = colon + 1;
    }
    return {};
}

std::uint16_t free_loopback_port()
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw errno_error("socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        auto error = errno_error("bind to a free loopback port");
        ::close(fd);
        throw error;
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

pid_t spawn_logged(const std::vector<std::string>& args, const std::filesystem::path& log)
{
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (std::string& arg : copy)
        argv.push_back(arg.data());
    argv.push_back(nullptr);

    int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0)
        throw errno_error("open " + log.string());
    int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t parent = ::getpid();
    // fork rather than posix_spawn, for PR_SET_PDEATHSIG.
    pid_t pid = ::fork();
    if (pid < 0) {
        auto error = errno_error("fork");
        ::close(log_fd);
        if (null_fd >= 0)
            ::close(null_fd);
        throw error;
    }
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(127);
        if (null_fd >= 0)
            ::dup2(null_fd, STDIN_FILENO);
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(log_fd);
    if (null_fd >= 0)
        ::close(null_fd);
    return pid;
}

bool child_exited(pid_t pid, int* status)
{
    int local = 0;
    pid_t done = ::waitpid(pid, &local, WNOHANG);
    if (done == pid && status != nullptr)
        *status = local;
    return done == pid || (done < 0 && errno == ECHILD);
}

bool reap_within(pid_t pid, std::chrono::milliseconds limit)
{
    using namespace std::chrono_literals;
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        if (child_exited(pid))
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(10ms);
    }
}

void stop_child(pid_t pid, std::chrono::milliseconds limit)
{
    if (pid <= 0)
        return;
    ::kill(pid, SIGTERM);
    if (!reap_within(pid, limit)) {
        ::kill(pid, SIGKILL);
        reap_within(pid, limit);
    }
}

} // namespace kspout::testing
