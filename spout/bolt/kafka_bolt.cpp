// kafka_bolt: handshake -> settings -> producer; tuples -> records; deliveries -> acks and fails; paced input; exit.
#include "spout/bolt/kafka_bolt.hpp"

#include "multilang/context.hpp"
#include "protocol/engine/engines.hpp"
#include "protocol/log/logger.hpp"
#include "protocol/text/excerpt.hpp"

#include <boost/asio/post.hpp>

#include <cstdio>
#include <utility>

namespace kspout::spout::bolt {

namespace client_log = kspout::log; // the client library's logger; a plain log:: would name the member log()

namespace asio = boost::asio;
using multilang::log_level;

namespace {

constexpr auto exit_deadline = std::chrono::seconds(5);

std::string join(const std::vector<std::string>& lines)
{
    std::string out;
    for (const auto& l : lines) out += (out.empty() ? "" : "; ") + l;
    return out;
}

log_level from_client_level(client_log::log_level level)
{
    switch (level) {
    case client_log::log_level::debug: return log_level::debug;
    case client_log::log_level::info: return log_level::info;
    case client_log::log_level::warning: return log_level::warn;
    case client_log::log_level::error: return log_level::error;
    }
    return log_level::info;
}

client_log::log_level to_client_level(log_level level)
{
    switch (level) {
    case log_level::trace:
    case log_level::debug: return client_log::log_level::debug;
    case log_level::info: return client_log::log_level::info;
    case log_level::warn: return client_log::log_level::warning;
    case log_level::error: return client_log::log_level::error;
    }
    return client_log::log_level::info;
}

// The error stream carries the reason and the tuple's values: Storm's local mode checks the
// field count against the declaration.
std::optional<std::string> check_error_stream(const multilang::topology_context& context, const std::string& stream)
{
    if (stream.empty() || context.stream_output_fields.empty()) return std::nullopt;
    auto it = context.stream_output_fields.find(stream);
    if (it == context.stream_output_fields.end()) {
        return "kafka.bolt.error.stream: the topology declares no stream \"" + stream + "\" for this component";
    }
    if (it->second.size() != 2) {
        return "kafka.bolt.error.stream: stream \"" + stream + "\" must be declared with two fields (the reason and " +
               "the tuple's values), not " + std::to_string(it->second.size());
    }
    return std::nullopt;
}

} // namespace

std::shared_ptr<kafka_bolt> kafka_bolt::create(asio::any_io_executor executor,
                                               std::shared_ptr<multilang::channel> channel, command_line flags,
                                               nlohmann::json config_file, std::int64_t pid, exit_handler on_exit)
{
    return std::shared_ptr<kafka_bolt>(new kafka_bolt(std::move(executor), std::move(channel), std::move(flags),
                                                      std::move(config_file), pid, std::move(on_exit)));
}

kafka_bolt::kafka_bolt(asio::any_io_executor executor, std::shared_ptr<multilang::channel> channel,
                       command_line flags, nlohmann::json config_file, std::int64_t pid, exit_handler on_exit)
    : executor_(executor), channel_(std::move(channel)), flags_(std::move(flags)),
      config_file_(std::move(config_file)), pid_(pid), on_exit_(std::move(on_exit)), guard_timer_(executor),
      close_timer_(executor)
{
}

void kafka_bolt::start()
{
    multilang::bolt_session::handlers h;
    std::weak_ptr<kafka_bolt> weak = weak_from_this();
    h.on_handshake = [weak](const multilang::handshake& hs) -> std::optional<std::string> {
        auto self = weak.lock();
        return self ? self->on_handshake(hs) : std::optional<std::string>("bolt gone");
    };
    h.on_tuple = [weak](const multilang::bolt_tuple& tuple, multilang::bolt_session&) {
        if (auto self = weak.lock()) self->on_tuple(tuple);
    };
    h.on_heartbeat = [weak] {
        if (auto self = weak.lock()) self->on_heartbeat();
    };
    h.on_end_of_input = [weak] {
        if (auto self = weak.lock()) self->on_end_of_input();
    };
    h.on_protocol_error = [weak](const std::string& what) {
        if (auto self = weak.lock()) self->on_protocol_error(what);
    };
    session_ = multilang::bolt_session::create(channel_, std::move(h), pid_);
    session_->start();
}

std::optional<std::string> kafka_bolt::on_handshake(const multilang::handshake& h)
{
    bolt_settings_result loaded = load_bolt_settings(h.conf, flags_, config_file_);
    if (!loaded.value) return "bad settings: " + join(loaded.errors);
    settings_ = std::move(*loaded.value);

    std::string error;
    auto context = multilang::parse_context(h.context, error);
    if (!context) return "bad topology context: " + error;
    if (auto why = check_error_stream(*context, settings_.error_stream)) return why;

    mapping_.emplace(settings_.fields, settings_.value_format, settings_.topic);
    book_.emplace(static_cast<std::size_t>(settings_.max_in_flight));

    std::weak_ptr<kafka_bolt> weak = weak_from_this();
    client_log::logger producer_log;
    producer_log.threshold = to_client_level(settings_.log_level);
    producer_log.sink = [weak](client_log::log_level level, std::string_view text) {
        auto self = weak.lock();
        if (self && !self->finished_) self->log("kafka-bolt: " + std::string(text), from_client_level(level));
    };
    try {
        cluster_ = io::cluster::create(executor_, settings_.cluster, producer_log);
        producer_ = engine::make_producer_engine(executor_, cluster_, settings_.cluster, settings_.producer, producer_log);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    std::string hello = "kafka-bolt: task " + std::to_string(context->task_id) + " writing to " +
                        (settings_.topic.empty() ? "the topic in field " + settings_.fields.topic : settings_.topic) +
                        " (acks " + (settings_.producer.acks == -1 ? "all" : "1") + ", " +
                        (settings_.cluster.engine == io::client_engine::rdkafka ? "rdkafka" : "native") + " engine)";
    std::string warning;
    if (settings_.producer.delivery_timeout >= settings_.message_timeout) {
        warning = "kafka-bolt: kafka.bolt.delivery.timeout.ms (" +
                  std::to_string(settings_.producer.delivery_timeout.count()) +
                  ") is not below topology.message.timeout.secs (" +
                  std::to_string(settings_.message_timeout.count() / 1000) +
                  " s): Storm may replay a tuple whose record is still being retried, and both get written";
    }
    // After the pid: Storm reads the handshake reply as the first message.
    asio::post(executor_, [weak, hello, warning] {
        auto self = weak.lock();
        if (!self) return;
        self->log(hello);
        if (!warning.empty()) self->log(warning, log_level::warn);
    });
    return std::nullopt;
}

void kafka_bolt::log(const std::string& text, log_level level)
{
    if (static_cast<int>(level) < static_cast<int>(settings_.log_level)) return;
    if (session_) session_->log(text, level);
}

void kafka_bolt::on_tuple(const multilang::bolt_tuple& tuple)
{
    if (tuple.is_tick() || stopping_) {
        // A tick has no record. After stdin EOF or SIGTERM nothing new is taken on: Storm replays
        // a tuple that is not acked.
        if (tuple.is_tick()) session_->ack(tuple.id);
        return;
    }
    auto mapped = mapping_->map(tuple.values);
    if (!mapped.record) return refuse(tuple, mapped.error);
    book_->admit(tuple.id, std::move(*mapped.record));
    send(book_->take_sendable());
    // Storm sends no more tuples until some are acked, and this bolt reads no more at its own
    // bound: nothing will join the lingering batches, so they go out now.
    auto in_hand = static_cast<std::int64_t>(book_->in_flight() + book_->waiting());
    if (book_->full() || in_hand >= settings_.storm_max_pending) producer_->flush([](std::error_code) {});
    pace_input();
}

void kafka_bolt::refuse(const multilang::bolt_tuple& tuple, const std::string& why)
{
    std::string where = "tuple " + text::excerpt(tuple.id, 40) + " from " +
                        text::excerpt(tuple.component.value_or("?"), 80) + " on " +
                        text::excerpt(tuple.stream, 80);
    if (settings_.error_stream.empty()) {
        log("kafka-bolt: failing " + where + ": " + why, log_level::error);
        session_->fail(tuple.id);
        return;
    }
    log("kafka-bolt: " + where + " sent to " + settings_.error_stream + ": " + why, log_level::warn);
    session_->emit({tuple.id}, settings_.error_stream, nlohmann::json::array({why, tuple.values}));
    session_->ack(tuple.id);
}

void kafka_bolt::send(std::vector<delivery_book::sendable> batch)
{
    std::weak_ptr<kafka_bolt> weak = weak_from_this();
    for (std::size_t i = 0; i < batch.size(); ++i) {
        auto& item = batch[i];
        auto& r = item.record;
        if (producer_->outstanding() > 0 && !producer_->has_room(r.key, r.value, r.headers)) {
            // The producer's buffer is full: these wait (in order) until records in flight settle.
            for (std::size_t j = batch.size(); j-- > i;) book_->put_back(std::move(batch[j]));
            return;
        }
        auto on_delivery = [weak, ticket = item.ticket, topic = r.topic](std::error_code ec, std::int32_t partition,
                                                                          std::int64_t) {
            if (auto self = weak.lock()) self->on_delivered(ticket, ec, topic, partition);
        };
        auto refused = producer_->produce(r.topic, r.partition, r.key, r.value,
                                          std::move(r.headers), r.timestamp, std::move(on_delivery));
        if (refused) on_delivered(item.ticket, refused, r.topic, r.partition.value_or(-1));
    }
}

void kafka_bolt::on_delivered(std::uint64_t ticket, std::error_code ec, const std::string& topic,
                              std::int32_t partition)
{
    auto verdict = book_->settle(ticket, !ec);
    if (!verdict || finished_) return;
    if (verdict->ack) {
        session_->ack(verdict->tuple_id);
    } else {
        log("kafka-bolt: failing tuple " + text::excerpt(verdict->tuple_id, 40) + ": its record to " + topic +
                (partition >= 0 ? "-" + std::to_string(partition) : std::string()) + " was not written: " +
                ec.message(),
            log_level::warn);
        session_->fail(verdict->tuple_id);
    }
    if (!stopping_) {
        send(book_->take_sendable());
        pace_input();
    }
}

void kafka_bolt::pace_input()
{
    if (stopping_) return;
    if (!book_->full()) {
        guard_open_ = false;
        guard_timer_.cancel();
        channel_->resume_reading();
    } else if (!channel_->paused() && !guard_open_) {
        channel_->pause_reading();
        arm_guard_timer();
    }
}

void kafka_bolt::arm_guard_timer()
{
    guard_timer_.expires_after(settings_.subprocess_timeout / 4);
    guard_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->stopping_ || !self->channel_->paused()) return;
        self->guard_open_ = true;
        self->channel_->resume_reading();
    });
}

