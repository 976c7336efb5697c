// The rdkafka engine: librdkafka fetches the assigned partitions and commits offsets, behind io::fetch_engine.
#include "protocol/rdkafka/rdkafka_consumer.hpp"

#include "protocol/io/error.hpp"
#include "protocol/rdkafka/rdkafka_client.hpp"
#include "protocol/rdkafka/rdkafka_error.hpp"

#include <boost/asio/post.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <system_error>

namespace kspout::rdkafka {

namespace asio = boost::asio;

namespace {

std::optional<wire::bytes_view> view(const void* data, std::size_t size)
{
    if (!data) return std::nullopt;
    return wire::bytes_view(static_cast<const std::uint8_t*>(data), size);
}

} // namespace

std::shared_ptr<rdkafka_consumer> rdkafka_consumer::create(asio::any_io_executor executor,
                                                           const std::vector<property>& properties,
                                                           io::consumer_options options, log::logger log)
{
    std::shared_ptr<rdkafka_consumer> self(new rdkafka_consumer(std::move(executor), std::move(options), std::move(log)));
    self->open(properties);
    self->arm_wake();
    return self;
}

rdkafka_consumer::rdkafka_consumer(asio::any_io_executor executor, io::consumer_options options, log::logger log)
    : executor_(std::move(executor)), options_(std::move(options)), log_(std::move(log)), wake_(executor_)
{
}

rdkafka_consumer::~rdkafka_consumer()
{
    stop();
    worker_.join(); // librdkafka is destroyed there; its callbacks point at this object
}

void rdkafka_consumer::open(const std::vector<property>& properties)
{
    rk_ = new_client(RD_KAFKA_CONSUMER, properties, this, [](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_log_cb(conf, &rdkafka_consumer::on_log);
        rd_kafka_conf_set_error_cb(conf, &rdkafka_consumer::on_librdkafka_error);
    });
    main_queue_.reset(rd_kafka_queue_get_main(rk_));
    rd_kafka_queue_io_event_enable(main_queue_.get(), wake_.write_fd(), "m", 1);
    if (!options_.group_id.empty()) committer_ = rdkafka_committer::create(executor_, properties, options_.topic, log_);
}

// ---- assignment ----

std::error_code rdkafka_consumer::assign(const std::vector<io::partition_start>& partitions)
{
    for (const auto& p : partitions) {
        if (p.partition < 0 || (p.offset && *p.offset < 0)) return io::consumer_errc::invalid_argument;
    }
    std::vector<std::int32_t> unknown_starts;
    for (const auto& p : partitions) {
        if (stopped_) break;
        auto it = partitions_.find(p.partition);
        if (it != partitions_.end()) {
            if (p.offset) seek(p.partition, *p.offset);
            continue;
        }
        add_partition(p.partition, p.offset);
        if (!p.offset) unknown_starts.push_back(p.partition);
    }
    if (!unknown_starts.empty()) look_up_start(std::move(unknown_starts));
    return {};
}

void rdkafka_consumer::add_partition(std::int32_t partition, std::optional<std::int64_t> offset)
{
    partition_state state;
    // Its own queue before librdkafka fetches anything for it: nothing reaches the consumer queue.
    state.queue.reset(rd_kafka_queue_get_partition(rk_, options_.topic.c_str(), partition));
    rd_kafka_queue_forward(state.queue.get(), nullptr);
    rd_kafka_queue_io_event_enable(state.queue.get(), wake_.write_fd(), "p", 1);
    state.epoch = next_epoch_++;
    partitions_.emplace(partition, std::move(state));
    if (offset) start_fetching(partition, *offset);
}

void rdkafka_consumer::look_up_start(std::vector<std::int32_t> partitions)
{
    if (options_.group_id.empty() || options_.reset_offset_on_start) {
        for (auto p : partitions) reset_start(p, partitions_.at(p).epoch);
        return;
    }
    std::map<std::int32_t, std::uint64_t> epochs;
    for (auto p : partitions) epochs[p] = partitions_.at(p).epoch;
    fetch_committed(partitions, [weak = weak_from_this(), epochs](std::error_code ec,
                                                                   std::map<std::int32_t, std::int64_t> committed) {
        auto self = weak.lock();
        if (!self || self->stopped_) return;
        for (const auto& [p, epoch] : epochs) {
            auto it = self->partitions_.find(p);
            if (it == self->partitions_.end() || it->second.epoch != epoch) continue; // revoked or sought meanwhile
            if (ec) {
                self->report(p, ec, "committed offset of " + io::partition_label(self->options_.topic, p) +
                                        " not found: " + ec.message() + " (retrying)");
                self->retry_start(p, epoch);
            } else if (committed[p] >= 0) {
                self->start_fetching(p, committed[p]);
            } else {
                self->reset_start(p, epoch);
            }
        }
    });
}

// librdkafka has no asynchronous offset lookup in the versions we build with: its blocking
// watermark query runs on our worker thread.
void rdkafka_consumer::reset_start(std::int32_t partition, std::uint64_t epoch)
{
    auto& state = partitions_.at(partition);
    if (options_.auto_offset_reset == io::offset_reset::error) {
        state.phase = io::partition_phase::stopped;
        report(partition, io::consumer_errc::no_offset,
               io::partition_label(options_.topic, partition) + " has no committed offset and the reset policy is error");
        return;
    }
    state.phase = io::partition_phase::awaiting_reset;
    const bool earliest = options_.auto_offset_reset == io::offset_reset::earliest;
    const int timeout_ms = static_cast<int>(options_.request_timeout.count());
    asio::post(worker_, [rk = rk_, topic = options_.topic, partition, epoch, earliest, timeout_ms,
                         weak = weak_from_this(), executor = executor_] {
        std::int64_t low = -1, high = -1;
        auto err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, &low, &high, timeout_ms);
        asio::post(executor, [weak, partition, epoch, err, start = earliest ? low : high] {
            auto self = weak.lock();
            if (!self || self->stopped_) return;
            auto it = self->partitions_.find(partition);
            if (it == self->partitions_.end() || it->second.epoch != epoch) return;
            if (err) {
                self->report(partition, make_rdkafka_error(err),
                             "start of " + io::partition_label(self->options_.topic, partition) +
                                 " not found: " + rd_kafka_err2str(err) + " (retrying)");
                self->retry_start(partition, epoch);
                return;
            }
            self->start_fetching(partition, start);
        });
    });
}

