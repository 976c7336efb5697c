// tcp_stream over an Asio socket; async_connect_socket with resolve, connect and a deadline timer.
#include "protocol/io/tcp_stream.hpp"

#include "protocol/io/error.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace kspout::io {

namespace asio = boost::asio;
using asio::ip::tcp;

void tcp_stream::async_read_some(std::span<std::uint8_t> buffer, io_handler handler)
{
    socket_.async_read_some(asio::buffer(buffer.data(), buffer.size()),
                            [handler = std::move(handler)](boost::system::error_code ec, std::size_t n) {
                                handler(ec, n);
                            });
}

void tcp_stream::async_write_all(wire::bytes_view data, io_handler handler)
{
    asio::async_write(socket_, asio::buffer(data.data(), data.size()),
                      [handler = std::move(handler)](boost::system::error_code ec, std::size_t n) {
                          handler(ec, n);
                      });
}

void tcp_stream::close()
{
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

namespace {

// Shared by the resolve, connect and timer completions; the first to finish reports.
struct connect_attempt {
    tcp::resolver resolver;
    tcp::socket socket;
    asio::steady_timer timer;
    socket_handler handler;
    bool done = false;

    explicit connect_attempt(asio::any_io_executor ex, socket_handler h)
        : resolver(ex), socket(ex), timer(ex), handler(std::move(h)) {}

    void finish(std::error_code ec)
    {
        if (done) return;
        done = true;
        timer.cancel();
        resolver.cancel();
        if (ec) {
            boost::system::error_code ignored;
            socket.close(ignored);
            handler(ec, std::move(socket));
            return;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        handler({}, std::move(socket));
    }
};

} // namespace

void async_connect_socket(asio::any_io_executor executor, const std::string& host, std::uint16_t port,
                          std::chrono::milliseconds timeout, socket_handler handler)
{
    auto attempt = std::make_shared<connect_attempt>(executor, std::move(handler));
    attempt->timer.expires_after(timeout);
    attempt->timer.async_wait([attempt](boost::system::error_code ec) {
        if (ec) return;
        boost::system::error_code ignored;
        attempt->socket.close(ignored);
        attempt->finish(make_error_code(errc::connect_timed_out));
    });
    attempt->resolver.async_resolve(
        host, std::to_string(port),
        [attempt](boost::system::error_code ec, tcp::resolver::results_type results) {
            if (attempt->done) return;
            if (ec) {
                attempt->finish(ec);
                return;
            }
            asio::async_connect(attempt->socket, results,
                                [attempt](boost::system::error_code connect_ec, const tcp::endpoint&) {
                                    attempt->finish(connect_ec);
                                });
        });
}

void async_connect_tcp(asio::any_io_executor executor, const std::string& host, std::uint16_t port,
                       std::chrono::milliseconds timeout, connect_handler handler)
{
    async_connect_socket(executor, host, port, timeout,
                         [handler = std::move(handler)](std::error_code ec, tcp::socket socket) {
                             if (ec) {
                                 handler(ec, nullptr);
                                 return;
                             }
                             handler({}, std::make_unique<tcp_stream>(std::move(socket)));
                         });
}

} // namespace kspout::io
