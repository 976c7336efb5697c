// TCP implementation of byte_stream, and a resolve-and-connect with a deadline.
#pragma once

#include "protocol/io/byte_stream.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace kspout::io {

class tcp_stream final : public byte_stream {
public:
    explicit tcp_stream(boost::asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}

    void async_read_some(std::span<std::uint8_t> buffer, io_handler handler) override;
    void async_write_all(wire::bytes_view data, io_handler handler) override;
    void close() override;

private:
    boost::asio::ip::tcp::socket socket_;
};

using connect_handler = std::function<void(std::error_code, std::unique_ptr<byte_stream>)>;
using socket_handler = std::function<void(std::error_code, boost::asio::ip::tcp::socket)>;

// Resolves host, tries each address until one connects, all within `timeout`; the socket has
// TCP_NODELAY set.
void async_connect_socket(boost::asio::any_io_executor executor, const std::string& host, std::uint16_t port,
                          std::chrono::milliseconds timeout, socket_handler handler);

// async_connect_socket, as a tcp_stream.
void async_connect_tcp(boost::asio::any_io_executor executor, const std::string& host, std::uint16_t port,
                       std::chrono::milliseconds timeout, connect_handler handler);

} // namespace kspout::io
