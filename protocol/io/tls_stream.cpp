// tls_stream over Asio's ssl::stream; the context from tls_options; handshake failures told apart by OpenSSL's verify result.
#include "protocol/io/tls_stream.hpp"

#include "protocol/io/error.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <stdexcept>

namespace kspout::io {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;

class tls_context {
public:
    explicit tls_context(const tls_options& options);

    ssl::context& native() const { return context_; }
    bool verify_hostname() const noexcept { return verify_hostname_; }

private:
    mutable ssl::context context_{ssl::context::tls_client};
    bool verify_hostname_ = true;
};

namespace {

[[noreturn]] void refuse(const std::string& what, const boost::system::error_code& ec)
{
    throw std::invalid_argument("TLS: " + what + ": " + ec.message());
}

} // namespace

tls_context::tls_context(const tls_options& options) : verify_hostname_(options.verify_hostname)
{
    boost::system::error_code ec;
    SSL_CTX_set_min_proto_version(context_.native_handle(), TLS1_2_VERSION);
    context_.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    context_.set_verify_mode(ssl::verify_peer);
    if (options.ca_location.empty()) {
        if (context_.set_default_verify_paths(ec)) refuse("cannot load the system's CA certificates", ec);
    } else if (std::filesystem::is_directory(options.ca_location)) {
        if (context_.add_verify_path(options.ca_location, ec)) refuse("cannot use CA directory " + options.ca_location, ec);
    } else if (context_.load_verify_file(options.ca_location, ec)) {
        refuse("cannot load CA file " + options.ca_location, ec);
    }
    if (!options.cipher_list.empty() &&
        SSL_CTX_set_cipher_list(context_.native_handle(), options.cipher_list.c_str()) != 1) {
        throw std::invalid_argument("TLS: no usable cipher in the cipher list '" + options.cipher_list + "'");
    }
    if (options.certificate_location.empty() != options.key_location.empty()) {
        throw std::invalid_argument("TLS: a client certificate needs its key and a key its certificate");
    }
    if (options.certificate_location.empty()) return;
    if (context_.use_certificate_chain_file(options.certificate_location, ec)) {
        refuse("cannot load certificate " + options.certificate_location, ec);
    }
    std::string password = options.key_password;
    context_.set_password_callback([password](std::size_t, ssl::context::password_purpose) { return password; });
    if (context_.use_private_key_file(options.key_location, ssl::context::pem, ec)) {
        refuse("cannot load key " + options.key_location + " (wrong key password?)", ec);
    }
    if (SSL_CTX_check_private_key(context_.native_handle()) != 1) {
        throw std::invalid_argument("TLS: key " + options.key_location + " does not match certificate " +
                                    options.certificate_location);
    }
}

std::shared_ptr<const tls_context> make_tls_context(const tls_options& options)
{
    return std::make_shared<const tls_context>(options);
}

bool is_tls_error(std::error_code ec) noexcept
{
    return ec.category() == asio::error::get_ssl_category() || ec.category() == ssl::error::get_stream_category();
}

namespace {

using ssl_socket = ssl::stream<tcp::socket>;

class tls_stream final : public byte_stream {
public:
    explicit tls_stream(std::unique_ptr<ssl_socket> stream) : stream_(std::move(stream)) {}

    void async_read_some(std::span<std::uint8_t> buffer, io_handler handler) override
    {
        stream_->async_read_some(asio::buffer(buffer.data(), buffer.size()),
                                 [handler = std::move(handler)](boost::system::error_code ec, std::size_t n) {
                                     handler(ec, n);
                                 });
    }

    void async_write_all(wire::bytes_view data, io_handler handler) override
    {
        asio::async_write(*stream_, asio::buffer(data.data(), data.size()),
                          [handler = std::move(handler)](boost::system::error_code ec, std::size_t n) {
                              handler(ec, n);
                          });
    }