void rdkafka_consumer::retry_start(std::int32_t partition, std::uint64_t epoch)
{
    auto timer = std::make_shared<asio::steady_timer>(executor_, options_.retry_backoff);
    timer->async_wait([timer, weak = weak_from_this(), partition, epoch](std::error_code) {
        auto self = weak.lock();
        if (!self || self->stopped_) return;
        auto it = self->partitions_.find(partition);
        if (it == self->partitions_.end() || it->second.epoch != epoch) return;
        self->look_up_start({partition});
    });
}

void rdkafka_consumer::start_fetching(std::int32_t partition, std::int64_t offset)
{
    auto list = partition_list({partition});
    list->elems[0].offset = offset;
    error_ptr error(rd_kafka_incremental_assign(rk_, list.get()));
    if (error) {
        report(partition, make_rdkafka_error(rd_kafka_error_code(error.get())),
               io::partition_label(options_.topic, partition) + " not assigned: " + rd_kafka_error_string(error.get()));
        partitions_.at(partition).phase = io::partition_phase::stopped;
        return;
    }
    auto& state = partitions_.at(partition);
    state.phase = io::partition_phase::active;
    state.position = offset;
    if (state.paused) {
        auto paused = partition_list({partition});
        rd_kafka_pause_partitions(rk_, paused.get());
    }
    notify_waiters();
}

void rdkafka_consumer::revoke(const std::vector<std::int32_t>& partitions)
{
    std::vector<std::int32_t> fetching;
    bool released = false;
    for (auto p : partitions) {
        auto it = partitions_.find(p);
        if (it == partitions_.end()) continue;
        if (it->second.phase == io::partition_phase::active || it->second.phase == io::partition_phase::stopped)
            fetching.push_back(p);
        if (!released) {
            release_lent(); // the last poll may hold its messages
            released = true;
        }
        rd_kafka_queue_io_event_enable(it->second.queue.get(), -1, nullptr, 0);
        partitions_.erase(it);
    }
    if (!fetching.empty() && rk_) {
        auto list = partition_list(fetching);
        error_ptr error(rd_kafka_incremental_unassign(rk_, list.get()));
        if (error) log_.warning(std::string("librdkafka unassign: ") + rd_kafka_error_string(error.get()));
    }
}

