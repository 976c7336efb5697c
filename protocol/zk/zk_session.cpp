// detail::session: requests into the C client, its callbacks posted back, and the sweep after close.
#include "protocol/zk/zk_session.hpp"

#include "protocol/zk/zk_log.hpp"

#include <zookeeper/zookeeper.h>

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <utility>
#include <vector>

namespace kspout::zk::detail {

struct op_base {
    virtual ~op_base() = default;
    // Takes the handler out, as a call that gives it an error and empty results.
    virtual std::function<void(std::error_code)> take_failure() = 0;

    session* owner = nullptr;
    watch* w = nullptr;                  // the watch this operation asked for, if any
    bool (*watch_set)(int rc) = nullptr; // did the library register w, given the result code
    bool answered = false;               // the library refused the call and the error was delivered
};

template <typename Signature>
struct op;

template <typename... Results>
struct op<void(std::error_code, Results...)> final : op_base {
    std::function<void(std::error_code, Results...)> handler;

    explicit op(std::function<void(std::error_code, Results...)> h) : handler(std::move(h)) {}

    std::function<void(std::error_code)> take_failure() override
    {
        return [h = std::move(handler)](std::error_code ec) {
            if (h)
                h(ec, Results{}...);
        };
    }
};

struct watch {
    session* owner = nullptr;
    watch_handler handler;
    bool done = false; // handler called or dropped; the library may still hold the pointer
};

namespace {

using create_op = op<void(std::error_code, std::string)>;
using get_op = op<void(std::error_code, std::string, stat)>;
using children_op = op<void(std::error_code, std::vector<std::string>, stat)>;
using exists_op = op<void(std::error_code, std::optional<stat>)>;
using remove_op = op<void(std::error_code)>;

constexpr int max_create_attempts = 3; // a parent deleted under us again and again: give up
// How long the library may go without looking the connect string up again while connected.
constexpr std::chrono::milliseconds resolution_window{30000};

// When the library keeps a watch, mirroring its result checkers: get and get_children watches
// only on success, exists watches also on a missing node.
bool set_on_success(int rc)
{
    return rc == ZOK;
}

bool set_on_success_or_no_node(int rc)
{
    return rc == ZOK || rc == ZNONODE;
}

stat to_stat(const Stat* s)
{
    stat out;
    if (s == nullptr)
        return out;
    out.czxid = s->czxid;
    out.mzxid = s->mzxid;
    out.ctime = s->ctime;
    out.mtime = s->mtime;
    out.version = s->version;
    out.cversion = s->cversion;
    out.aversion = s->aversion;
    out.ephemeral_owner = s->ephemeralOwner;
    out.data_length = s->dataLength;
    out.num_children = s->numChildren;
    out.pzxid = s->pzxid;
    return out;
}

template <typename Op>
Op* op_from(const void* data)
{
    return static_cast<Op*>(const_cast<void*>(data));
}

void on_created(int rc, const char* value, const void* data)
{
    auto* o = op_from<create_op>(data);
    o->owner->complete(o, rc, std::string(rc == ZOK && value != nullptr ? value : ""));
}

void on_data(int rc, const char* value, int value_len, const Stat* s, const void* data)
{
    auto* o = op_from<get_op>(data);
    std::string bytes;
    if (rc == ZOK && value != nullptr && value_len > 0)
        bytes.assign(value, static_cast<std::size_t>(value_len));
    o->owner->complete(o, rc, std::move(bytes), rc == ZOK ? to_stat(s) : stat{});
}

void on_children(int rc, const String_vector* strings, const Stat* s, const void* data)
{
    auto* o = op_from<children_op>(data);
    std::vector<std::string> children;
    if (rc == ZOK && strings != nullptr && strings->count > 0) {
        children.reserve(static_cast<std::size_t>(strings->count));
        for (std::int32_t i = 0; i < strings->count; ++i)
            children.emplace_back(strings->data[i] != nullptr ? strings->data[i] : "");
    }
    o->owner->complete(o, rc, std::move(children), rc == ZOK ? to_stat(s) : stat{});
}

void on_exists(int rc, const Stat* s, const void* data)
{
    auto* o = op_from<exists_op>(data);
    std::optional<stat> result;
    if (rc == ZOK)
        result = to_stat(s);
    if (rc == ZNONODE)
        rc = ZOK; // a missing node is an answer here, not an error
    o->owner->complete(o, rc, std::move(result));
}

void on_removed(int rc, const void* data)
{
    auto* o = op_from<remove_op>(data);
    o->owner->complete(o, rc);
}

void on_watch(zhandle_t*, int type, int state, const char* path, void* context)
{
    auto* w = static_cast<watch*>(context);
    w->owner->watch_fired(w, type, state, path);
}

void on_session(zhandle_t* zh, int type, int state, const char*, void* context)
{
    if (type != ZOO_SESSION_EVENT)
        return;
    std::optional<session_credentials> credentials;
    std::chrono::milliseconds timeout{0};
    if (state == ZOO_CONNECTED_STATE || state == ZOO_READONLY_STATE) {
        if (const clientid_t* id = zoo_client_id(zh))
            credentials = session_credentials{id->client_id, std::string(id->passwd, sizeof id->passwd)};
        timeout = std::chrono::milliseconds(zoo_recv_timeout(zh));
    }
    static_cast<session*>(context)->session_event(state, std::move(credentials), timeout);
}

void on_auth(int rc, const void* context)
{
    static_cast<session*>(const_cast<void*>(context))->auth_answered(rc);
}

event_type to_event_type(int type)
{
    if (type == ZOO_CREATED_EVENT)
        return event_type::created;
    if (type == ZOO_DELETED_EVENT)
        return event_type::deleted;
    if (type == ZOO_CHILD_EVENT)
        return event_type::child;
    return event_type::changed;
}

std::string session_hex(std::int64_t id)
{
    char text[24];
    std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(id));
    return text;
}

} // namespace

