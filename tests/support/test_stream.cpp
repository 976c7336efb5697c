// test_stream: completions are posted to the executor, like a real socket's.
#include "tests/support/test_stream.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstring>

namespace kspout::testing {

// Holds its peer weakly: the peer keeps the pending read handler, which keeps the connection,
// which owns this stream. A strong reference here would make that a cycle.
class test_stream final : public io::byte_stream {
public:
    explicit test_stream(const std::shared_ptr<test_peer>& peer)
        : peer_(peer), executor_(peer->executor_) {}
    ~test_stream() override { close(); }

    void async_read_some(std::span<std::uint8_t> buffer, io_handler handler) override
    {
        auto peer = peer_.lock();
        if (!peer || peer->next_operation_fails() || peer->closed_) {
            post(std::move(handler), boost::asio::error::connection_reset);
            return;
        }
        peer->pending_read_.emplace(buffer, std::move(handler));
        peer->try_complete_read();
    }

    void async_write_all(wire::bytes_view data, io_handler handler) override
    {
        auto peer = peer_.lock();
        if (!peer || peer->next_operation_fails() || peer->closed_) {
            post(std::move(handler), boost::asio::error::broken_pipe);
            return;
        }
        peer->written_.insert(peer->written_.end(), data.begin(), data.end());
        boost::asio::post(executor_, [handler = std::move(handler), n = data.size()] { handler({}, n); });
    }

    void close() override
    {
        auto peer = peer_.lock();
        if (!peer || peer->closed_) return;
        peer->closed_ = true;
        if (auto read = std::move(peer->pending_read_)) {
            peer->pending_read_.reset();
            post(std::move(read->second), boost::asio::error::operation_aborted);
        }
    }

private:
    void post(io_handler handler, boost::asio::error::basic_errors e)
    {
        boost::asio::post(executor_, [handler = std::move(handler), e] {
            handler(boost::asio::error::make_error_code(e), 0);
        });
    }

    std::weak_ptr<test_peer> peer_;
    boost::asio::any_io_executor executor_;
};

std::unique_ptr<io::byte_stream> test_peer::make_stream()
{
    return std::make_unique<test_stream>(shared_from_this());
}

void test_peer::feed(wire::bytes_view bytes)
{
    incoming_.insert(incoming_.end(), bytes.begin(), bytes.end());
    try_complete_read();
}

void test_peer::close_remote()
{
    remote_closed_ = true;
    try_complete_read();
}

void test_peer::try_complete_read()
{
    if (!pending_read_ || (incoming_.empty() && !remote_closed_)) return;
    auto [buffer, handler] = std::move(*pending_read_);
    pending_read_.reset();
    if (incoming_.empty()) {
        boost::asio::post(executor_, [handler = std::move(handler)] {
            handler(boost::asio::error::make_error_code(boost::asio::error::eof), 0);
        });
        return;
    }
    std::size_t n = std::min(buffer.size(), incoming_.size());
    std::memcpy(buffer.data(), incoming_.data(), n);
    incoming_.erase(incoming_.begin(), incoming_.begin() + static_cast<std::ptrdiff_t>(n));
    boost::asio::post(executor_, [handler = std::move(handler), n] { handler({}, n); });
}

} // namespace kspout::testing
