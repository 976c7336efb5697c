// broker: the connect -> ApiVersions -> SASL -> ready cycle, request queueing, reconnect backoff, SASL
// re-authentication before the session ends.
#include "protocol/io/broker.hpp"

#include "protocol/io/error.hpp"
#include "protocol/io/sasl_login.hpp"
#include "protocol/io/sasl_mechanism.hpp"
#include "protocol/io/tcp_stream.hpp"
#include "protocol/io/tls_stream.hpp"
#include "protocol/messages/api_versions.hpp"
#include "protocol/text/excerpt.hpp"
#include "protocol/wire/error.hpp"

#include <boost/asio/post.hpp>

#include <utility>

namespace kspout::io {

std::string broker_address::to_string() const
{
    return text::excerpt(host, 255) + ":" + std::to_string(port); // 255: the longest DNS name
}

std::shared_ptr<broker> broker::create(boost::asio::any_io_executor executor, broker_address address,
                                       broker_options options, log::logger log)
{
    return std::shared_ptr<broker>(new broker(std::move(executor), std::move(address), std::move(options),
                                              std::move(log)));
}

broker::broker(boost::asio::any_io_executor executor, broker_address address, broker_options options, log::logger log)
    : executor_(executor), address_(std::move(address)), options_(std::move(options)), log_(std::move(log)),
      backoff_timer_(executor), reauth_timer_(executor), backoff_(options_.reconnect_backoff),
      random_(std::random_device{}())
{
    if (!options_.api_version_request) legacy_broker_ = true;
    if (uses_tls(options_.security) && !options_.loaded_tls) {
        options_.loaded_tls = make_tls_context(options_.tls);
    }
}

void broker::send(wire::api_key key, const version_encoder& encode, std::chrono::milliseconds timeout,
                  raw_handler handler, std::optional<std::int16_t> max_version, bool expects_response)
{
    queued_request req{key, encode, timeout, std::move(handler), max_version, expects_response};
    switch (state_) {
    case state::ready:
        dispatch(std::move(req));
        return;
    case state::shut_down:
        boost::asio::post(executor_, [h = std::move(req.handler)] {
            h(make_error_code(errc::shut_down), 0, {});
        });
        return;
    case state::idle:
        queue_.push_back(std::move(req));
        connect();
        return;
    case state::connecting:
    case state::negotiating:
    case state::authenticating:
    case state::reauthenticating:
    case state::backing_off:
        queue_.push_back(std::move(req));
        return;
    }
}

void broker::dispatch(queued_request req)
{
    auto ours = messages::implemented_versions().find(req.key);
    std::optional<std::int16_t> version = versions_.version(req.key);
    if (version && req.max_version) version = std::min(*version, *req.max_version);
    if (!version || ours == messages::implemented_versions().end() || *version < ours->second.min) {
        boost::asio::post(executor_, [h = std::move(req.handler)] {
            h(make_error_code(errc::no_common_version), 0, {});
        });
        return;
    }
    std::int16_t v = *version;
    connection_->send(
        req.key, v, [&](wire::writer& w) { req.encode(w, v); }, req.timeout,
        [h = std::move(req.handler), v](std::error_code ec, response_frame frame) { h(ec, v, std::move(frame)); },
        req.expects_response);
}

void broker::connect()
{
    state_ = state::connecting;
    log_.debug("connecting to broker " + address_.to_string());
    auto connected = [weak = weak_from_this()](std::error_code ec, std::unique_ptr<byte_stream> stream) {
        auto self = weak.lock();
        if (!self || self->state_ == state::shut_down) return;
        if (ec) {
            self->on_connection_lost(ec);
            return;
        }
        self->on_connected(std::move(stream));
    };
    if (uses_tls(options_.security)) {
        async_connect_tls(executor_, address_.host, address_.port, options_.connect_timeout, options_.loaded_tls,
                          std::move(connected));
    } else {
        async_connect_tcp(executor_, address_.host, address_.port, options_.connect_timeout, std::move(connected));
    }
}

void broker::on_connected(std::unique_ptr<byte_stream> stream)
{
    connection_ = connection::create(executor_, std::move(stream), {options_.client_id, options_.max_frame_size});
    connection_->on_close([weak = weak_from_this(), conn = std::weak_ptr<connection>(connection_)](std::error_code ec) {
        auto self = weak.lock();
        auto closed = conn.lock();
        if (self && closed && self->connection_ == closed) self->on_connection_lost(ec);
    });
    if (legacy_broker_) {
        use_fallback_versions();
        return;
    }
    negotiate();
}

void broker::negotiate()
{
    state_ = state::negotiating;
    messages::api_versions_request req;
    connection_->send(
        wire::api_key::api_versions, 0, [&](wire::writer& w) { encode(w, req, 0); }, options_.api_versions_timeout,
        [weak = weak_from_this()](std::error_code ec, response_frame frame) {
            auto self = weak.lock();
            if (!self || self->state_ != state::negotiating) return;
            // A TLS alert (our certificate refused, say) is no sign of an old broker; the
            // connection's close callback backs off.
            if (ec && is_tls_error(ec)) return;
            // Nor is an oversized first frame: that is a TLS record header read as a size.
            if (ec == wire::errc::frame_too_large) {
                self->on_connection_lost(make_error_code(errc::not_kafka_answer));
                return;
            }
            const bool silent = ec == errc::request_timed_out;
            if (ec && silent && self->answered_api_versions_) {
                // It answered before, so it is busy, not old: ask again on a new connection.
                self->log_.warning("broker " + self->address_.to_string() + " did not answer ApiVersions in time; "
                                   "connecting again");
                self->connection_->close(ec); // its close callback backs off
                return;
            }
            if (ec) {
                // Brokers before 0.10 close the connection (or stay silent) on an unknown API.
                self->log_.info("broker " + self->address_.to_string() + " did not answer ApiVersions (" +
                                ec.message() + "); assuming broker version " +
                                self->options_.broker_version_fallback);
                self->legacy_broker_ = true;
                self->probe_again_ = silent;
                return; // the connection's close callback reconnects
            }
            messages::api_versions_response resp;
            wire::reader r(frame.body());
            if (auto err = decode(r, resp, 0); err || resp.error_code != 0) {
                self->log_.error("broker " + self->address_.to_string() + ": bad ApiVersions response: " +
                                 (err ? err->message() : "error " + std::to_string(resp.error_code)));
                self->connection_->close(make_error_code(errc::bad_response));
                return;
            }
            self->answered_api_versions_ = true;
            self->versions_ = messages::negotiate(messages::implemented_versions(),
                                                  messages::broker_versions(resp), self->options_.version_caps);
            self->authenticate();
        });
}

void broker::use_fallback_versions()
{
    auto table = messages::fallback_versions(options_.broker_version_fallback);
    if (!table) {
        log_.error("unknown broker.version.fallback '" + options_.broker_version_fallback + "'");
        connection_->close(make_error_code(errc::no_common_version));
        return;
    }
    versions_ = messages::negotiate(messages::implemented_versions(), *table, options_.version_caps);
    authenticate();
}

void broker::authenticate()
{
    if (!uses_sasl(options_.security)) {
        become_ready();
        return;
    }
    state_ = state::authenticating;
    login();
}

void broker::login()
{
    async_sasl_login(connection_, versions_, options_.sasl, options_.api_versions_timeout,
                     [weak = weak_from_this(), conn = std::weak_ptr<connection>(connection_)](
                         std::error_code ec, const std::string& detail, std::chrono::milliseconds lifetime) {
                         auto self = weak.lock();
                         if (!self || self->connection_ == nullptr || self->connection_ != conn.lock()) return;
                         if (self->state_ != state::authenticating && self->state_ != state::reauthenticating) return;
                         self->on_login(ec, detail, lifetime);
                     });
}

std::string broker::login_description() const
{
    if (options_.sasl.mechanism == "OAUTHBEARER") return "with the token in " + options_.sasl.oauthbearer_token_file;
    return "as " + options_.sasl.username;
}

void broker::on_login(std::error_code ec, const std::string& detail, std::chrono::milliseconds session_lifetime)
{
    const bool again = state_ == state::reauthenticating;
    if (ec) {
        log_.error("broker " + address_.to_string() + ": SASL " + options_.sasl.mechanism +
                   (again ? " re-authentication " : " login ") + login_description() + " failed: " + ec.message() +
                   (detail.empty() ? "" : " (" + detail + ")"));
        // Backs off at once with the login's error: a broker before 1.0 has already closed the
        // connection, and its close callback would report only the end of the stream.
        connection_->close(ec);
        on_connection_lost(ec);
        return;
    }
    if (again) {
        ++counts_.reauthentications;
        log_.debug("broker " + address_.to_string() + ": SASL re-authentication done");
    }
    schedule_reauthentication(session_lifetime);
    become_ready();
}

void broker::schedule_reauthentication(std::chrono::milliseconds session_lifetime)
{
    if (!options_.reauthenticate) return;
    auto delay = reauthentication_delay(session_lifetime, std::uniform_real_distribution<double>(0.0, 1.0)(random_));
    if (!delay) return;
    reauth_timer_.expires_after(*delay);
    reauth_timer_.async_wait([weak = weak_from_this(), conn = std::weak_ptr<connection>(connection_)](std::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->state_ != state::ready || self->connection_ != conn.lock()) return;
        self->reauthenticate();
    });
}

