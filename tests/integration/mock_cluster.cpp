// Starts kspout-mock-cluster with pipes on stdin/stdout, sends it commands and stops it again.
#include "tests/integration/mock_cluster.hpp"

#include "tests/integration/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace kspout::testing {
namespace {

// Safety nets against a hung launcher, not expectations: every reply normally takes microseconds.
constexpr auto reply_limit = std::chrono::seconds(30);
constexpr auto exit_limit = std::chrono::seconds(10);

std::string errno_text(const char* what)
{
    return std::string(what) + ": " + std::strerror(errno);
}

void close_fd(int& fd)
{
    if (fd >= 0)
        ::close(fd);
    fd = -1;
}

// Arguments go to a line-based protocol: a space or newline inside one would split or add a command.
std::string checked_word(std::string_view word)
{
    if (word.empty() || word.find_first_of(" \t\r\n") != std::string_view::npos)
        throw mock_cluster_error("mock cluster: bad argument '" + std::string(word) + "'");
    return std::string(word);
}

std::string number(long long value)
{
    return std::to_string(value);
}

std::string key_number(wire::api_key key)
{
    return number(static_cast<std::int16_t>(key));
}

} // namespace

mock_cluster::mock_cluster(int brokers)
{
    ignore_sigpipe();
    int to_child[2];
    int from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0)
        throw mock_cluster_error(errno_text("mock cluster: pipe"));
    if (::pipe2(from_child, O_CLOEXEC) != 0) {
        ::close(to_child[0]);
        ::close(to_child[1]);
        throw mock_cluster_error(errno_text("mock cluster: pipe"));
    }

    std::string program = KSPOUT_MOCK_CLUSTER_BIN;
    std::string count = number(brokers);
    char* args[] = {program.data(), const_cast<char*>("--brokers"), count.data(), nullptr};
    // stderr stays the test's own, so the launcher's complaints show up in the test log.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
    int spawned = ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, args, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(to_child[0]);
    ::close(from_child[1]);
    to_child_ = to_child[1];
    from_child_ = from_child[0];
    if (spawned != 0) {
        pid_ = -1;
        close_fd(to_child_);
        close_fd(from_child_);
        throw mock_cluster_error("mock cluster: cannot start " + program + ": " +
                                 std::strerror(spawned));
    }

    try {
        std::string line = read_line();
        constexpr std::string_view prefix = "bootstrap ";
        if (!line.starts_with(prefix))
            throw mock_cluster_error("mock cluster: expected a bootstrap line, got '" + line + "'");
        bootstrap_ = line.substr(prefix.size());
        for (std::size_t start = 0; start <= bootstrap_.size();) {
            std::size_t comma = bootstrap_.find(',', start);
            if (comma == std::string::npos)
                comma = bootstrap_.size();
            addresses_.push_back(bootstrap_.substr(start, comma - start));
            start = comma + 1;
        }
        if (broker_count() != brokers)
            throw mock_cluster_error("mock cluster: asked for " + count + " brokers, got '" +
                                     bootstrap_ + "'");
    } catch (...) {
        stop();
        throw;
    }
}

mock_cluster::~mock_cluster()
{
    stop();
}

const std::string& mock_cluster::broker_address(int id) const
{
    if (id < 1 || id > broker_count())
        throw mock_cluster_error("mock cluster: no broker " + number(id));
    return addresses_[static_cast<std::size_t>(id - 1)];
}

std::uint16_t mock_cluster::broker_port(int id) const
{
    const std::string& address = broker_address(id);
    return static_cast<std::uint16_t>(std::stoul(address.substr(address.rfind(':') + 1)));
}