session::session(boost::asio::any_io_executor executor, log::logger logger, state_handler on_state,
                 std::chrono::milliseconds close_grace)
    : executor_(std::move(executor)), logger_(std::move(logger)), on_state_(std::move(on_state)),
      close_grace_(close_grace)
{
}

session::~session()
{
    // Normally the client's closing thread has closed the handle; this is the fallback for a
    // session whose handle was never handed over. It never runs on a library thread: those only
    // hold the session while the client or the closing thread does too.
    if (handle_ != nullptr && !handle_closed_)
        zookeeper_close(handle_);
}

std::error_code session::open(const std::string& connect_string, std::chrono::milliseconds session_timeout,
                              const std::optional<auth_data>& auth)
{
    auto timeout = std::clamp<long long>(session_timeout.count(), 1, INT_MAX);
    errno = 0;
    handle_ = zookeeper_init2(connect_string.c_str(), on_session, static_cast<int>(timeout), nullptr, this,
                              ZOO_NO_LOG_CLIENTENV, route_library_line);
    if (handle_ == nullptr)
        return errno != 0 ? std::error_code(errno, std::system_category()) : make_error_code(errc::bad_arguments);
    work_ = boost::asio::prefer(executor_, boost::asio::execution::outstanding_work.tracked);
    // Left at its default, the library resolves the connect string on every socket check: a
    // getaddrinfo (netlink socket, /etc/hosts, resolv.conf) per ping and per answer, hundreds per
    // second in a process holding many members. Changes in DNS are still seen within the window,
    // and on every reconnection.
    zoo_set_servers_resolution_delay(handle_, static_cast<int>(resolution_window.count()));
    if (auth) {
        // Before the first request: the library keeps the credentials and sends them ahead of
        // anything queued, on this connection and on each reconnection of the session.
        auth_scheme_ = auth->scheme;
        if (auth->credentials.size() > static_cast<std::size_t>(INT_MAX))
            return make_error_code(errc::bad_arguments);
        int rc = zoo_add_auth(handle_, auth->scheme.c_str(), auth->credentials.data(),
                              static_cast<int>(auth->credentials.size()), on_auth, this);
        if (rc != ZOK)
            return error_from_rc(rc);
    }
    return {};
}