    // No close_notify: Kafka does not wait for one, and a dead peer must not hold the close up.
    void close() override
    {
        boost::system::error_code ignored;
        stream_->lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
        stream_->lowest_layer().close(ignored);
    }

private:
    std::unique_ptr<ssl_socket> stream_;
};

// What went wrong in a handshake, in our terms where OpenSSL's verify result says why.
std::error_code handshake_failure(const boost::system::error_code& ec, ssl_socket& stream)
{
    if (ec == asio::error::eof || ec == ssl::error::stream_truncated || ec == asio::error::connection_reset) {
        return make_error_code(errc::tls_closed_in_handshake);
    }
    switch (SSL_get_verify_result(stream.native_handle())) {
    case X509_V_OK: return ec; // not a certificate problem: keep OpenSSL's reason
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID: return make_error_code(errc::tls_certificate_expired);
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: return make_error_code(errc::tls_hostname_mismatch);
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED: return make_error_code(errc::tls_certificate_untrusted);
    default: return make_error_code(errc::tls_certificate_rejected);
    }
}

// SNI for a host name (never for an address), and the name or address the certificate must carry.
boost::system::error_code prepare_session(ssl_socket& stream, const std::string& host, bool verify_hostname)
{
    boost::system::error_code address_ec;
    asio::ip::make_address(host, address_ec);
    bool is_address = !address_ec;
    SSL* session = stream.native_handle();
    if (!is_address && SSL_set_tlsext_host_name(session, host.c_str()) != 1) {
        return {static_cast<int>(ERR_get_error()), asio::error::get_ssl_category()};
    }
    if (!verify_hostname) return {};
    X509_VERIFY_PARAM* param = SSL_get0_param(session);
    int ok = is_address ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                        : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    if (ok != 1) return {static_cast<int>(ERR_get_error()), asio::error::get_ssl_category()};
    return {};
}

// Shared by the handshake and timer completions; the first to finish reports.
struct handshake_attempt {
    std::unique_ptr<ssl_socket> stream;
    asio::steady_timer timer;
    connect_handler handler;
    std::shared_ptr<const tls_context> context; // outlives the stream that points into it
    bool done = false;

    handshake_attempt(asio::any_io_executor ex, connect_handler h, std::shared_ptr<const tls_context> c)
        : timer(ex), handler(std::move(h)), context(std::move(c)) {}

    void finish(std::error_code ec)
    {
        if (done) return;
        done = true;
        timer.cancel();
        if (ec) {
            boost::system::error_code ignored;
            stream->lowest_layer().close(ignored);
            handler(ec, nullptr);
            return;
        }
        handler({}, std::make_unique<tls_stream>(std::move(stream)));
    }
};

} // namespace

void async_connect_tls(asio::any_io_executor executor, const std::string& host, std::uint16_t port,
                       std::chrono::milliseconds timeout, std::shared_ptr<const tls_context> context,
                       connect_handler handler)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    async_connect_socket(
        executor, host, port, timeout,
        [executor, host, deadline, context = std::move(context),
         handler = std::move(handler)](std::error_code ec, tcp::socket socket) mutable {
            if (ec) {
                handler(ec, nullptr);
                return;
            }
            auto attempt = std::make_shared<handshake_attempt>(executor, std::move(handler), context);
            attempt->stream = std::make_unique<ssl_socket>(std::move(socket), context->native());
            if (auto prepare_ec = prepare_session(*attempt->stream, host, context->verify_hostname())) {
                attempt->finish(prepare_ec);
                return;
            }
            attempt->timer.expires_at(deadline);
            attempt->timer.async_wait([attempt](boost::system::error_code timer_ec) {
                if (timer_ec) return;
                boost::system::error_code ignored;
                attempt->stream->lowest_layer().close(ignored);
                attempt->finish(make_error_code(errc::connect_timed_out));
            });
            attempt->stream->async_handshake(ssl::stream_base::client, [attempt](boost::system::error_code hs_ec) {
                if (attempt->done) return;
                attempt->finish(hs_ec ? handshake_failure(hs_ec, *attempt->stream) : std::error_code());
            });
        });
}

} // namespace kspout::io