std::vector<std::int32_t> rdkafka_consumer::assignment() const
{
    std::vector<std::int32_t> out;
    for (const auto& [p, state] : partitions_) out.push_back(p);
    return out;
}

// ---- pause, resume, seek ----

std::error_code rdkafka_consumer::pause(std::int32_t partition)
{
    auto it = partitions_.find(partition);
    if (it == partitions_.end()) return io::consumer_errc::not_owned;
    if (it->second.paused) return {};
    it->second.paused = true;
    if (it->second.phase == io::partition_phase::active) {
        auto list = partition_list({partition});
        rd_kafka_pause_partitions(rk_, list.get());
    }
    return {};
}

std::error_code rdkafka_consumer::resume(std::int32_t partition)
{
    auto it = partitions_.find(partition);
    if (it == partitions_.end()) return io::consumer_errc::not_owned;
    if (!it->second.paused) return {};
    it->second.paused = false;
    if (it->second.phase == io::partition_phase::active) {
        auto list = partition_list({partition});
        rd_kafka_resume_partitions(rk_, list.get());
    }
    notify_waiters();
    return {};
}

std::error_code rdkafka_consumer::seek(std::int32_t partition, std::int64_t offset)
{
    if (offset < 0) return io::consumer_errc::invalid_argument;
    auto it = partitions_.find(partition);
    if (it == partitions_.end()) return io::consumer_errc::not_owned;
    release_lent();
    auto& state = it->second;
    state.ready.clear(); // taken from the old position
    state.epoch = next_epoch_++; // a start still being looked up no longer applies
    if (state.phase != io::partition_phase::active) {
        // Not handed to librdkafka yet, or stopped by an error: (re)assign at the offset.
        if (state.phase == io::partition_phase::stopped) {
            auto list = partition_list({partition});
            error_ptr(rd_kafka_incremental_unassign(rk_, list.get()));
        }
        start_fetching(partition, offset);
        return {};
    }
    // librdkafka bumps the partition's version at once, so every message fetched from the old
    // position is dropped; waiting makes the new position its own before the next poll.
    auto list = partition_list({partition});
    list->elems[0].offset = offset;
    error_ptr error(rd_kafka_seek_partitions(rk_, list.get(), static_cast<int>(options_.request_timeout.count())));
    auto err = error ? rd_kafka_error_code(error.get()) : list->elems[0].err;
    if (err) return make_rdkafka_error(err);
    state.position = offset;
    return {};
}

// ---- messages ----

void rdkafka_consumer::release_lent()
{
    polled_.clear();
    polled_headers_.clear();
    lent_.clear();
}