template <typename Op, typename Start>
void session::submit(std::unique_ptr<Op> o, watch_handler watcher, bool (*watch_set)(int), Start start)
{
    if (closed_ || handle_ == nullptr) {
        boost::asio::post(executor_, [fail = o->take_failure()] { fail(make_error_code(errc::closing)); });
        return;
    }
    o->owner = this;
    Op* raw = o.get();
    watch* w = nullptr;
    {
        std::lock_guard lock(mutex_);
        if (watcher) {
            auto owned = std::make_unique<watch>();
            owned->owner = this;
            owned->handler = std::move(watcher);
            w = owned.get();
            watches_.emplace(w, std::move(owned));
            raw->w = w;
            raw->watch_set = watch_set;
        }
        ops_.emplace(raw, std::move(o));
    }
    // From here the completion may run at any time, even before start returns.
    int rc = start(raw, w);
    if (rc == ZOK)
        return;
    std::function<void(std::error_code)> fail;
    {
        std::lock_guard lock(mutex_);
        if (ops_.find(raw) == ops_.end())
            return; // its completion has run after all
        raw->answered = true;
        fail = raw->take_failure();
        if (w != nullptr) {
            w->done = true;
            w->handler = nullptr;
        }
    }
    boost::asio::post(executor_, [fail = std::move(fail), rc] { fail(error_from_rc(rc)); });
}

template <typename Op, typename... Results>
void session::complete(Op* o, int rc, Results... results)
{
    std::unique_ptr<op_base> owned;
    std::unique_ptr<watch> unregistered;
    {
        std::lock_guard lock(mutex_);
        auto it = ops_.find(o);
        if (it == ops_.end())
            return;
        owned = std::move(it->second);
        ops_.erase(it);
        answered_.notify_all();
        if (o->w != nullptr && !o->watch_set(rc)) {
            auto wit = watches_.find(o->w);
            if (wit != watches_.end()) {
                unregistered = std::move(wit->second);
                watches_.erase(wit);
            }
        }
    }
    auto self = weak_from_this().lock(); // empty only while the destructor's fallback close runs
    if (o->answered || !self)
        return;
    boost::asio::post(executor_, [self = std::move(self), owned = std::move(owned), rc,
                                  ... results = std::move(results)]() mutable {
        auto* typed = static_cast<Op*>(owned.get());
        if (self->closed())
            typed->take_failure()(make_error_code(errc::closing));
        else if (typed->handler)
            typed->handler(error_from_rc(rc), std::move(results)...);
    });
}

void session::watch_fired(watch* w, int type, int state, const char* path)
{
    std::error_code ec;
    watch_event event;
    watch_handler handler;
    std::unique_ptr<watch> owned;
    {
        std::lock_guard lock(mutex_);
        auto it = watches_.find(w);
        if (it == watches_.end())
            return;
        if (type == ZOO_SESSION_EVENT) {
            // Every watch hears every session event. Only these two end it; the library keeps
            // the pointer until the handle is closed, so only the handler leaves here.
            if (state == ZOO_EXPIRED_SESSION_STATE)
                ec = make_error_code(errc::session_expired);
            else if (state == ZOO_AUTH_FAILED_STATE)
                ec = make_error_code(errc::auth_failed);
            else
                return;
        } else {
            // The library dropped the watch before calling: this is its last call.
            owned = std::move(it->second);
            watches_.erase(it);
            event.type = to_event_type(type);
            event.path = path != nullptr ? path : "";
        }
        if (w->done)
            return;
        w->done = true;
        handler = std::move(w->handler);
    }
    auto self = weak_from_this().lock();
    if (!handler || !self)
        return;
    boost::asio::post(executor_, [self = std::move(self), handler = std::move(handler), ec,
                                  event = std::move(event)]() mutable {
        if (self->closed())
            handler(make_error_code(errc::closing), {});
        else
            handler(ec, std::move(event));
    });
}

void session::session_event(int state, std::optional<session_credentials> credentials,
                            std::chrono::milliseconds negotiated_timeout)
{
    session_state next = session_state::disconnected;
    if (state == ZOO_CONNECTED_STATE || state == ZOO_READONLY_STATE)
        next = session_state::connected;
    else if (state == ZOO_EXPIRED_SESSION_STATE)
        next = session_state::expired;
    else if (state == ZOO_AUTH_FAILED_STATE)
        next = session_state::auth_failed;
    auto self = weak_from_this().lock();
    if (!self)
        return;
    boost::asio::post(executor_, [self = std::move(self), next, credentials = std::move(credentials),
                                  negotiated_timeout]() mutable {
        if (self->closed())
            return;
        if (negotiated_timeout.count() > 0)
            self->negotiated_timeout_ = negotiated_timeout;
        self->apply_state(next, std::move(credentials));
    });
}

