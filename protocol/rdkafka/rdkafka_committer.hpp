// The rdkafka engine's offset commits, through a librdkafka handle of their own that is replaced when a commit overstays.
#pragma once

#include "protocol/log/logger.hpp"
#include "protocol/rdkafka/rdkafka_handles.hpp"
#include "protocol/rdkafka/rdkafka_properties.hpp"
#include "protocol/rdkafka/wake_pipe.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace kspout::rdkafka {

// librdkafka keeps a commit it could not send (the coordinator's broker is down) and sends it
// once the broker is back, however long that takes; no call withdraws it. A commit still pending
// at its send-by time is therefore withdrawn with the handle that holds it: the handle is
// destroyed, every commit pending there fails with consumer_errc::commit_window_closed, and a new
// handle takes the next ones. Being separate from the fetching handle, replacing it costs the
// consumer nothing.
// Runs on the executor's thread; handlers are posted, exactly once (stop(): errc::shut_down).
class rdkafka_committer : public std::enable_shared_from_this<rdkafka_committer> {
public:
    using clock = std::chrono::steady_clock;
    using commit_handler = std::function<void(std::error_code)>;

    // `properties` are the consumer's (group.id included). Throws std::invalid_argument, as new_client.
    static std::shared_ptr<rdkafka_committer> create(boost::asio::any_io_executor executor,
                                                     std::vector<property> properties, std::string topic,
                                                     log::logger log);
    ~rdkafka_committer();
    rdkafka_committer(const rdkafka_committer&) = delete;
    rdkafka_committer& operator=(const rdkafka_committer&) = delete;

    // Offsets are "the next offset to read"; clock::time_point::max(): no send-by time.
    void commit(const std::map<std::int32_t, std::int64_t>& offsets, clock::time_point send_by, commit_handler handler);
    void stop();

private:
    struct pending_commit {
        commit_handler handler;
        std::unique_ptr<boost::asio::steady_timer> send_by; // null: none
    };

    rdkafka_committer(boost::asio::any_io_executor executor, std::vector<property> properties, std::string topic,
                      log::logger log);
    void open();
    void close_handle();
    void withdraw_pending();
    void arm_wake();
    void on_wake();
    void finish(std::uint64_t id, std::error_code ec);

    static void on_log(const rd_kafka_t* rk, int level, const char* facility, const char* text);
    static void on_librdkafka_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);

    boost::asio::any_io_executor executor_;
    std::vector<property> properties_;
    std::string topic_;
    log::logger log_;
    wake_pipe wake_;
    rd_kafka_t* rk_ = nullptr;
    queue_ptr main_queue_; // librdkafka's logs and errors
    queue_ptr results_;    // commit results
    std::map<std::uint64_t, pending_commit> pending_;
    std::uint64_t next_id_ = 1;
    bool stopped_ = false;
    boost::asio::thread_pool worker_{1}; // destroys handles: that waits for librdkafka's threads
};

} // namespace kspout::rdkafka
