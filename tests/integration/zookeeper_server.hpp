// Test fixture: a private ZooKeeper server (Debian's zookeeper package) on a free loopback port.
#pragma once

#include "tests/integration/temp_dir.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace kspout::testing {

// The server could not be started, did not answer, or the Java runtime or jars are missing.
class zookeeper_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct zookeeper_server_options {
    // Small, so that short session timeouts are allowed: the server accepts [2, 20] tickTimes by
    // default; max_session_timeout widens the upper end.
    std::chrono::milliseconds tick_time{200};
    std::chrono::milliseconds max_session_timeout{60000};
    std::string max_heap = "128m"; // -Xmx; the rebalance bench's 64 members need more
};

// ZooKeeperServerMain in a JVM of its own, with its data in a private temporary directory that
// survives stop() and restart() (so do the sessions it holds) and is removed with the fixture.
// Each test may start its own; nothing is shared between them.
class zookeeper_server {
public:
    explicit zookeeper_server(zookeeper_server_options options = {}); // throws zookeeper_error
    ~zookeeper_server(); // SIGTERM, then SIGKILL after a bounded wait
    zookeeper_server(const zookeeper_server&) = delete;
    zookeeper_server& operator=(const zookeeper_server&) = delete;

    // "127.0.0.1:<port>", and the same with a chroot suffix ("/kafka").
    const std::string& connect_string() const { return connect_string_; }
    std::string connect_string(std::string_view chroot) const { return connect_string_ + std::string(chroot); }
    std::uint16_t port() const { return port_; }

    // Stops the server and keeps its data; idempotent.
    void stop();
    // Starts it again on the same port with the same data; clients of the old run reconnect to it.
    void restart(); // throws zookeeper_error
    bool running() const { return pid_ > 0; }

    // From spawning the JVM to the first answer to "srvr", for the last start.
    std::chrono::milliseconds last_start_time() const { return last_start_time_; }
    // What the server printed (stdout and stderr), for failure messages.
    std::string log() const;

private:
    void start();

    zookeeper_server_options options_;
    temp_dir root_;
    std::uint16_t port_ = 0;
    std::string connect_string_;
    pid_t pid_ = -1;
    std::chrono::milliseconds last_start_time_{0};
};

// Makes the server expire a live session from outside: a second handle takes the session over
// with its id and password and closes it, which ends the session; the first handle is told
// "expired" when it next reaches the server. Retries until a handle with those credentials is
// refused as expired. Throws zookeeper_error when that does not happen within a generous limit.
void expire_session(const std::string& connect_string, std::int64_t session_id, std::string_view password);

} // namespace kspout::testing
