// rdkafka_committer: commits on their own librdkafka handle; one that overstays its send-by time takes the handle with it.
#include "protocol/rdkafka/rdkafka_committer.hpp"

#include "protocol/io/consumer_error.hpp"
#include "protocol/io/error.hpp"
#include "protocol/rdkafka/rdkafka_client.hpp"
#include "protocol/rdkafka/rdkafka_error.hpp"

#include <boost/asio/post.hpp>

#include <unistd.h>

#include <utility>

namespace kspout::rdkafka {

namespace asio = boost::asio;

std::shared_ptr<rdkafka_committer> rdkafka_committer::create(asio::any_io_executor executor,
                                                             std::vector<property> properties, std::string topic,
                                                             log::logger log)
{
    std::shared_ptr<rdkafka_committer> self(
        new rdkafka_committer(std::move(executor), std::move(properties), std::move(topic), std::move(log)));
    self->open();
    self->arm_wake();
    return self;
}

rdkafka_committer::rdkafka_committer(asio::any_io_executor executor, std::vector<property> properties,
                                     std::string topic, log::logger log)
    : executor_(std::move(executor)), properties_(std::move(properties)), topic_(std::move(topic)),
      log_(std::move(log)), wake_(executor_)
{
}

rdkafka_committer::~rdkafka_committer()
{
    stop();
    worker_.join();
}

void rdkafka_committer::open()
{
    rk_ = new_client(RD_KAFKA_CONSUMER, properties_, this, [](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_log_cb(conf, &rdkafka_committer::on_log);
        rd_kafka_conf_set_error_cb(conf, &rdkafka_committer::on_librdkafka_error);
    });
    main_queue_.reset(rd_kafka_queue_get_main(rk_));
    results_.reset(rd_kafka_queue_new(rk_));
    rd_kafka_queue_io_event_enable(main_queue_.get(), wake_.write_fd(), "m", 1);
    rd_kafka_queue_io_event_enable(results_.get(), wake_.write_fd(), "c", 1);
}

// Never closed as a consumer: closing waits for the commits it holds, which is what must not happen.
void rdkafka_committer::close_handle()
{
    for (auto* queue : {&main_queue_, &results_}) {
        if (*queue) rd_kafka_queue_io_event_enable(queue->get(), -1, nullptr, 0);
        queue->reset();
    }
    if (!rk_) return;
    asio::post(worker_, [rk = std::exchange(rk_, nullptr)] { rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE); });
}

void rdkafka_committer::commit(const std::map<std::int32_t, std::int64_t>& offsets, clock::time_point send_by,
                               commit_handler handler)
{
    std::error_code refused;
    if (stopped_ || !rk_) refused = io::errc::shut_down;
    else if (clock::now() >= send_by) refused = io::consumer_errc::commit_window_closed;
    if (refused || offsets.empty()) {
        asio::post(executor_, [handler = std::move(handler), refused] { handler(refused); });
        return;
    }
    partition_list_ptr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
    for (const auto& [p, offset] : offsets) rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), p)->offset = offset;
    const auto id = next_id_++;
    pending_commit pending{std::move(handler), nullptr};
    if (send_by != clock::time_point::max()) {
        pending.send_by = std::make_unique<asio::steady_timer>(executor_, send_by);
        pending.send_by->async_wait([weak = weak_from_this(), id](std::error_code ec) {
            auto self = weak.lock();
            if (ec || !self || !self->pending_.contains(id)) return;
            self->withdraw_pending();
        });
    }
    pending_.emplace(id, std::move(pending));
    if (auto err = rd_kafka_commit_queue(rk_, list.get(), results_.get(), nullptr, as_opaque(id))) {
        finish(id, make_rdkafka_error(err));
    }
}

void rdkafka_committer::withdraw_pending()
{
    log_.warning("offset commit not sent by its send-by time: librdkafka's handle holding it is replaced, so that "
                 "it never lands late");
    close_handle();
    for (auto& [id, pending] : std::exchange(pending_, {})) {
        asio::post(executor_, [handler = std::move(pending.handler)] { handler(io::consumer_errc::commit_window_closed); });
    }
    try {
        open();
    } catch (const std::exception& e) {
        log_.error(std::string("offset commits stop: ") + e.what()); // the same properties worked before
    }
}

void rdkafka_committer::finish(std::uint64_t id, std::error_code ec)
{
    auto node = pending_.extract(id);
    if (node.empty()) return;
    asio::post(executor_, [handler = std::move(node.mapped().handler), ec] { handler(ec); });
}

void rdkafka_committer::arm_wake()
{
    wake_.arm([weak = weak_from_this()] {
        auto self = weak.lock();
        if (self && !self->stopped_) self->on_wake();
    });
}

void rdkafka_committer::on_wake()
{
    if (rk_) rd_kafka_poll(rk_, 0); // logs and errors, through on_log and on_librdkafka_error
    while (!stopped_ && results_) {
        event_ptr event(rd_kafka_queue_poll(results_.get(), 0));
        if (!event) break;
        if (rd_kafka_event_type(event.get()) != RD_KAFKA_EVENT_OFFSET_COMMIT) continue;
        std::error_code ec = make_rdkafka_error(rd_kafka_event_error(event.get()));
        if (const auto* list = rd_kafka_event_topic_partition_list(event.get()); list && !ec) {
            for (int i = 0; i < list->cnt && !ec; ++i) ec = make_rdkafka_error(list->elems[i].err);
        }
        finish(from_opaque(rd_kafka_event_opaque(event.get())), ec);
    }
    if (!stopped_) arm_wake();
}

void rdkafka_committer::stop()
{
    if (stopped_) return;
    stopped_ = true;
    for (auto& [id, pending] : std::exchange(pending_, {})) {
        asio::post(executor_, [handler = std::move(pending.handler)] { handler(io::errc::shut_down); });
    }
    close_handle();
    wake_.close();
    asio::post(worker_, [fd = wake_.release_write_fd()] {
        if (fd >= 0) ::close(fd);
    });
}

void rdkafka_committer::on_log(const rd_kafka_t* rk, int level, const char* facility, const char* text)
{
    auto* self = static_cast<rdkafka_committer*>(rd_kafka_opaque(rk));
    if (self->stopped_) return;
    self->log_.log(from_syslog(level), std::string("librdkafka (commits) ") + facility + ": " + text);
}

void rdkafka_committer::on_librdkafka_error(rd_kafka_t*, int, const char* reason, void* opaque)
{
    auto* self = static_cast<rdkafka_committer*>(opaque);
    if (!self->stopped_) self->log_.warning(std::string("librdkafka (commits): ") + reason);
}

} // namespace kspout::rdkafka