std::string mock_cluster::read_line()
{
    auto deadline = std::chrono::steady_clock::now() + reply_limit;
    for (;;) {
        std::size_t newline = pending_.find('\n');
        if (newline != std::string::npos) {
            std::string line = pending_.substr(0, newline);
            pending_.erase(0, newline + 1);
            return line;
        }
        if (from_child_ < 0)
            throw mock_cluster_error("mock cluster: not running");
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            throw mock_cluster_error("mock cluster: no answer within the time limit");
        pollfd fd{from_child_, POLLIN, 0};
        int ready = ::poll(&fd, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno != EINTR)
            throw mock_cluster_error(errno_text("mock cluster: poll"));
        if (ready <= 0)
            continue;
        char chunk[4096];
        ssize_t got = ::read(from_child_, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            throw mock_cluster_error("mock cluster: the launcher exited");
        pending_.append(chunk, static_cast<std::size_t>(got));
    }
}

void mock_cluster::write_line(std::string_view line)
{
    std::string text(line);
    text += '\n';
    std::size_t written = 0;
    while (written < text.size()) {
        if (to_child_ < 0)
            throw mock_cluster_error("mock cluster: not running");
        ssize_t put = ::write(to_child_, text.data() + written, text.size() - written);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            throw mock_cluster_error(errno_text("mock cluster: write"));
        written += static_cast<std::size_t>(put);
    }
}

bool mock_cluster::try_command(std::string_view line, std::string* reason)
{
    if (line.find_first_of("\r\n") != std::string_view::npos)
        throw mock_cluster_error("mock cluster: a command is one line");
    write_line(line);
    std::string reply = read_line();
    if (reply == "ok")
        return true;
    constexpr std::string_view prefix = "error ";
    if (!reply.starts_with(prefix))
        throw mock_cluster_error("mock cluster: unexpected reply '" + reply + "' to '" +
                                 std::string(line) + "'");
    if (reason)
        *reason = reply.substr(prefix.size());
    return false;
}

void mock_cluster::command(std::string_view line)
{
    std::string reason;
    if (!try_command(line, &reason))
        throw mock_cluster_error("mock cluster refused '" + std::string(line) + "': " + reason);
}

void mock_cluster::create_topic(std::string_view name, int partitions, int replication_factor)
{
    std::string line = "topic " + checked_word(name) + " " + number(partitions);
    if (replication_factor > 0)
        line += " " + number(replication_factor);
    command(line);
}

void mock_cluster::broker_down(int id)
{
    command("down " + number(id));
}

void mock_cluster::broker_up(int id)
{
    command("up " + number(id));
}

void mock_cluster::set_rtt(int id, std::chrono::milliseconds rtt)
{
    command("rtt " + number(id) + " " + number(rtt.count()));
}

void mock_cluster::set_leader(std::string_view topic, int partition, int broker_id)
{
    command("leader " + checked_word(topic) + " " + number(partition) + " " + number(broker_id));
}

void mock_cluster::set_follower(std::string_view topic, int partition, int broker_id)
{
    command("follower " + checked_word(topic) + " " + number(partition) + " " + number(broker_id));
}

void mock_cluster::push_errors(wire::api_key key, int error_code, int count)
{
    command("err " + key_number(key) + " " + number(error_code) + " " + number(count));
}

void mock_cluster::push_broker_error(int broker_id, wire::api_key key, int error_code,
                                     std::chrono::milliseconds delay)
{
    command("broker_err " + number(broker_id) + " " + key_number(key) + " " + number(error_code) +
            " " + number(delay.count()));
}

void mock_cluster::set_topic_error(std::string_view topic, int error_code)
{
    command("topicerr " + checked_word(topic) + " " + number(error_code));
}

void mock_cluster::set_api_versions(wire::api_key key, int min_version, int max_version)
{
    command("apiver " + key_number(key) + " " + number(min_version) + " " + number(max_version));
}

void mock_cluster::set_group_coordinator(std::string_view group, int broker_id)
{
    command("coordinator group " + checked_word(group) + " " + number(broker_id));
}

void mock_cluster::stop()
{
    if (pid_ < 0)
        return;
    if (to_child_ >= 0) {
        try {
            // The reply tells us the launcher got as far as tearing the cluster down.
            if (!try_command("quit"))
                close_fd(to_child_);
        } catch (const mock_cluster_error&) {
            // Already gone or hung: closing stdin and the wait below deal with both.
        }
    }
    close_fd(to_child_);
    close_fd(from_child_);

    auto deadline = std::chrono::steady_clock::now() + exit_limit;
    int status = 0;
    for (;;) {
        pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_ || (done < 0 && errno != EINTR))
            break;
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(pid_, SIGKILL);
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    exit_status_ = status;
    pid_ = -1;
}

} // namespace kspout::testing
