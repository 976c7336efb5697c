// The rdkafka engine's producer: librdkafka batches, sends and retries; delivery reports come back on the executor.
#include "protocol/rdkafka/rdkafka_producer.hpp"

#include "protocol/io/error.hpp"
#include "protocol/io/producer_error.hpp"
#include "protocol/rdkafka/rdkafka_client.hpp"
#include "protocol/rdkafka/rdkafka_error.hpp"

#include <boost/asio/post.hpp>

#include <unistd.h>

namespace kspout::rdkafka {

namespace asio = boost::asio;

namespace {

std::error_code produce_error(rd_kafka_resp_err_t err)
{
    switch (err) {
    case RD_KAFKA_RESP_ERR__QUEUE_FULL: return io::producer_errc::queue_full;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE: return io::producer_errc::record_too_large;
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION: return io::producer_errc::unknown_partition;
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT: return io::producer_errc::delivery_timed_out;
    default: return make_rdkafka_error(err);
    }
}

// The bytes produce() counts against the buffer bound: what the record carries.
std::size_t record_size(std::optional<std::string_view> key, std::optional<std::string_view> value,
                        const std::vector<io::record_header>& headers)
{
    std::size_t size = (key ? key->size() : 0) + (value ? value->size() : 0);
    for (const auto& h : headers) size += h.key.size() + (h.value ? h.value->size() : 0);
    return size;
}

} // namespace

std::shared_ptr<rdkafka_producer> rdkafka_producer::create(asio::any_io_executor executor,
                                                           const std::vector<property>& properties,
                                                           io::producer_options options, log::logger log)
{
    std::shared_ptr<rdkafka_producer> self(new rdkafka_producer(std::move(executor), std::move(options), std::move(log)));
    self->open(properties);
    self->wake_.arm([weak = std::weak_ptr<rdkafka_producer>(self)] {
        if (auto s = weak.lock(); s && !s->stopped_) s->on_wake();
    });
    return self;
}

rdkafka_producer::rdkafka_producer(asio::any_io_executor executor, io::producer_options options, log::logger log)
    : executor_(std::move(executor)), options_(std::move(options)), log_(std::move(log)), wake_(executor_),
      flush_pause_(executor_)
{
}

rdkafka_producer::~rdkafka_producer()
{
    stop();
    worker_.join(); // librdkafka is destroyed there; its callbacks point at this object
}

void rdkafka_producer::open(const std::vector<property>& properties)
{
    // Delivery reports, logs and errors as events on the main queue, served by on_wake. In this
    // mode rd_kafka_flush() only waits (it serves nothing), so the worker thread may call it.
    rk_ = new_client(RD_KAFKA_PRODUCER, properties, this, [](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_events(conf, RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_LOG | RD_KAFKA_EVENT_ERROR);
    });
    main_queue_.reset(rd_kafka_queue_get_main(rk_));
    rd_kafka_queue_io_event_enable(main_queue_.get(), wake_.write_fd(), "m", 1);
}

std::error_code rdkafka_producer::produce(std::string_view topic, std::optional<std::int32_t> partition,
                                          std::optional<std::string_view> key, std::optional<std::string_view> value,
                                          std::vector<io::record_header> headers, std::optional<std::int64_t> timestamp,
                                          io::delivery_handler on_delivery)
{
    if (stopped_) return io::errc::shut_down;
    if (topic.empty()) return io::producer_errc::empty_topic;
    const std::size_t size = record_size(key, value, headers);
    if (size > options_.max_buffered_bytes) return io::producer_errc::record_too_large;
    if (buffered_bytes_ + size > options_.max_buffered_bytes) return io::producer_errc::queue_full;

    rd_kafka_headers_t* list = headers.empty() ? nullptr : rd_kafka_headers_new(headers.size());
    for (const auto& h : headers) {
        rd_kafka_header_add(list, h.key.data(), static_cast<ssize_t>(h.key.size()), h.value ? h.value->data() : nullptr,
                            h.value ? static_cast<ssize_t>(h.value->size()) : 0);
    }
    const std::uint64_t sequence = next_sequence_++;
    const std::string topic_name(topic);
    const std::int32_t to_partition = partition.value_or(RD_KAFKA_PARTITION_UA);
    // librdkafka copies (RD_KAFKA_MSG_F_COPY); its API takes the pointers as not const.
    void* key_data = key ? const_cast<char*>(key->data()) : nullptr;
    const std::size_t key_size = key ? key->size() : 0;
    void* value_data = value ? const_cast<char*>(value->data()) : nullptr;
    const std::size_t value_size = value ? value->size() : 0;
    const std::int64_t at = timestamp.value_or(0); // 0: librdkafka stamps the current time
    auto err = rd_kafka_producev(rk_, RD_KAFKA_V_TOPIC(topic_name.c_str()), RD_KAFKA_V_PARTITION(to_partition),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key_data, key_size),
                                 RD_KAFKA_V_VALUE(value_data, value_size), RD_KAFKA_V_HEADERS(list),
                                 RD_KAFKA_V_TIMESTAMP(at), RD_KAFKA_V_OPAQUE(as_opaque(sequence)), RD_KAFKA_V_END);
    if (err) {
        if (list) rd_kafka_headers_destroy(list); // librdkafka owns them only on success
        return produce_error(err);
    }
    pending_.emplace(sequence, pending_record{std::move(on_delivery), size});
    buffered_bytes_ += size;
    return {};
}

