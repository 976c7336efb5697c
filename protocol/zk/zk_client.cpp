// zk::client: owns the current session and the background threads that close replaced ones.
#include "protocol/zk/zk_client.hpp"

#include "protocol/zk/zk_session.hpp"

#include <boost/asio/post.hpp>

#include <utility>

namespace kspout::zk {
namespace {

template <typename... Results>
void post_failure(const client::executor_type& executor, std::function<void(std::error_code, Results...)> handler,
                  std::error_code ec)
{
    boost::asio::post(executor, [handler = std::move(handler), ec] {
        if (handler)
            handler(ec, Results{}...);
    });
}

} // namespace

client::client(executor_type executor, client_options options)
    : executor_(std::move(executor)), options_(std::move(options))
{
}

client::~client()
{
    close();
    for (closer& c : closers_)
        c.thread.join();
}

std::error_code client::start(state_handler on_state)
{
    if (closed_)
        return make_error_code(errc::closing);
    if (started_)
        return make_error_code(errc::invalid_state);
    started_ = true;
    on_state_ = std::move(on_state);
    return open_session();
}

std::error_code client::reconnect()
{
    if (closed_)
        return make_error_code(errc::closing);
    started_ = true;
    retire_session();
    return open_session();
}

void client::close()
{
    if (closed_)
        return;
    closed_ = true;
    retire_session();
}

std::error_code client::open_session()
{
    auto next = std::make_shared<detail::session>(executor_, options_.logger, on_state_, options_.close_grace);
    if (std::error_code ec = next->open(options_.connect_string, options_.session_timeout, options_.auth)) {
        options_.logger.error("zookeeper: cannot create a handle for '" + options_.connect_string +
                              "': " + ec.message());
        return ec;
    }
    session_ = std::move(next);
    return {};
}

void client::retire_session()
{
    // Threads that finished closing earlier are joined here, so they do not pile up.
    std::erase_if(closers_, [](closer& c) {
        if (!c.done->load())
            return false;
        c.thread.join();
        return true;
    });
    if (!session_)
        return;
    std::shared_ptr<detail::session> old = std::move(session_);
    old->mark_closed();
    // zookeeper_close may wait for the server, and must not run on a library thread; a thread of
    // its own keeps it off both the executor and the library's callbacks.
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::thread thread([old = std::move(old), done]() mutable {
        old->close_handle();
        old.reset();
        done->store(true);
    });
    closers_.push_back(closer{std::move(thread), std::move(done)});
}

void client::create(std::string path, std::string data, create_options options, create_handler handler)
{
    if (!session_)
        return post_failure(executor_, std::move(handler), unavailable());
    session_->create(std::move(path), std::move(data), options, std::move(handler));
}

void client::get(std::string path, get_handler handler, watch_handler watcher)
{
    if (!session_)
        return post_failure(executor_, std::move(handler), unavailable());
    session_->get(std::move(path), std::move(handler), std::move(watcher));
}

void client::get_children(std::string path, children_handler handler, watch_handler watcher)
{
    if (!session_)
        return post_failure(executor_, std::move(handler), unavailable());
    session_->get_children(std::move(path), std::move(handler), std::move(watcher));
}

void client::exists(std::string path, exists_handler handler, watch_handler watcher)
{
    if (!session_)
        return post_failure(executor_, std::move(handler), unavailable());
    session_->exists(std::move(path), std::move(handler), std::move(watcher));
}

void client::remove(std::string path, std::int32_t version, remove_handler handler)
{
    if (!session_)
        return post_failure(executor_, std::move(handler), unavailable());
    session_->remove(std::move(path), version, std::move(handler));
}

std::error_code client::unavailable() const noexcept
{
    return make_error_code(closed_ ? errc::closing : errc::invalid_state);
}

session_state client::state() const noexcept
{
    if (closed_)
        return session_state::closed;
    if (!session_)
        return session_state::connecting;
    return session_->state();
}

std::optional<session_credentials> client::credentials() const
{
    if (!session_)
        return std::nullopt;
    return session_->credentials();
}

std::chrono::milliseconds client::session_timeout() const
{
    if (session_ && session_->negotiated_timeout().count() > 0)
        return session_->negotiated_timeout();
    return options_.session_timeout;
}

} // namespace kspout::zk
