// A broker: connects on demand, negotiates API versions, reconnects with backoff, sends typed requests.
#pragma once

#include "protocol/io/connection.hpp"
#include "protocol/io/error.hpp"
#include "protocol/io/security_options.hpp"
#include "protocol/log/logger.hpp"
#include "protocol/messages/versions.hpp"
#include "protocol/wire/api_key.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

namespace kspout::io {

using namespace std::chrono_literals;

class tls_context;

struct broker_options {
    std::string client_id = "kafka-spout";
    std::chrono::milliseconds connect_timeout = 10s;
    std::chrono::milliseconds api_versions_timeout = 10s;
    std::chrono::milliseconds reconnect_backoff = 100ms;
    std::chrono::milliseconds reconnect_backoff_max = 10s;
    // Brokers before 0.10 close the connection on ApiVersions; they are then assumed to be this
    // version ("0.8.2", "0.9.0" or "0.10.0"). Setting api_version_request false skips the probe.
    std::string broker_version_fallback = "0.10.0";
    bool api_version_request = true;
    messages::version_caps version_caps;
    std::size_t max_frame_size = wire::default_max_frame_size;
    security_protocol security = security_protocol::plaintext;
    tls_options tls;
    sasl_options sasl;
    // KIP-368: a broker that gives a SASL session a lifetime closes the connection when it ends,
    // so the broker logs in again on the same connection before then. Off only to show in tests
    // what a broker does to a client that does not.
    bool reauthenticate = true;
    // Made from `tls` by cluster::create (or broker::create when empty), shared by the brokers.
    std::shared_ptr<const tls_context> loaded_tls;
};

struct broker_address {
    std::int32_t node_id = -1; // -1 for a bootstrap address not yet known by id
    std::string host;
    std::uint16_t port = 0;

    // host:port for logs and errors; the host as an excerpt, for a broker's metadata names it.
    std::string to_string() const;
};

// What a broker has done with its connections, for metrics and tests.
struct broker_counts {
    std::uint64_t connections = 0;       // connections that became ready (logged in, with SASL)
    std::uint64_t reauthentications = 0; // KIP-368 logins again on an open connection
};

// A decoded response together with the buffer its views point into.
template <typename Response>
struct response {
    Response body;
    std::int16_t version = 0;
    response_frame frame;
    std::optional<wire::decode_error> decode_failure; // set with errc::bad_response
};

class broker : public std::enable_shared_from_this<broker> {
public:
    using raw_handler = std::function<void(std::error_code, std::int16_t version, response_frame)>;
    using version_encoder = std::function<void(wire::writer&, std::int16_t version)>;

    // Throws std::invalid_argument when TLS is asked for and its settings cannot be used.
    static std::shared_ptr<broker> create(boost::asio::any_io_executor executor, broker_address address,
                                          broker_options options, log::logger log = {});

    // Sends once connected and negotiated, with the highest version both sides support (and
    // never above max_version). Fails with errc::no_common_version if there is none.
    void send(wire::api_key key, const version_encoder& encode, std::chrono::milliseconds timeout,
              raw_handler handler, std::optional<std::int16_t> max_version = std::nullopt,
              bool expects_response = true);

    template <typename Request, typename Response>
    void request(wire::api_key key, Request req, std::chrono::milliseconds timeout,
                 std::function<void(std::error_code, response<Response>)> handler,
                 std::optional<std::int16_t> max_version = std::nullopt)
    {
        auto shared_req = std::make_shared<Request>(std::move(req));
        send(
            key, [shared_req](wire::writer& w, std::int16_t v) { encode(w, *shared_req, v); }, timeout,
            [handler = std::move(handler)](std::error_code ec, std::int16_t version, response_frame frame) {
                response<Response> out;
                out.version = version;
                if (!ec) {
                    wire::reader r(frame.body());
                    out.decode_failure = decode(r, out.body, version);
                    if (out.decode_failure) ec = make_error_code(errc::bad_response);
                }
                out.frame = std::move(frame);
                handler(ec, std::move(out));
            },
            max_version);
    }

    // The negotiated versions, once a connection has been set up (empty before).
    const messages::negotiated_versions& versions() const noexcept { return versions_; }
    const broker_address& address() const noexcept { return address_; }
    bool connected() const noexcept { return state_ == state::ready || state_ == state::reauthenticating; }
    const broker_counts& counts() const noexcept { return counts_; }
    // Drops the connection (failing requests in flight) and stays closed.
    void shut_down();

private:
    // reauthenticating: ready, but new requests wait until the SASL login on the open connection
    // is done (requests already sent go before it; the broker answers in order).
    enum class state { idle, connecting, negotiating, authenticating, ready, reauthenticating, backing_off, shut_down };
    struct queued_request {
        wire::api_key key;
        version_encoder encode;
        std::chrono::milliseconds timeout;
        raw_handler handler;
        std::optional<std::int16_t> max_version;
        bool expects_response;
    };

    broker(boost::asio::any_io_executor executor, broker_address address, broker_options options, log::logger log);

    void connect();
    void on_connected(std::unique_ptr<byte_stream> stream);
    void negotiate();
    void use_fallback_versions();
    void authenticate();
    void login();
    void on_login(std::error_code ec, const std::string& detail, std::chrono::milliseconds session_lifetime);
    void schedule_reauthentication(std::chrono::milliseconds session_lifetime);
    void reauthenticate();
    std::string login_description() const;
    void become_ready();
    void on_connection_lost(std::error_code ec);
    void fail_queue(std::error_code ec);
    void dispatch(queued_request req);

    boost::asio::any_io_executor executor_;
    broker_address address_;
    broker_options options_;
    log::logger log_;
    state state_ = state::idle;
    std::shared_ptr<connection> connection_;
    boost::asio::steady_timer backoff_timer_;
    boost::asio::steady_timer reauth_timer_;
    broker_counts counts_;
    std::chrono::milliseconds backoff_;
    std::deque<queued_request> queue_;
    messages::negotiated_versions versions_;
    bool legacy_broker_ = false; // closed the connection on ApiVersions, or stayed silent
    // Silence may be a busy broker rather than an old one: the fallback table then holds for one
    // connection only, and the next one asks again.
    bool probe_again_ = false;
    bool answered_api_versions_ = false; // once it has, it is never taken for an old broker
    std::minstd_rand random_;            // where in 85-95% of a SASL session to log in again
};

} // namespace kspout::io