void session::auth_answered(int rc)
{
    auto self = weak_from_this().lock();
    if (!self)
        return;
    boost::asio::post(executor_, [self = std::move(self), rc] {
        if (self->closed() || rc == ZCLOSING)
            return;
        // Only the scheme is named: the credentials hold the password.
        if (rc == ZOK)
            self->logger_.debug("zookeeper: '" + self->auth_scheme_ + "' credentials added to the session");
        else
            self->logger_.error("zookeeper: the server refused our '" + self->auth_scheme_ +
                                "' credentials: " + error_from_rc(rc).message());
    });
}

void session::apply_state(session_state next, std::optional<session_credentials> credentials)
{
    if (next == session_state::disconnected && state_ == session_state::connecting)
        return; // still making the first connection
    if (next == state_)
        return;
    if (credentials)
        credentials_ = std::move(credentials);
    state_ = next;
    std::string id = credentials_ ? session_hex(credentials_->id) : "(none)";
    switch (next) {
    case session_state::connected: logger_.info("zookeeper: session " + id + " connected"); break;
    case session_state::disconnected: logger_.warning("zookeeper: session " + id + " disconnected"); break;
    case session_state::expired: logger_.error("zookeeper: session " + id + " expired"); break;
    case session_state::auth_failed:
        logger_.error("zookeeper: authentication failed" +
                      (auth_scheme_.empty() ? std::string() : " (scheme '" + auth_scheme_ + "')"));
        break;
    case session_state::connecting:
    case session_state::closed: break;
    }
    if (on_state_)
        on_state_(next);
}

void session::close_handle()
{
    mark_closed();
    if (handle_ != nullptr && !handle_closed_) {
        // zookeeper_close stops reading before it sends the close request; answers still on
        // their way then sit unread, closing the socket resets the connection, and the close
        // request can be lost with it, leaving the session (and its ephemerals) to expire.
        std::unique_lock lock(mutex_);
        answered_.wait_for(lock, close_grace_, [this] {
            return zoo_state(handle_) != ZOO_CONNECTED_STATE ||
                   std::all_of(ops_.begin(), ops_.end(), [](const auto& entry) { return entry.second->answered; });
        });
        lock.unlock();
        zookeeper_close(handle_); // completions still queued run here, with ZCLOSING
        handle_closed_ = true;
    }
    std::map<op_base*, std::unique_ptr<op_base>> ops;
    std::map<watch*, std::unique_ptr<watch>> watches;
    {
        std::lock_guard lock(mutex_);
        ops.swap(ops_);
        watches.swap(watches_);
    }
    auto closing = make_error_code(errc::closing);
    for (auto& [raw, o] : ops) {
        if (!o->answered)
            boost::asio::post(executor_, [fail = o->take_failure(), closing] { fail(closing); });
    }
    for (auto& [raw, w] : watches) {
        if (!w->done && w->handler)
            boost::asio::post(executor_, [handler = std::move(w->handler), closing] { handler(closing, {}); });
    }
    work_ = {};
}

struct session::make_path {
    std::string path;
    std::string data;
    create_mode mode = create_mode::persistent;
    acl_policy acl = acl_policy::open;
    acl_policy parents_acl = acl_policy::open;
    create_handler handler;
    int attempts = 0;
};

void session::create(std::string path, std::string data, create_options options, create_handler handler)
{
    if (!options.make_parents) {
        create_once(std::move(path), std::move(data), options.mode, options.acl, std::move(handler));
        return;
    }
    auto m = std::make_shared<make_path>();
    m->path = std::move(path);
    m->data = std::move(data);
    m->mode = options.mode;
    m->acl = options.acl;
    m->parents_acl = options.parents_acl;
    m->handler = std::move(handler);
    create_with_parents(std::move(m));
}

