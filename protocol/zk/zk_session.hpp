// One ZooKeeper C-client handle and what its callbacks touch; the machinery under zk::client.
#pragma once

#include "protocol/log/logger.hpp"
#include "protocol/zk/zk_error.hpp"
#include "protocol/zk/zk_types.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

struct _zhandle; // zhandle_t of <zookeeper/zookeeper.h>, kept out of our headers

namespace kspout::zk::detail {

struct op_base;
struct watch;

// The C client calls back on its own completion thread. Every callback finds its session through
// a raw pointer, so a session stays alive (shared_ptr held by the client or by the thread closing
// it) until zookeeper_close has returned; after that the library calls nothing. Results are posted
// to the executor, where handlers of a closed session get errc::closing instead.
//
// Each operation and each watch is an object owned by this session's registry until the library
// is done with it: an operation until its completion ran, a watch until its event fired or its
// registration failed. What the library never released is released, and its handler answered
// with errc::closing, once zookeeper_close has returned.
class session : public std::enable_shared_from_this<session> {
public:
    session(boost::asio::any_io_executor executor, log::logger logger, state_handler on_state,
            std::chrono::milliseconds close_grace);
    ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    // Creates the handle and adds the credentials, if any; the connection is made in the background.
    std::error_code open(const std::string& connect_string, std::chrono::milliseconds session_timeout,
                         const std::optional<auth_data>& auth);

    void create(std::string path, std::string data, create_options options, create_handler handler);
    void get(std::string path, get_handler handler, watch_handler watcher);
    void get_children(std::string path, children_handler handler, watch_handler watcher);
    void exists(std::string path, exists_handler handler, watch_handler watcher);
    void remove(std::string path, std::int32_t version, remove_handler handler);

    // From here on no handler runs except with an error, and no state change is reported.
    void mark_closed() noexcept { closed_ = true; }
    bool closed() const noexcept { return closed_; }
    // Waits up to close_grace for answers already on their way, then zookeeper_close, then the
    // sweep of what the library left. Blocks, and must not run on a library thread.
    void close_handle();

    // Executor side: the last state reported, and the session's credentials once connected.
    session_state state() const noexcept { return state_; }
    const std::optional<session_credentials>& credentials() const noexcept { return credentials_; }
    // The session timeout the server granted (it clamps what was asked for); zero before that.
    std::chrono::milliseconds negotiated_timeout() const noexcept { return negotiated_timeout_; }

    // Library side, public for the C callbacks in the .cpp file.
    template <typename Op, typename... Results>
    void complete(Op* op, int rc, Results... results);
    void watch_fired(watch* w, int type, int state, const char* path);
    void session_event(int state, std::optional<session_credentials> credentials,
                       std::chrono::milliseconds negotiated_timeout);
    void auth_answered(int rc);

private:
    struct make_path;

    template <typename Op, typename Start>
    void submit(std::unique_ptr<Op> op, watch_handler watcher, bool (*watch_set)(int), Start start);
    void create_once(std::string path, std::string data, create_mode mode, acl_policy acl, create_handler handler);
    void create_with_parents(std::shared_ptr<make_path> m);
    void create_parents(std::string path, std::size_t from, acl_policy acl, remove_handler done);
    void apply_state(session_state next, std::optional<session_credentials> credentials);

    boost::asio::any_io_executor executor_;
    // Tracks outstanding work from open() until close_handle() has posted its last handler, so the
    // executor's run() does not return while answers may still come from the library's threads.
    boost::asio::any_io_executor work_;
    log::logger logger_;
    state_handler on_state_;
    std::chrono::milliseconds close_grace_;
    std::string auth_scheme_; // for the log; the credentials are not kept here
    _zhandle* handle_ = nullptr;
    bool handle_closed_ = false; // touched by whichever single thread closes
    std::atomic<bool> closed_{false};

    std::mutex mutex_; // guards the registry: the library's threads and ours both touch it
    std::map<op_base*, std::unique_ptr<op_base>> ops_;
    std::map<watch*, std::unique_ptr<watch>> watches_;
    std::condition_variable answered_; // an operation left the registry

    // Executor side only.
    session_state state_ = session_state::connecting;
    std::optional<session_credentials> credentials_;
    std::chrono::milliseconds negotiated_timeout_{0};
};

} // namespace kspout::zk::detail