bool rdkafka_producer::has_room(std::optional<std::string_view> key, std::optional<std::string_view> value,
                                const std::vector<io::record_header>& headers) const
{
    return !stopped_ && buffered_bytes_ + record_size(key, value, headers) <= options_.max_buffered_bytes;
}

void rdkafka_producer::flush(flush_handler done)
{
    if (stopped_) {
        asio::post(executor_, [done = std::move(done)] { done(io::errc::shut_down); });
        return;
    }
    flushes_.emplace_back(next_sequence_ - 1, std::move(done));
    finish_flushes();
    if (!flushes_.empty()) cut_linger_short();
}

// librdkafka sends lingering batches at once only while rd_kafka_flush() runs, and sends every
// record produced meanwhile at once too, one request each. So the worker thread flushes in short
// slices with pauses between them while a flush is pending: the records below the mark leave in
// the first slice (the later slices are for brokers not yet connected), records produced during
// the wait for their delivery are batched by linger.ms as usual, and a new flush ends a pause. (One long flush held the
// bolt at Storm's bound to single-record requests, a tenth of its throughput.)
void rdkafka_producer::cut_linger_short()
{
    if (slicing_ || stopped_) return;
    slicing_ = true;
    flush_pause_.cancel(); // a flush called during a pause has records to send now
    asio::post(worker_, [rk = rk_, weak = weak_from_this(), executor = executor_] {
        rd_kafka_flush(rk, static_cast<int>(flush_slice.count()));
        asio::post(executor, [weak] {
            auto self = weak.lock();
            if (!self) return;
            self->slicing_ = false;
            if (self->stopped_ || self->flushes_.empty()) return;
            self->flush_pause_.expires_after(flush_pause);
            self->flush_pause_.async_wait([weak](std::error_code ec) {
                auto me = weak.lock();
                if (!ec && me && !me->flushes_.empty()) me->cut_linger_short();
            });
        });
    });
}

void rdkafka_producer::finish_flushes()
{
    const std::uint64_t oldest_pending = pending_.empty() ? next_sequence_ : pending_.begin()->first;
    auto still_waiting = std::partition(flushes_.begin(), flushes_.end(),
                                        [&](const auto& f) { return f.first >= oldest_pending; });
    for (auto it = still_waiting; it != flushes_.end(); ++it) {
        asio::post(executor_, [done = std::move(it->second)] { done({}); });
    }
    flushes_.erase(still_waiting, flushes_.end());
}

// Events are served here, on the executor's thread; delivery handlers run after the queue is
// drained, so that they may produce again.
void rdkafka_producer::on_wake()
{
    while (!stopped_) {
        event_ptr event(rd_kafka_queue_poll(main_queue_.get(), 0));
        if (!event) break;
        switch (rd_kafka_event_type(event.get())) {
        case RD_KAFKA_EVENT_DR:
            while (const auto* message = rd_kafka_event_message_next(event.get())) delivered(*message);
            break;
        case RD_KAFKA_EVENT_LOG: {
            const char* facility = "";
            const char* text = "";
            int level = 6;
            rd_kafka_event_log(event.get(), &facility, &text, &level);
            log_.log(from_syslog(level), std::string("librdkafka ") + facility + ": " + text);
            break;
        }
        case RD_KAFKA_EVENT_ERROR:
            log_.warning(std::string("librdkafka: ") + rd_kafka_event_error_string(event.get()));
            break;
        default: break;
        }
    }
    for (auto& c : std::exchange(completed_, {})) {
        if (c.handler) c.handler(c.ec, c.partition, c.offset);
    }
    if (stopped_) return;
    finish_flushes();
    wake_.arm([weak = weak_from_this()] {
        if (auto self = weak.lock(); self && !self->stopped_) self->on_wake();
    });
}

void rdkafka_producer::delivered(const rd_kafka_message_t& message)
{
    auto node = pending_.extract(from_opaque(message._private));
    if (node.empty()) return;
    buffered_bytes_ -= node.mapped().size;
    completion c{std::move(node.mapped().handler), produce_error(message.err), message.partition,
                 message.offset >= 0 ? message.offset : -1};
    if (message.err) c.partition = message.partition >= 0 ? message.partition : -1;
    if (!message.err && options_.acks == 0) c.offset = -1;
    completed_.push_back(std::move(c));
}

void rdkafka_producer::stop()
{
    if (stopped_) return;
    stopped_ = true;
    for (auto& [sequence, record] : std::exchange(pending_, {})) {
        if (record.handler) {
            asio::post(executor_, [handler = std::move(record.handler)] { handler(io::errc::shut_down, -1, -1); });
        }
    }
    buffered_bytes_ = 0;
    for (auto& [mark, done] : std::exchange(flushes_, {})) {
        asio::post(executor_, [done = std::move(done)] { done(io::errc::shut_down); });
    }
    flush_pause_.cancel();
    wake_.close();
    if (main_queue_) rd_kafka_queue_io_event_enable(main_queue_.get(), -1, nullptr, 0);
    main_queue_.reset();
    asio::post(worker_, [rk = std::exchange(rk_, nullptr), fd = wake_.release_write_fd()] {
        if (rk) rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        destroy_client(rk);
        if (fd >= 0) ::close(fd);
    });
}

} // namespace kspout::rdkafka
