// A pipe librdkafka writes to when one of its queues gets work, watched by the executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <functional>

namespace kspout::rdkafka {

// librdkafka's rd_kafka_queue_io_event_enable() writes to write_fd() when a queue goes from empty
// to non-empty; arm() runs `on_wake` once the read end is readable, after draining it.
class wake_pipe {
public:
    explicit wake_pipe(boost::asio::any_io_executor executor); // throws std::system_error
    ~wake_pipe();
    wake_pipe(const wake_pipe&) = delete;
    wake_pipe& operator=(const wake_pipe&) = delete;

    int write_fd() const noexcept { return write_fd_; }
    // One-shot; not called after close().
    void arm(std::function<void()> on_wake);
    // Stops watching. The write end stays open until release_write_fd()'s owner closes it: librdkafka
    // may still write to it until its queues are destroyed.
    void close();
    int release_write_fd() noexcept;

private:
    boost::asio::posix::stream_descriptor read_;
    int write_fd_ = -1;
};

} // namespace kspout::rdkafka