std::span<const io::consumer_message> rdkafka_consumer::poll(std::size_t max_messages)
{
    release_lent();
    if (stopped_ || partitions_.empty() || max_messages == 0) return {};
    std::vector<std::int32_t> order;
    for (const auto& [p, state] : partitions_) {
        if (state.phase == io::partition_phase::active && !state.paused) order.push_back(p);
    }
    if (order.empty()) return {};
    const std::size_t first = rotation_++ % order.size();
    for (std::size_t i = 0; i < order.size() && polled_.size() < max_messages; ++i) {
        const std::int32_t partition = order[(first + i) % order.size()];
        auto& state = partitions_.at(partition);
        if (state.ready.empty()) take_from_queue(partition, state, max_messages - polled_.size());
        while (!state.ready.empty() && polled_.size() < max_messages) {
            message_ptr m = std::move(state.ready.front());
            state.ready.pop_front();
            io::consumer_message out;
            out.topic = options_.topic;
            out.partition = partition;
            out.offset = m->offset;
            rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
            out.timestamp = rd_kafka_message_timestamp(m.get(), &type);
            // A v0 message has no timestamp; librdkafka leaves 0 there, Kafka and our engine say -1.
            if (type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE) out.timestamp = -1;
            out.timestamp_type = type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? records::timestamp_type::log_append_time
                                                                            : records::timestamp_type::create_time;
            out.key = view(m->key, m->key_len);
            out.value = view(m->payload, m->len);
            rd_kafka_headers_t* headers = nullptr;
            if (rd_kafka_message_headers(m.get(), &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers) {
                auto& list = polled_headers_.emplace_back();
                const char* name = nullptr;
                const void* value = nullptr;
                std::size_t size = 0;
                for (std::size_t h = 0; rd_kafka_header_get_all(headers, h, &name, &value, &size) == 0; ++h) {
                    list.push_back({name, view(value, size)});
                }
                out.headers = list;
            }
            state.position = m->offset + 1;
            polled_.push_back(out);
            lent_.push_back(std::move(m));
        }
    }
    return polled_;
}

void rdkafka_consumer::take_from_queue(std::int32_t partition, partition_state& state, std::size_t max_messages)
{
    std::vector<rd_kafka_message_t*> batch(std::max<std::size_t>(max_messages, 1));
    auto got = rd_kafka_consume_batch_queue(state.queue.get(), 0, batch.data(), batch.size());
    for (ssize_t k = 0; k < got; ++k) {
        message_ptr m(batch[static_cast<std::size_t>(k)]);
        if (!m->err) {
            state.ready.push_back(std::move(m));
            continue;
        }
        if (m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) state.phase = io::partition_phase::stopped;
        report(partition, make_rdkafka_error(m->err),
               io::partition_label(options_.topic, partition) + ": " + rd_kafka_message_errstr(m.get()));
    }
}

bool rdkafka_consumer::has_pollable_data()
{
    for (auto& [p, state] : partitions_) {
        if (state.phase != io::partition_phase::active || state.paused) continue;
        if (state.ready.empty() && rd_kafka_queue_length(state.queue.get()) > 0) take_from_queue(p, state, 500);
        if (!state.ready.empty()) return true;
    }
    return false;
}

void rdkafka_consumer::async_wait_data(wait_handler handler)
{
    if (stopped_) {
        asio::post(executor_, [handler = std::move(handler)] { handler(io::errc::shut_down); });
        return;
    }
    waiters_.push_back(std::move(handler));
    notify_waiters();
}

void rdkafka_consumer::notify_waiters()
{
    if (waiters_.empty() || !has_pollable_data()) return;
    for (auto& handler : std::exchange(waiters_, {})) {
        asio::post(executor_, [handler = std::move(handler)] { handler({}); });
    }
}

// ---- librdkafka's signals ----

void rdkafka_consumer::arm_wake()
{
    wake_.arm([weak = weak_from_this()] {
        auto self = weak.lock();
        if (self && !self->stopped_) self->on_wake();
    });
}

// A queue signals only when it goes from empty to non-empty: each wake serves the main and
// control queues completely; partition queues are read by poll(), and has_pollable_data()
// takes from them rather than trusting signals.
void rdkafka_consumer::on_wake()
{
    rd_kafka_poll(rk_, 0); // logs and errors, through on_log and on_librdkafka_error
    if (stopped_) return;
    notify_waiters();
    arm_wake();
}

void rdkafka_consumer::on_log(const rd_kafka_t* rk, int level, const char* facility, const char* text)
{
    auto* self = static_cast<rdkafka_consumer*>(rd_kafka_opaque(rk));
    if (self->stopped_) return; // librdkafka is being destroyed on the worker thread
    self->log_.log(from_syslog(level), std::string("librdkafka ") + facility + ": " + text);
}

void rdkafka_consumer::on_librdkafka_error(rd_kafka_t*, int err, const char* reason, void* opaque)
{
    auto* self = static_cast<rdkafka_consumer*>(opaque);
    if (self->stopped_) return;
    const auto code = make_rdkafka_error(static_cast<rd_kafka_resp_err_t>(err));
    self->log_.warning(std::string("librdkafka: ") + reason);
    if (err == RD_KAFKA_RESP_ERR__FATAL) self->report(-1, code, std::string("librdkafka stopped: ") + reason);
}

void rdkafka_consumer::report(std::int32_t partition, std::error_code code, std::string message)
{
    log_.warning(message);
    if (!on_error_) return;
    auto it = partitions_.find(partition);
    io::consumer_error e{partition, it == partitions_.end() ? -1 : it->second.position, code, std::move(message)};
    asio::post(executor_, [weak = weak_from_this(), e = std::move(e)] {
        auto self = weak.lock();
        if (self && !self->stopped_ && self->on_error_) self->on_error_(e);
    });
}

// ---- positions ----

std::optional<std::int64_t> rdkafka_consumer::position(std::int32_t partition) const
{
    auto it = partitions_.find(partition);
    if (it == partitions_.end() || it->second.position < 0) return std::nullopt;
    return it->second.position;
}

std::optional<std::int64_t> rdkafka_consumer::high_watermark(std::int32_t partition) const
{
    if (!partitions_.contains(partition)) return std::nullopt;
    std::int64_t low = -1, high = -1;
    if (rd_kafka_get_watermark_offsets(rk_, options_.topic.c_str(), partition, &low, &high) || high < 0)
        return std::nullopt;
    return high;
}

std::optional<io::partition_phase> rdkafka_consumer::phase(std::int32_t partition) const
{
    auto it = partitions_.find(partition);
    if (it == partitions_.end()) return std::nullopt;
    return it->second.phase;
}

// ---- offsets ----

// On a handle of its own (see rdkafka_committer): librdkafka keeps a commit it cannot send until
// the coordinator is back, and only destroying its handle withdraws it.
void rdkafka_consumer::commit(std::map<std::int32_t, std::int64_t> offsets, std::chrono::steady_clock::time_point send_by,
                              commit_handler handler)
{
    std::error_code refused;
    if (stopped_) refused = io::errc::shut_down;
    else if (!committer_) refused = io::consumer_errc::no_group;
    if (refused) {
        asio::post(executor_, [handler = std::move(handler), refused] { handler(refused); });
        return;
    }
    committer_->commit(offsets, send_by, std::move(handler));
}

// rd_kafka_committed blocks, so it runs on the worker, where librdkafka is also destroyed: never after that.
void rdkafka_consumer::fetch_committed(std::vector<std::int32_t> partitions, committed_handler handler)
{
    std::error_code refused;
    if (stopped_) refused = io::errc::shut_down;
    else if (options_.group_id.empty()) refused = io::consumer_errc::no_group;
    if (refused) {
        asio::post(executor_, [handler = std::move(handler), refused] { handler(refused, {}); });
        return;
    }
    const auto id = next_request_++;
    lookups_.emplace(id, std::move(handler));
    asio::post(worker_, [rk = rk_, list = partition_list(partitions), executor = executor_, weak = weak_from_this(), id,
                         timeout_ms = static_cast<int>(options_.request_timeout.count())] {
        std::error_code ec = make_rdkafka_error(rd_kafka_committed(rk, list.get(), timeout_ms));
        std::map<std::int32_t, std::int64_t> committed;
        for (int i = 0; i < list->cnt; ++i) {
            const auto& e = list->elems[i];
            if (e.err && !ec) ec = make_rdkafka_error(e.err);
            committed[e.partition] = e.offset >= 0 ? e.offset : -1;
        }
        if (ec) committed.clear();
        asio::post(executor, [weak, id, ec, committed = std::move(committed)]() mutable {
            auto self = weak.lock();
            if (!self) return;
            if (auto node = self->lookups_.extract(id); !node.empty()) node.mapped()(ec, std::move(committed));
        });
    });
}

partition_list_ptr rdkafka_consumer::partition_list(const std::vector<std::int32_t>& partitions) const
{
    partition_list_ptr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
    for (auto p : partitions) rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), p);
    return list;
}

// ---- stop ----

void rdkafka_consumer::stop()
{
    if (stopped_) return;
    stopped_ = true;
    for (auto& handler : std::exchange(waiters_, {})) {
        asio::post(executor_, [handler = std::move(handler)] { handler(io::errc::shut_down); });
    }
    if (committer_) committer_->stop();
    for (auto& [id, handler] : std::exchange(lookups_, {})) {
        asio::post(executor_, [handler = std::move(handler)] { handler(io::errc::shut_down, {}); });
    }
    release_lent();
    for (auto& [p, state] : partitions_) rd_kafka_queue_io_event_enable(state.queue.get(), -1, nullptr, 0);
    partitions_.clear();
    if (main_queue_) rd_kafka_queue_io_event_enable(main_queue_.get(), -1, nullptr, 0);
    main_queue_.reset();
    wake_.close();
    // Closing and destroying librdkafka waits for its threads: off the executor's thread.
    asio::post(worker_, [rk = std::exchange(rk_, nullptr), fd = wake_.release_write_fd()] {
        destroy_client(rk);
        if (fd >= 0) ::close(fd);
    });
}

} // namespace kspout::rdkafka
