// Starts ZooKeeperServerMain from Debian's jars with a generated zoo.cfg; stops, restarts, expires sessions.
#include "tests/integration/zookeeper_server.hpp"

#include "tests/integration/child_jvm.hpp"

#include <zookeeper/zookeeper.h>

#include <array>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

// Safety nets against a hung JVM, not expectations: a start normally takes about a second.
constexpr auto start_limit = 60s;
constexpr auto stop_limit = 10s;
constexpr auto expire_limit = 30s;
constexpr int start_attempts = 3;

std::string errno_text(const std::string& what)
{
    return what + ": " + std::strerror(errno);
}

// The server jar; its manifest's Class-Path names the other jars it needs.
std::string find_server_jar()
{
    if (const char* configured = std::getenv("KSPOUT_ZOOKEEPER_JAR"))
        return configured;
    for (const char* candidate : {"/usr/share/java/zookeeper.jar", "/usr/share/zookeeper/zookeeper.jar"}) {
        if (::access(candidate, R_OK) == 0)
            return candidate;
    }
    throw zookeeper_error("zookeeper server: no zookeeper.jar found (install Debian's zookeeper package, "
                          "or set KSPOUT_ZOOKEEPER_JAR)");
}

// Sends a four-letter command and reads the answer until the server closes the connection.
std::string four_letter(std::uint16_t port, const char* command)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return {};
    timeval timeout{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    std::string answer;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::send(fd, command, std::strlen(command), MSG_NOSIGNAL) == static_cast<ssize_t>(std::strlen(command))) {
        char chunk[1024];
        ssize_t got = 0;
        while ((got = ::recv(fd, chunk, sizeof chunk, 0)) > 0)
            answer.append(chunk, static_cast<std::size_t>(got));
    }
    ::close(fd);
    return answer;
}

void write_file(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out)
        throw zookeeper_error("zookeeper server: cannot write " + path.string());
}

void quiet_log(const char*) {}

struct session_watch {
    std::mutex mutex;
    std::condition_variable changed;
    int state = 0;
};

void on_session_event(zhandle_t*, int type, int state, const char*, void* context)
{
    if (type != ZOO_SESSION_EVENT)
        return;
    auto* watch = static_cast<session_watch*>(context);
    std::lock_guard lock(watch->mutex);
    watch->state = state;
    watch->changed.notify_all();
}

} // namespace

zookeeper_server::zookeeper_server(zookeeper_server_options options) : options_(options)
{
    std::filesystem::create_directories(root_ / "data");
    for (int attempt = 1;; ++attempt) {
        port_ = free_loopback_port();
        connect_string_ = "127.0.0.1:" + std::to_string(port_);
        try {
            start();
            return;
        } catch (const zookeeper_error&) {
            // Another process may have taken the port between our probe and the server's bind.
            if (attempt == start_attempts)
                throw;
        }
    }
}

zookeeper_server::~zookeeper_server()
{
    stop();
}

void zookeeper_server::start()
{
    std::string java = find_java();
    if (java.empty())
        throw zookeeper_error("zookeeper server: no java on PATH");
    std::string jar = find_server_jar();
    std::filesystem::path config = root_ / "zoo.cfg";
    std::ostringstream cfg;
    cfg << "tickTime=" << options_.tick_time.count() << "\n"
        << "dataDir=" << (root_ / "data").string() << "\n"
        << "clientPort=" << port_ << "\n"
        << "clientPortAddress=127.0.0.1\n"
        << "maxClientCnxns=0\n"
        << "minSessionTimeout=" << 2 * options_.tick_time.count() << "\n"
        << "maxSessionTimeout=" << options_.max_session_timeout.count() << "\n"
        // Unknown keys become zookeeper.* system properties.
        << "admin.enableServer=false\n"
        << "4lw.commands.whitelist=srvr,ruok,stat,cons\n"
        << "forceSync=no\n";
    write_file(config, cfg.str());

    std::vector<std::string> args = {
        java,
        "-Xmx" + options_.max_heap,
        "-Xss512k",
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        "-XX:-UsePerfData",
        "-Xshare:auto",
        "-Djava.net.preferIPv4Stack=true",
        "-Dzookeeper.admin.enableServer=false",
        "-Dzookeeper.jmx.log4j.disable=true",
        "-Dzookeeper.snapshot.trust.empty=true",
        "-cp",
        jar,
        "org.apache.zookeeper.server.ZooKeeperServerMain",
        config.string(),
    };
    auto spawned_at = std::chrono::steady_clock::now();
    pid_ = spawn_logged(args, root_ / "server.log");

    auto deadline = spawned_at + start_limit;
    for (;;) {
        if (child_exited(pid_)) {
            pid_ = -1;
            throw zookeeper_error("zookeeper server on port " + std::to_string(port_) +
                                  " exited during start; its output:\n" + log());
        }
        if (four_letter(port_, "srvr").starts_with("Zookeeper version"))
            break;
        if (std::chrono::steady_clock::now() >= deadline) {
            stop();
            throw zookeeper_error("zookeeper server on port " + std::to_string(port_) +
                                  " did not answer within the time limit; its output:\n" + log());
        }
        std::this_thread::sleep_for(20ms);
    }
    last_start_time_ =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - spawned_at);
}

void zookeeper_server::stop()
{
    if (pid_ <= 0)
        return;
    stop_child(pid_, stop_limit);
    pid_ = -1;
}

void zookeeper_server::restart()
{
    stop();
    for (int attempt = 1;; ++attempt) {
        try {
            start();
            return;
        } catch (const zookeeper_error&) {
            if (attempt == start_attempts)
                throw;
        }
    }
}

std::string zookeeper_server::log() const
{
    std::ifstream in(root_ / "server.log");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void expire_session(const std::string& connect_string, std::int64_t session_id, std::string_view password)
{
    clientid_t credentials{};
    credentials.client_id = session_id;
    std::memcpy(credentials.passwd, password.data(), std::min(password.size(), sizeof credentials.passwd));

    // The first handle reconnects within milliseconds and takes the session back, and a close
    // only ends the session if it reaches the server while this handle holds it. So: take over,
    // close, and repeat until a handle with these credentials is told the session has expired.
    auto deadline = std::chrono::steady_clock::now() + expire_limit;
    while (std::chrono::steady_clock::now() < deadline) {
        session_watch watch;
        zhandle_t* zh = zookeeper_init2(connect_string.c_str(), on_session_event, 10000, &credentials, &watch,
                                        ZOO_NO_LOG_CLIENTENV, quiet_log);
        if (zh == nullptr)
            throw zookeeper_error(errno_text("expire_session: zookeeper_init2"));
        int seen = 0;
        {
            std::unique_lock lock(watch.mutex);
            watch.changed.wait_for(lock, 10s, [&] {
                return watch.state == ZOO_CONNECTED_STATE || watch.state == ZOO_EXPIRED_SESSION_STATE;
            });
            seen = watch.state;
        }
        zookeeper_close(zh);
        if (seen == ZOO_EXPIRED_SESSION_STATE)
            return;
    }
    throw zookeeper_error("expire_session: the session was still alive after the time limit");
}

} // namespace kspout::testing