void broker::reauthenticate()
{
    // Requests already sent are answered before the broker reads the SaslHandshake; new ones
    // wait in the queue until the login is done.
    state_ = state::reauthenticating;
    log_.debug("broker " + address_.to_string() + ": the SASL session ends soon; logging in again");
    login();
}

void broker::become_ready()
{
    if (state_ != state::reauthenticating) ++counts_.connections;
    state_ = state::ready;
    backoff_ = options_.reconnect_backoff;
    log_.debug("broker " + address_.to_string() + " ready");
    auto waiting = std::move(queue_);
    queue_.clear();
    for (auto& req : waiting) dispatch(std::move(req));
}

void broker::on_connection_lost(std::error_code ec)
{
    if (state_ == state::shut_down) return;
    bool was_negotiating_legacy = state_ == state::negotiating && legacy_broker_;
    if (state_ == state::reauthenticating) state_ = state::ready; // its failure is logged; the queue waits
    if (state_ == state::ready && std::exchange(probe_again_, false)) legacy_broker_ = false;
    reauth_timer_.cancel();
    connection_.reset();
    if (state_ == state::ready) {
        log_.info("connection to broker " + address_.to_string() + " lost: " + ec.message());
    }
    if (was_negotiating_legacy && !queue_.empty()) {
        connect(); // reconnect at once, this time without ApiVersions
        return;
    }
    if (state_ == state::connecting || state_ == state::negotiating || state_ == state::authenticating) {
        log_.warning("cannot connect to broker " + address_.to_string() + ": " + ec.message());
        fail_queue(ec);
    }
    state_ = state::backing_off;
    backoff_timer_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, options_.reconnect_backoff_max);
    backoff_timer_.async_wait([weak = weak_from_this()](std::error_code timer_ec) {
        auto self = weak.lock();
        if (timer_ec || !self || self->state_ != state::backing_off) return;
        self->state_ = state::idle;
        if (!self->queue_.empty()) self->connect();
    });
}

void broker::fail_queue(std::error_code ec)
{
    auto waiting = std::move(queue_);
    queue_.clear();
    for (auto& req : waiting) {
        boost::asio::post(executor_, [h = std::move(req.handler), ec] { h(ec, 0, {}); });
    }
}

void broker::shut_down()
{
    state_ = state::shut_down;
    backoff_timer_.cancel();
    reauth_timer_.cancel();
    fail_queue(make_error_code(errc::shut_down));
    if (connection_) connection_->close(make_error_code(errc::shut_down));
    connection_.reset();
}

} // namespace kspout::io