void kafka_bolt::on_heartbeat()
{
    if (!guard_open_) return;
    guard_open_ = false;
    pace_input();
}

void kafka_bolt::on_end_of_input()
{
    if (stopping_) return;
    stopping_ = true;
    guard_timer_.cancel();
    channel_->stop_reading();
    if (!producer_) return finish(0);
    // Everything in hand goes out; the tuples whose records the broker confirms in time are acked.
    send(book_->take_all());
    producer_->flush([weak = weak_from_this()](std::error_code) {
        if (auto self = weak.lock()) self->finish(0);
    });
    close_timer_.expires_after(settings_.close_timeout);
    close_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->finished_) return;
        self->log("kafka-bolt: " + std::to_string(self->book_->in_flight()) +
                      " records still in flight after kafka.bolt.close.timeout.ms; their tuples are not acked",
                  log_level::warn);
        self->producer_->stop(); // fails them, and the flush
    });
}

void kafka_bolt::on_protocol_error(const std::string& what)
{
    // Storm's last words are unknown: nothing more is acked.
    stopping_ = true;
    std::fprintf(stderr, "kafka-bolt: %s\n", what.c_str());
    finish(1);
}

void kafka_bolt::finish(int code)
{
    if (finished_) return;
    finished_ = true;
    guard_timer_.cancel();
    close_timer_.cancel();
    if (producer_) producer_->stop();
    if (cluster_) cluster_->shut_down();
    // The last acks go out first, unless Storm stopped reading stdout: then the deadline ends it.
    auto deadline = std::make_shared<asio::steady_timer>(executor_, exit_deadline);
    auto exit = [on_exit = on_exit_, code, deadline, done = std::make_shared<bool>(false)] {
        if (std::exchange(*done, true)) return;
        deadline->cancel();
        on_exit(code);
    };
    channel_->when_flushed(exit);
    deadline->async_wait([exit](std::error_code ec) {
        if (!ec) exit();
    });
}

} // namespace kspout::spout::bolt