void session::create_with_parents(std::shared_ptr<make_path> m)
{
    auto then = [self = shared_from_this(), m](std::error_code ec, std::string created) {
        if (ec != errc::no_node || ++m->attempts >= max_create_attempts) {
            if (m->handler)
                m->handler(ec, std::move(created));
            return;
        }
        self->create_parents(m->path, 1, m->parents_acl, [self, m](std::error_code parents_ec) {
            if (parents_ec) {
                if (m->handler)
                    m->handler(parents_ec, {});
                return;
            }
            self->create_with_parents(m);
        });
    };
    create_once(m->path, m->data, m->mode, m->acl, std::move(then));
}

void session::create_parents(std::string path, std::size_t from, acl_policy acl, remove_handler done)
{
    std::size_t slash = path.find('/', from);
    if (slash == std::string::npos) {
        done({});
        return;
    }
    std::string parent = path.substr(0, slash);
    create_once(std::move(parent), {}, create_mode::persistent, acl,
                [self = shared_from_this(), path = std::move(path), slash, acl, done = std::move(done)](
                    std::error_code ec, std::string) mutable {
                    if (ec && ec != errc::node_exists) {
                        done(ec);
                        return;
                    }
                    self->create_parents(std::move(path), slash + 1, acl, std::move(done));
                });
}

void session::create_once(std::string path, std::string data, create_mode mode, acl_policy acl,
                          create_handler handler)
{
    auto o = std::make_unique<create_op>(std::move(handler));
    if (data.size() > static_cast<std::size_t>(INT_MAX)) {
        boost::asio::post(executor_, [fail = o->take_failure()] { fail(make_error_code(errc::bad_arguments)); });
        return;
    }
    int flags = 0;
    if (mode == create_mode::ephemeral || mode == create_mode::ephemeral_sequential)
        flags |= ZOO_EPHEMERAL;
    if (mode == create_mode::persistent_sequential || mode == create_mode::ephemeral_sequential)
        flags |= ZOO_SEQUENCE;
    // The library's ACL vectors are constants that it only reads.
    struct ACL_vector* acl_vector = acl == acl_policy::creator ? &ZOO_CREATOR_ALL_ACL : &ZOO_OPEN_ACL_UNSAFE;
    submit(std::move(o), {}, nullptr,
           [this, path = std::move(path), data = std::move(data), flags, acl_vector](create_op* raw, watch*) {
               return zoo_acreate(handle_, path.c_str(), data.data(), static_cast<int>(data.size()), acl_vector,
                                  flags, on_created, raw);
           });
}

void session::get(std::string path, get_handler handler, watch_handler watcher)
{
    submit(std::make_unique<get_op>(std::move(handler)), std::move(watcher), set_on_success,
           [this, path = std::move(path)](get_op* raw, watch* w) {
               if (w != nullptr)
                   return zoo_awget(handle_, path.c_str(), on_watch, w, on_data, raw);
               return zoo_aget(handle_, path.c_str(), 0, on_data, raw);
           });
}

void session::get_children(std::string path, children_handler handler, watch_handler watcher)
{
    submit(std::make_unique<children_op>(std::move(handler)), std::move(watcher), set_on_success,
           [this, path = std::move(path)](children_op* raw, watch* w) {
               if (w != nullptr)
                   return zoo_awget_children2(handle_, path.c_str(), on_watch, w, on_children, raw);
               return zoo_aget_children2(handle_, path.c_str(), 0, on_children, raw);
           });
}

void session::exists(std::string path, exists_handler handler, watch_handler watcher)
{
    submit(std::make_unique<exists_op>(std::move(handler)), std::move(watcher), set_on_success_or_no_node,
           [this, path = std::move(path)](exists_op* raw, watch* w) {
               if (w != nullptr)
                   return zoo_awexists(handle_, path.c_str(), on_watch, w, on_exists, raw);
               return zoo_aexists(handle_, path.c_str(), 0, on_exists, raw);
           });
}

void session::remove(std::string path, std::int32_t version, remove_handler handler)
{
    submit(std::make_unique<remove_op>(std::move(handler)), {}, nullptr,
           [this, path = std::move(path), version](remove_op* raw, watch*) {
               return zoo_adelete(handle_, path.c_str(), version, on_removed, raw);
           });
}

} // namespace kspout::zk::detail
