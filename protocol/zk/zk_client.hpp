// A ZooKeeper client over the multi-threaded C client, with every callback posted to one Asio executor.
#pragma once

#include "protocol/log/logger.hpp"
#include "protocol/zk/zk_error.hpp"
#include "protocol/zk/zk_types.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace kspout::zk {

namespace detail {
class session;
}

using namespace std::chrono_literals;

struct client_options {
    // "host:port,host:port" with an optional chroot suffix ("127.0.0.1:2181/kafka"); every path
    // we take or give back is then relative to the chroot. The chroot node itself must exist.
    std::string connect_string = "127.0.0.1:2181";
    // Requested session timeout; the server clamps it to [2, 20] times its tickTime by default.
    std::chrono::milliseconds session_timeout = 6s;
    // How long closing waits for answers already on their way before it sends the close request;
    // the C client can lose the close behind unread answers, and the session then only expires.
    // Spent on a background thread, except by the destructor, which waits for that thread.
    std::chrono::milliseconds close_grace = 2s;
    // Sent on every session this client opens, before any request of ours; the C client sends it
    // again on each reconnection of that session. A server that refuses it ends the session
    // (session_state::auth_failed); the digest scheme takes any credentials, and a wrong password
    // shows only as errc::no_auth on nodes whose ACL names other credentials.
    std::optional<auth_data> auth;
    log::logger logger; // our own lines; see zk_log.hpp for the C library's
};

// Handlers run on the executor given at construction, never on the library's threads, so code
// using the client needs no locks when that executor is a single thread or a strand.
//
// Every handler is called exactly once, except watch handlers, which are called at most once:
// only when the call that set the watch succeeded (for exists: also when the node is missing),
// then with the event, or with errc::session_expired / auth_failed when the session ends first, or
// with errc::closing. After close() or reconnect(), handlers of the session that was replaced run
// only with errc::closing, and its state changes are not reported. Calls made before start() fail
// with errc::invalid_state, calls after close() with errc::closing.
//
// Destroying the client with operations in flight is safe: their handlers are still posted (with
// errc::closing unless the answer came first), and they must not assume the client still exists.
//
// Why the multi-threaded C client and not the single-threaded one driven by Asio
// (zookeeper_interest/zookeeper_process): that one would drop the operation registry's mutex
// and the closer threads, but it sends the session's pings only while our event loop turns and
// resolves server names on it. A spout's loop also writes to Storm's pipe and encodes emits; any
// stall there would then expire the session, rebalance the group and replay its tuples. With the
// library's own threads the session outlives a busy loop, which the session lease makes safe.
class client {
public:
    using executor_type = boost::asio::any_io_executor;

    client(executor_type executor, client_options options);
    ~client(); // closes, then waits for every handle being closed to be gone
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    // Creates the first session; the connection is made in the background and reported to
    // on_state (connected, disconnected, expired, auth_failed). Fails on a malformed connect
    // string or when called twice.
    std::error_code start(state_handler on_state);
    // Drops the current session and creates a new one; needed after expiry or failed
    // authentication, because the C client's handle is dead then. The old handle is closed on a
    // background thread, so this does not wait for the server.
    std::error_code reconnect();
    // Ends the session (its ephemeral nodes go at once) without waiting for the server. Final.
    void close();

    void create(std::string path, std::string data, create_options options, create_handler handler);
    void get(std::string path, get_handler handler, watch_handler watcher = {});
    void get_children(std::string path, children_handler handler, watch_handler watcher = {});
    void exists(std::string path, exists_handler handler, watch_handler watcher = {});
    // version -1 removes whatever the version; otherwise a mismatch gives errc::bad_version.
    void remove(std::string path, std::int32_t version, remove_handler handler);

    session_state state() const noexcept;
    // The current session's id and password, once it has connected.
    std::optional<session_credentials> credentials() const;
    // The timeout the server granted the current session, once connected; until then the one asked for.
    std::chrono::milliseconds session_timeout() const;
    const client_options& options() const noexcept { return options_; }
    executor_type get_executor() const noexcept { return executor_; }

private:
    struct closer {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };

    std::error_code open_session();
    std::error_code unavailable() const noexcept; // for calls made without a session
    void retire_session();

    executor_type executor_;
    client_options options_;
    state_handler on_state_;
    std::shared_ptr<detail::session> session_;
    bool started_ = false;
    bool closed_ = false;
    std::vector<closer> closers_;
};

} // namespace kspout::zk
