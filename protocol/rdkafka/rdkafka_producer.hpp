// The rdkafka engine's producer: librdkafka batches, sends and retries; delivery reports come back on the executor.
#pragma once

#include "protocol/io/producer_engine.hpp"
#include "protocol/log/logger.hpp"
#include "protocol/rdkafka/rdkafka_handles.hpp"
#include "protocol/rdkafka/rdkafka_properties.hpp"
#include "protocol/rdkafka/wake_pipe.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <map>
#include <memory>

namespace kspout::rdkafka {

// Where this differs from io::producer: a record without a key goes where librdkafka's
// murmur2_random partitioner puts it (a random partition). A record refused by librdkafka at once (its queue full, too
// large, an unknown partition) is refused by produce(), as ours does.
class rdkafka_producer final : public io::producer_engine, public std::enable_shared_from_this<rdkafka_producer> {
public:
    // `properties` is the complete configuration (producer_properties()). Throws
    // std::invalid_argument with librdkafka's text when it refuses a property or cannot start.
    static std::shared_ptr<rdkafka_producer> create(boost::asio::any_io_executor executor,
                                                    const std::vector<property>& properties,
                                                    io::producer_options options, log::logger log = {});
    ~rdkafka_producer() override;

    std::error_code produce(std::string_view topic, std::optional<std::int32_t> partition,
                            std::optional<std::string_view> key, std::optional<std::string_view> value,
                            std::vector<io::record_header> headers = {},
                            std::optional<std::int64_t> timestamp = std::nullopt,
                            io::delivery_handler on_delivery = {}) override;
    void flush(flush_handler done) override;
    void stop() override;
    bool has_room(std::optional<std::string_view> key, std::optional<std::string_view> value,
                  const std::vector<io::record_header>& headers) const override;
    std::size_t outstanding() const override { return pending_.size(); }

private:
    struct pending_record {
        io::delivery_handler handler;
        std::size_t size = 0;
    };
    struct completion {
        io::delivery_handler handler;
        std::error_code ec;
        std::int32_t partition = -1;
        std::int64_t offset = -1;
    };

    rdkafka_producer(boost::asio::any_io_executor executor, io::producer_options options, log::logger log);
    void open(const std::vector<property>& properties);
    void on_wake();
    void delivered(const rd_kafka_message_t& message);
    void finish_flushes();
    void cut_linger_short();

    boost::asio::any_io_executor executor_;
    io::producer_options options_;
    log::logger log_;
    rd_kafka_t* rk_ = nullptr;
    wake_pipe wake_;
    queue_ptr main_queue_; // delivery reports, logs and errors, as events
    boost::asio::thread_pool worker_{1}; // closes and destroys librdkafka off the executor's thread

    std::map<std::uint64_t, pending_record> pending_; // by produce() order
    std::uint64_t next_sequence_ = 1;
    std::size_t buffered_bytes_ = 0;
    std::vector<completion> completed_; // delivery reports of one wake, run after librdkafka's poll
    std::vector<std::pair<std::uint64_t, flush_handler>> flushes_; // done once nothing below the mark is pending
    static constexpr std::chrono::milliseconds flush_slice{1};
    static constexpr std::chrono::milliseconds flush_pause{8};
    boost::asio::steady_timer flush_pause_; // between two flush slices
    bool slicing_ = false;                  // the worker is in rd_kafka_flush()
    bool stopped_ = false;
};

} // namespace kspout::rdkafka
