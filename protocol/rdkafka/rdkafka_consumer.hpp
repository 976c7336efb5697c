// The rdkafka engine: librdkafka fetches the assigned partitions and commits offsets, behind io::fetch_engine.
#pragma once

#include "protocol/io/fetch_engine.hpp"
#include "protocol/log/logger.hpp"
#include "protocol/rdkafka/rdkafka_committer.hpp"
#include "protocol/rdkafka/rdkafka_handles.hpp"
#include "protocol/rdkafka/rdkafka_properties.hpp"
#include "protocol/rdkafka/wake_pipe.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <deque>
#include <memory>

namespace kspout::rdkafka {

// librdkafka does no group membership here: our group members decide the assignment and call
// assign()/revoke() (librdkafka's incremental assign), and commits carry no generation, as ours do.
// Each partition has its own librdkafka queue, so poll() takes turns between partitions and a
// paused one keeps its messages out. librdkafka signals new messages and events through a pipe
// that the executor watches; nothing blocks the executor's thread except seek(), which waits
// for librdkafka's own thread to take the new position (no network round trip).
//
// Where this differs from simple_consumer: a start offset by the reset policy is looked up with
// librdkafka's blocking watermark query on a thread of our own; librdkafka drops what it prefetched
// for a partition that is paused and fetches it again on resume; position() stops at the last returned
// record + 1, so a commit stays in front of a trailing transaction marker (read again, not
// emitted, after a restart).
class rdkafka_consumer final : public io::fetch_engine, public std::enable_shared_from_this<rdkafka_consumer> {
public:
    // `properties` is the complete configuration (consumer_properties()). Throws
    // std::invalid_argument with librdkafka's text when it refuses a property or cannot start.
    static std::shared_ptr<rdkafka_consumer> create(boost::asio::any_io_executor executor,
                                                    const std::vector<property>& properties,
                                                    io::consumer_options options, log::logger log = {});
    ~rdkafka_consumer() override;

    std::error_code assign(const std::vector<io::partition_start>& partitions) override;
    void revoke(const std::vector<std::int32_t>& partitions) override;
    std::vector<std::int32_t> assignment() const override;

    std::error_code pause(std::int32_t partition) override;
    std::error_code resume(std::int32_t partition) override;
    std::error_code seek(std::int32_t partition, std::int64_t offset) override;

    std::span<const io::consumer_message> poll(std::size_t max_messages) override;
    void async_wait_data(wait_handler handler) override;
    void on_error(error_callback callback) override { on_error_ = std::move(callback); }

    std::optional<std::int64_t> position(std::int32_t partition) const override;
    std::optional<std::int64_t> high_watermark(std::int32_t partition) const override;
    std::optional<io::partition_phase> phase(std::int32_t partition) const override;

    using io::fetch_engine::commit;
    void commit(std::map<std::int32_t, std::int64_t> offsets, std::chrono::steady_clock::time_point send_by,
                commit_handler handler) override;
    void fetch_committed(std::vector<std::int32_t> partitions, committed_handler handler) override;
    void stop() override;

private:
    struct partition_state {
        queue_ptr queue;          // its fetch queue, not forwarded to the consumer queue
        io::partition_phase phase = io::partition_phase::awaiting_committed;
        std::int64_t position = -1; // the next offset poll() returns, once the start is known
        bool paused = false;
        std::uint64_t epoch = 0; // a start looked up for an older epoch is ignored
        // Taken from the queue, not yet returned: a queue's length also counts librdkafka's
        // internal entries (version barriers), so only taking tells whether messages wait.
        std::deque<message_ptr> ready;
    };

    rdkafka_consumer(boost::asio::any_io_executor executor, io::consumer_options options, log::logger log);
    void open(const std::vector<property>& properties);

    void add_partition(std::int32_t partition, std::optional<std::int64_t> offset);
    void look_up_start(std::vector<std::int32_t> partitions);
    void reset_start(std::int32_t partition, std::uint64_t epoch);
    void start_fetching(std::int32_t partition, std::int64_t offset);
    void retry_start(std::int32_t partition, std::uint64_t epoch);

    void arm_wake();
    void on_wake();
    void take_from_queue(std::int32_t partition, partition_state& state, std::size_t max_messages);
    bool has_pollable_data();
    void notify_waiters();
    void report(std::int32_t partition, std::error_code code, std::string message);
    void release_lent();
    partition_list_ptr partition_list(const std::vector<std::int32_t>& partitions) const;

    static void on_log(const rd_kafka_t* rk, int level, const char* facility, const char* text);
    static void on_librdkafka_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);

    boost::asio::any_io_executor executor_;
    io::consumer_options options_;
    log::logger log_;
    rd_kafka_t* rk_ = nullptr;
    wake_pipe wake_;
    queue_ptr main_queue_;    // librdkafka's logs and errors
    boost::asio::thread_pool worker_{1}; // librdkafka's blocking calls: watermarks, close and destroy

    std::map<std::int32_t, partition_state> partitions_;
    std::vector<message_ptr> lent_;
    std::vector<io::consumer_message> polled_;
    std::deque<std::vector<records::header>> polled_headers_;
    std::size_t rotation_ = 0;
    std::vector<wait_handler> waiters_;
    error_callback on_error_;

    std::shared_ptr<rdkafka_committer> committer_; // null without a group
    std::map<std::uint64_t, committed_handler> lookups_;
    std::uint64_t next_request_ = 1;
    std::uint64_t next_epoch_ = 1;
    bool stopped_ = false;
};

} // namespace kspout::rdkafka
