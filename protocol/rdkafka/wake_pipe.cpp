// A pipe librdkafka writes to when one of its queues gets work, watched by the executor.
#include "protocol/rdkafka/wake_pipe.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>
#include <utility>

namespace kspout::rdkafka {

wake_pipe::wake_pipe(boost::asio::any_io_executor executor) : read_(std::move(executor))
{
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
    read_.assign(fds[0]);
    write_fd_ = fds[1];
}

wake_pipe::~wake_pipe()
{
    close();
    if (write_fd_ >= 0) ::close(write_fd_);
}

void wake_pipe::arm(std::function<void()> on_wake)
{
    read_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                     [this, on_wake = std::move(on_wake)](std::error_code ec) {
                         if (ec || !read_.is_open()) return;
                         std::array<char, 256> drain{};
                         while (::read(read_.native_handle(), drain.data(), drain.size()) > 0) {
                         }
                         on_wake();
                     });
}

void wake_pipe::close()
{
    boost::system::error_code ignored;
    read_.close(ignored);
}

int wake_pipe::release_write_fd() noexcept
{
    return std::exchange(write_fd_, -1);
}

} // namespace kspout::rdkafka
