// Starts topology-examples' LocalRun with pipes on stdin and stdout, sends it commands and reads its answers.
#include "tests/integration/storm_local_cluster.hpp"

#include "tests/integration/child_jvm.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kspout::testing {
namespace {

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string classpath()
{
    std::string dependencies = read_file(KSPOUT_TOPOLOGY_CLASSPATH);
    while (!dependencies.empty() && (dependencies.back() == '\n' || dependencies.back() == '\r')) dependencies.pop_back();
    if (dependencies.empty())
        throw storm_error(std::string("no Storm classpath in ") + KSPOUT_TOPOLOGY_CLASSPATH +
                          ": build the topology jar (scripts/install-deps.sh fetches Storm)");
    return std::string(KSPOUT_TOPOLOGY_JAR) + ":" + dependencies;
}

// A ZooKeeper root of its own for every cluster this process starts (see LocalRun.java).
std::string zookeeper_root()
{
    static int started = 0;
    return "/storm-" + std::to_string(::getpid()) + "-" + std::to_string(++started);
}

} // namespace

storm_local_cluster::storm_local_cluster(const std::string& zookeeper_connect)
{
    std::string java = find_java();
    if (java.empty()) throw storm_error("no java on PATH or in JAVA_HOME");
    std::filesystem::create_directories(tmp_dir());
    std::vector<std::string> args{java,
                                  "-Xmx512m",
                                  "-XX:+UseSerialGC",
                                  "-XX:TieredStopAtLevel=1",
                                  "-Djava.io.tmpdir=" + tmp_dir().string(),
                                  "-Dlog4j2.configurationFile=" KSPOUT_STORM_LOG4J2,
                                  "-cp",
                                  classpath(),
                                  "example.LocalRun",
                                  zookeeper_connect,
                                  zookeeper_root()};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    int in_pipe[2];
    int out_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0)
        throw storm_error(std::string("pipe: ") + std::strerror(errno));
    auto log_path = root_ / "storm.log";
    int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw storm_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL); // a crashed test leaves no cluster behind
        if (::getppid() != parent) ::_exit(127);
        ::dup2(in_pipe[0], STDIN_FILENO);
        ::dup2(out_pipe[1], STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    ::close(log_fd);
    to_jvm_ = in_pipe[1];
    from_jvm_ = out_pipe[0];
    std::string first = read_line(std::chrono::seconds(120));
    if (first != "ready") {
        stop();
        throw storm_error("LocalCluster did not start (said \"" + first + "\"):\n" + log());
    }
}

storm_local_cluster::~storm_local_cluster()
{
    stop();
}

void storm_local_cluster::submit(const std::string& name, const std::map<std::string, std::string>& options)
{
    submit_java("submit", name, options);
}

void storm_local_cluster::submit_wordcount(const std::string& name, const std::map<std::string, std::string>& options)
{
    submit_java("wordcount", name, options);
}

void storm_local_cluster::submit_java(const std::string& verb, const std::string& name,
                                      const std::map<std::string, std::string>& options)
{
    std::string line = verb + " " + name;
    for (const auto& [key, value] : options) line += " " + key + "=" + value;
    command(line, "submitted " + name, std::chrono::seconds(60));
}

void storm_local_cluster::flux(const std::string& name, const std::filesystem::path& file,
                               const std::map<std::string, std::string>& properties,
                               const std::map<std::string, std::string>& overrides)
{
    std::string line = "flux " + name + " " + file.string();
    for (const auto& [key, value] : properties) line += " " + key + "=" + value;
    if (!overrides.empty()) line += " --set";
    for (const auto& [key, value] : overrides) line += " " + key + "=" + value;
    command(line, "submitted " + name, std::chrono::seconds(60));
}

std::map<std::string, std::map<std::string, std::int64_t>> storm_local_cluster::counts(const std::string& name)
{
    std::string line = "counts " + name + "\n";
    if (::write(to_jvm_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        throw storm_error("LocalCluster no longer reads commands (counts):\n" + log());
    std::string answer = read_line(std::chrono::seconds(30));
    if (answer.rfind("counts", 0) != 0) throw storm_error("LocalCluster answered \"" + answer + "\" to counts");
    // "counts COMPONENT:key=N,key=N COMPONENT:..."
    std::map<std::string, std::map<std::string, std::int64_t>> result;
    std::istringstream words(answer.substr(6));
    for (std::string word; words >> word;) {
        auto colon = word.find(':');
        auto& component = result[word.substr(0, colon)];
        std::istringstream pairs(word.substr(colon + 1));
        for (std::string pair; std::getline(pairs, pair, ',');) {
            auto eq = pair.find('=');
            component[pair.substr(0, eq)] = std::stoll(pair.substr(eq + 1));
        }
    }
    return result;
}

void storm_local_cluster::kill(const std::string& name)
{
    command("kill " + name, "killed " + name, std::chrono::seconds(120));
}

std::string storm_local_cluster::command(const std::string& line, const std::string& expected,
                                         std::chrono::seconds limit)
{
    std::string text = line + "\n";
    if (::write(to_jvm_, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        throw storm_error("LocalCluster no longer reads commands (" + line + "):\n" + log());
    std::string answer = read_line(limit);
    if (answer != expected) throw storm_error("LocalCluster answered \"" + answer + "\" to " + line + ":\n" + log());
    return answer;
}

std::string storm_local_cluster::read_line(std::chrono::seconds limit)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        if (auto end = pending_.find('\n'); end != std::string::npos) {
            std::string line = pending_.substr(0, end);
            pending_.erase(0, end + 1);
            return line;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw storm_error("LocalCluster gave no answer in time:\n" + log());
        pollfd fd{from_jvm_, POLLIN, 0};
        if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
        char buffer[4096];
        ssize_t n = ::read(from_jvm_, buffer, sizeof buffer);
        if (n <= 0) throw storm_error("LocalCluster's JVM ended:\n" + log());
        pending_.append(buffer, static_cast<std::size_t>(n));
    }
}

std::optional<int> storm_local_cluster::exit_status()
{
    if (!status_ && pid_ > 0) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
    }
    return status_;
}

int storm_local_cluster::stop()
{
    if (to_jvm_ >= 0) {
        ::close(to_jvm_);
        to_jvm_ = -1;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!exit_status() && pid_ > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50)); // polling for the exit
    if (!status_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        status_ = status;
    }
    if (from_jvm_ >= 0) {
        ::close(from_jvm_);
        from_jvm_ = -1;
    }
    return status_.value_or(0);
}

std::string storm_local_cluster::log() const
{
    std::string text = read_file(root_ / "storm.log");
    constexpr std::size_t tail = 20000;
    return text.size() > tail ? "...\n" + text.substr(text.size() - tail) : text;
}

std::vector<pid_t> shell_subprocess_pids(const std::filesystem::path& storm_tmp)
{
    std::vector<pid_t> pids;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(storm_tmp, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const auto& path = it->path();
        std::string name = path.filename().string();
        if (path.parent_path().filename() == "pids" && !name.empty() &&
            std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
            pids.push_back(static_cast<pid_t>(std::stol(name)));
    }
    std::sort(pids.begin(), pids.end());
    return pids;
}

} // namespace kspout::testing
