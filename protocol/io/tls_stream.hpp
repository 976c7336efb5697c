// TLS implementation of byte_stream (OpenSSL through Boost.Asio), and a connect-and-handshake with a deadline.
#pragma once

#include "protocol/io/security_options.hpp"
#include "protocol/io/tcp_stream.hpp"

#include <memory>

namespace kspout::io {

// The loaded CA, certificate and key: made once per client and shared by its connections.
class tls_context;

// Throws std::invalid_argument naming the file or setting that could not be used (never the password).
std::shared_ptr<const tls_context> make_tls_context(const tls_options& options);

// Connects as async_connect_tcp does, then runs the TLS handshake (with SNI and, when the
// context asks for it, hostname verification), all within `timeout`. Handshake failures come as
// errc::tls_* codes where OpenSSL says why, or as OpenSSL's own error.
void async_connect_tls(boost::asio::any_io_executor executor, const std::string& host, std::uint16_t port,
                       std::chrono::milliseconds timeout, std::shared_ptr<const tls_context> context,
                       connect_handler handler);

// Whether an error came from the TLS layer (an alert from the peer, a protocol failure).
bool is_tls_error(std::error_code ec) noexcept;

} // namespace kspout::io
