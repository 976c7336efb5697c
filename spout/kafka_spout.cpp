// kafka_spout: handshake -> settings -> consumer; ack/fail/deactivate; revokes, commits; exit paths.
#include "spout/kafka_spout.hpp"

#include "multilang/context.hpp"
#include "multilang/describe.hpp"
#include "protocol/error/error_kind.hpp"
#include "protocol/log/logger.hpp"
#include "protocol/member/member_factory.hpp"
#include "protocol/zk/zk_error.hpp"
#include "spout/message_id.hpp"

#include <boost/asio/post.hpp>

#include <cstdio>

#include <poll.h>

namespace kspout::spout {

namespace client_log = kspout::log; // the client library's logger; a plain log:: would name the member log()

namespace asio = boost::asio;
using multilang::log_level;
using done_callback = multilang::spout_session::done_callback;
using clock = std::chrono::steady_clock;

namespace {

constexpr auto exit_deadline = std::chrono::seconds(15);

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

// The reader of a pipe went away: writes fail with EPIPE and poll reports POLLERR.
bool reader_gone(int fd)
{
    pollfd p{fd, POLLOUT, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLERR) != 0;
}

std::string join(const std::vector<std::string>& lines)
{
    std::string out;
    for (const auto& l : lines) out += (out.empty() ? "" : "; ") + l;
    return out;
}

} // namespace

std::shared_ptr<kafka_spout> kafka_spout::create(asio::any_io_executor executor,
                                                 std::shared_ptr<multilang::channel> channel, int out_fd,
                                                 command_line flags, nlohmann::json config_file, std::int64_t pid,
                                                 exit_handler on_exit)
{
    return std::shared_ptr<kafka_spout>(new kafka_spout(std::move(executor), std::move(channel), out_fd,
                                                        std::move(flags), std::move(config_file), pid,
                                                        std::move(on_exit)));
}

kafka_spout::kafka_spout(asio::any_io_executor executor, std::shared_ptr<multilang::channel> channel, int out_fd,
                         command_line flags, nlohmann::json config_file, std::int64_t pid, exit_handler on_exit)
    : executor_(executor), channel_(std::move(channel)), out_fd_(out_fd), flags_(std::move(flags)),
      config_file_(std::move(config_file)), pid_(pid), on_exit_(std::move(on_exit)), next_timer_(executor),
      commit_timer_(executor), stats_timer_(executor), drain_timer_(executor)
{
}

void kafka_spout::start()
{
    multilang::spout_session::handlers h;
    std::weak_ptr<kafka_spout> weak = weak_from_this();
    h.on_handshake = [weak](const multilang::handshake& hs) -> std::optional<std::string> {
        auto self = weak.lock();
        return self ? self->on_handshake(hs) : std::optional<std::string>("spout gone");
    };
    h.on_next = [weak](done_callback done) {
        if (auto self = weak.lock()) self->on_next(self->with_metrics(std::move(done)));
    };
    h.on_ack = [weak](const nlohmann::json& id, done_callback done) {
        if (auto self = weak.lock()) self->on_ack(id, self->with_metrics(std::move(done)));
    };
    h.on_fail = [weak](const nlohmann::json& id, done_callback done) {
        if (auto self = weak.lock()) self->on_fail(id, self->with_metrics(std::move(done)));
    };
    h.on_activate = [weak](done_callback done) {
        if (auto self = weak.lock()) self->with_metrics(std::move(done))();
    };
    h.on_deactivate = [weak](done_callback done) {
        if (auto self = weak.lock()) self->on_deactivate(self->with_metrics(std::move(done)));
    };
    h.on_end_of_input = [weak] {
        if (auto self = weak.lock()) self->on_end_of_input();
    };
    h.on_protocol_error = [weak](const std::string& what) {
        if (auto self = weak.lock()) self->on_protocol_error(what);
    };
    session_ = multilang::spout_session::create(channel_, std::move(h), pid_);
    session_->start();
}

std::optional<std::string> kafka_spout::on_handshake(const multilang::handshake& h)
{
    settings_result loaded = load_settings(h.conf, flags_, config_file_);
    if (!loaded.value) return "bad settings: " + join(loaded.errors);
    settings_ = *loaded.value;

    std::string error;
    auto context = multilang::parse_context(h.context, error);
    if (!context) return "bad topology context: " + error;
    auto fields = resolve_tuple_fields(*context, settings_.stream, settings_.fields, error);
    if (!fields) return error;
    mapper_.emplace(*fields, settings_.format, settings_.invalid_utf8);
    if (!settings_.retry.dead_letter_stream.empty()) {
        auto dl_fields = resolve_tuple_fields(*context, settings_.retry.dead_letter_stream, settings_.fields, error);
        if (!dl_fields) return error;
        dead_letter_mapper_.emplace(*dl_fields, settings_.format, settings_.invalid_utf8);
    }
    retries_ = retry_policy(settings_.retry);
    metrics_ = metrics_reporter(settings_.metrics);

    if (settings_.assignment == assignment_mode::by_task_index) {
        auto index = context->task_index_and_count();
        if (!index) return "static assignment needs this task in the context's task->component map";
        settings_.group.fixed = balanced::static_member{index->first, index->second};
    }
    std::optional<member::classic_member_options> broker_group;
    if (settings_.assignment == assignment_mode::kafka) {
        auto index = context->task_index_and_count();
        if (!index) return "kafka assignment needs this task in the context's task->component map";
        broker_group = settings_.broker_group;
        broker_group->group_id = settings_.group.group_id;
        broker_group->topic = settings_.group.topic;
        // One id per task slot: a restarted task takes its partitions back without a rebalance.
        std::string topology = h.conf.contains("topology.name") && h.conf["topology.name"].is_string()
                                   ? h.conf["topology.name"].get<std::string>()
                                   : std::string("topology");
        broker_group->group_instance_id =
            settings_.group_instance_id.empty()
                ? topology + "-" + context->component_id + "-" + std::to_string(index->first)
                : settings_.group_instance_id;
    }

    member::member_listener listener;
    std::weak_ptr<kafka_spout> weak = weak_from_this();
    listener.on_assigned = [weak](const std::map<std::int32_t, std::int64_t>& starts) {
        if (auto self = weak.lock()) self->on_assigned(starts);
    };
    listener.on_revoking = [weak](const std::vector<std::int32_t>& partitions, std::function<void()> done) {
        if (auto self = weak.lock()) {
            self->on_revoking(partitions, std::move(done));
        } else {
            done();
        }
    };
    listener.on_error = [weak](std::error_code ec, const std::string& what) {
        if (auto self = weak.lock()) {
            std::string text = what;
            if (ec == zk::errc::no_auth || ec == zk::errc::auth_failed) {
                text += " (check kafka.zookeeper.auth: every member of the group needs the same)";
            }
            self->log("kafka-spout: " + text, log_level::error);
            self->session_->error(text);
        }
    };
    client_log::logger consumer_log;
    consumer_log.threshold = to_client_level(settings_.log_level);
    consumer_log.sink = [weak](client_log::log_level level, std::string_view text) {
        auto self = weak.lock();
        if (!self || self->finished_) return;
        self->log(std::string(text), level == client_log::log_level::error     ? log_level::error
                                     : level == client_log::log_level::warning ? log_level::warn
                                                                       : log_level::info);
    };
    consumer_ = member::make_group_member(
        executor_, {settings_.cluster, settings_.group, std::move(broker_group), settings_.group_protocol}, listener,
        consumer_log);
    consumer_->start();
    arm_commit_timer();
    arm_stats_timer();
    log("kafka-spout: task " + std::to_string(context->task_id) + " reading " + settings_.group.topic + " for group " +
        settings_.group.group_id + " (" + std::string(to_string(settings_.assignment)) + " assignment, " +
        (settings_.cluster.engine == io::client_engine::rdkafka ? "rdkafka" : "native") + " engine)");
    return std::nullopt;
}

void kafka_spout::log(const std::string& text, log_level level)
{
    if (static_cast<int>(level) < static_cast<int>(settings_.log_level)) return;
    if (session_) session_->log(text, level); // held until a command is outstanding
}

done_callback kafka_spout::with_metrics(done_callback done)
{
    return [weak = weak_from_this(), done = std::move(done)] {
        if (auto self = weak.lock()) self->send_due_metrics();
        done();
    };
}

void kafka_spout::send_due_metrics()
{
    auto now = clock::now();
    if (finished_ || !consumer_ || !metrics_.due(now)) return;
    for (auto& m : metrics_.report(totals_, lag(), now)) session_->metrics(std::move(m.name), m.value);
}

void kafka_spout::on_ack(const nlohmann::json& id, done_callback done)
{
    std::string error;
    auto parsed = parse_ack_id(id, error);
    if (!parsed) {
        log("kafka-spout: ignoring ack with id " + multilang::describe(id) + ": " + error, log_level::warn);
        return done();
    }
    if (book_.acked(parsed->partition, parsed->offset) == track_result::ok) {
        retries_.acked(parsed->partition, parsed->offset);
        ++totals_.acked;
        drain_.check(book_);
    }
    done();
}

void kafka_spout::on_fail(const nlohmann::json& id, done_callback done)
{
    std::string error;
    auto parsed = parse_ack_id(id, error);
    if (!parsed) {
        log("kafka-spout: ignoring fail with id " + multilang::describe(id) + ": " + error, log_level::warn);
        return done();
    }
    if (book_.failed(parsed->partition, parsed->offset) != track_result::ok) return done();
    ++totals_.failed;
    topic_partition tp{std::string(parsed->partition.topic), parsed->partition.partition};
    auto decision = retries_.on_fail(tp, parsed->offset, clock::now());
    if (decision.what == retry_decision::action::give_up) {
        if (dead_letter_mapper_ && consumer_) {
            dead_letters_.insert({tp.partition, parsed->offset});
            if (!consumer_->seek(tp.partition, parsed->offset)) rewinding_[tp.partition] = parsed->offset;
        } else {
            book_.give_up(tp.ref(), parsed->offset);
            log("kafka-spout: gave up on " + to_string(tp.ref()) + " offset " + std::to_string(parsed->offset) +
                    " after " + std::to_string(decision.failures) + " failures",
                log_level::warn);
        }
    }
    // Last: a drain that ends here releases the partition, and the retry state set above must
    // already be there for release() to forget.
    drain_.check(book_);
    done();
}

void kafka_spout::on_deactivate(done_callback done)
{
    commit({}, [] {});
    done(); // the commit goes on in the background: the sync must not wait for a broker
}

void kafka_spout::on_assigned(const std::map<std::int32_t, std::int64_t>& starts)
{
    for (const auto& [partition, offset] : starts) {
        // Nothing of an earlier ownership may steer the new one (a replay due, a rewind, a pause).
        if (!book_.owns({settings_.group.topic, partition})) forget_partition(partition);
        book_.assign({settings_.group.topic, partition}, offset);
    }
}

void kafka_spout::on_revoking(const std::vector<std::int32_t>& partitions, std::function<void()> done)
{
    if (stopping_) return release(partitions, std::move(done));
    drain_.start(settings_.group.topic, partitions, settings_.revoke_drain, book_, clock::now(),
                 [weak = weak_from_this(), partitions, done = std::move(done)]() mutable {
                     if (auto self = weak.lock()) {
                         self->release(partitions, std::move(done));
                     } else {
                         done();
                     }
                 });
    arm_drain_timer();
}

void kafka_spout::arm_drain_timer()
{
    auto deadline = drain_.deadline();
    if (!deadline) return;
    drain_timer_.expires_at(*deadline);
    drain_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) {
            self->drain_.expire(clock::now());
            self->arm_drain_timer();
        }
    });
}

void kafka_spout::forget_partition(std::int32_t partition)
{
    retries_.forget({settings_.group.topic, partition});
    rewinding_.erase(partition);
    paused_.erase(partition);
    std::erase_if(dead_letters_, [partition](const auto& d) { return d.first == partition; });
}

// The partitions' last commit, then their state is dropped and the consumer may let them go.
void kafka_spout::release(const std::vector<std::int32_t>& partitions, std::function<void()> done)
{
    commit(partitions, [weak = weak_from_this(), partitions, done = std::move(done)] {
        if (auto self = weak.lock()) {
            for (std::int32_t p : partitions) {
                self->book_.revoke({self->settings_.group.topic, p});
                self->forget_partition(p);
            }
        }
        done();
    });
}

void kafka_spout::commit(const std::vector<std::int32_t>& only, std::function<void()> done)
{
    std::map<std::int32_t, std::int64_t> offsets;
    if (committing_allowed_) {
        note_delivered_positions();
        for (const auto& point : book_.committable()) {
            if (only.empty() || std::find(only.begin(), only.end(), point.partition.partition) != only.end()) {
                offsets[point.partition.partition] = point.offset;
            }
        }
    }
    if (offsets.empty() || !consumer_) return done();
    consumer_->commit(offsets, [weak = weak_from_this(), offsets, done = std::move(done)](std::error_code ec) {
        auto self = weak.lock();
        if (self && !ec) {
            for (const auto& [p, offset] : offsets) {
                topic_partition_ref tp{self->settings_.group.topic, p};
                const offset_tracker* tracker = self->book_.find(tp);
                if (tracker && offset > tracker->committed_offset()) {
                    self->totals_.committed += static_cast<std::uint64_t>(offset - tracker->committed_offset());
                }
                self->book_.committed(tp, offset);
            }
            self->update_pauses();
        } else if (self && ec != error_kind::stopped) { // after a stop there is nothing to retry
            self->log("kafka-spout: commit failed: " + ec.message() + " (will retry)", log_level::warn);
        }
        done();
    });
}

// The consumer's position is past everything poll() returned and everything it skipped (markers,
// aborted records): once the emitted tuples below it are acked, the commit may move up to it.
void kafka_spout::note_delivered_positions()
{
    if (!consumer_) return;
    for (const auto& tp : book_.owned()) {
        if (auto position = consumer_->position(tp.partition)) book_.find(tp.ref())->delivered(*position);
    }
}

void kafka_spout::arm_commit_timer()
{
    commit_timer_.expires_after(settings_.commit_interval);
    commit_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->finished_) return;
        self->commit({}, [weak] {
            if (auto s = weak.lock(); s && !s->finished_) s->arm_commit_timer();
        });
    });
}

void kafka_spout::arm_stats_timer()
{
    if (settings_.stats_interval.count() <= 0) return;
    stats_timer_.expires_after(settings_.stats_interval);
    stats_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->finished_) return;
        self->log_stats();
        self->arm_stats_timer();
    });
}

// Records in the owned partitions past the committed offsets; unknown until every owned
// partition has reported its high watermark.
std::optional<std::int64_t> kafka_spout::lag() const
{
    if (!consumer_) return std::nullopt;
    std::int64_t lag = 0;
    for (const auto& tp : book_.owned()) {
        auto hw = consumer_->high_watermark(tp.partition);
        const offset_tracker* t = book_.find(tp.ref());
        if (!hw || !t) return std::nullopt;
        lag += std::max<std::int64_t>(0, *hw - t->committed_offset());
    }
    return lag;
}

void kafka_spout::log_stats()
{
    std::size_t uncommitted = 0;
    for (const auto& tp : book_.owned()) {
        if (const offset_tracker* t = book_.find(tp.ref())) uncommitted += t->uncommitted_count();
    }
    auto known_lag = lag();
    log("kafka-spout stats: partitions " + std::to_string(book_.size()) + ", emitted " +
        std::to_string(totals_.emitted) + ", acked " + std::to_string(totals_.acked) + ", failed " +
        std::to_string(totals_.failed) + ", uncommitted " + std::to_string(uncommitted) + ", lag " +
        (known_lag ? std::to_string(*known_lag) : std::string("unknown")));
}

void kafka_spout::on_end_of_input()
{
    // Storm went away: commit what was acked, leave the group, exit 0.
    stopping_ = true;
    drain_.end();
    next_timer_.cancel();
    commit({}, [weak = weak_from_this()] {
        auto self = weak.lock();
        if (!self) return;
        if (!self->consumer_) return self->finish(0);
        self->consumer_->stop([weak] {
            if (auto s = weak.lock()) s->finish(0);
        });
    });
    auto deadline = std::make_shared<asio::steady_timer>(executor_, exit_deadline);
    deadline->async_wait([deadline, weak = weak_from_this()](std::error_code ec) {
        if (auto self = weak.lock(); !ec && self) self->finish(0);
    });
}

void kafka_spout::on_protocol_error(const std::string& what)
{
    if (reader_gone(out_fd_)) {
        // Storm stopped reading stdout: it went away, as on stdin EOF (when a worker dies both
        // pipes close, and which one the spout notices first is chance). The acks it sent were
        // well-formed, so they are committed; tuples whose emit or sync was lost are not acked
        // and are read again by whoever owns their partition next.
        std::fprintf(stderr, "kafka-spout: Storm stopped reading stdout (%s); committing what was acked\n",
                     what.c_str());
        on_end_of_input();
        return;
    }
    // Nothing more is committed: whatever Storm meant by its last words is unknown.
    committing_allowed_ = false;
    stopping_ = true;
    drain_.end();
    std::fprintf(stderr, "kafka-spout: %s\n", what.c_str());
    if (!consumer_) return finish(1);
    consumer_->stop([weak = weak_from_this()] {
        if (auto self = weak.lock()) self->finish(1);
    });
    auto deadline = std::make_shared<asio::steady_timer>(executor_, exit_deadline);
    deadline->async_wait([deadline, weak = weak_from_this()](std::error_code ec) {
        if (auto self = weak.lock(); !ec && self) self->finish(1);
    });
}

void kafka_spout::finish(int code)
{
    if (finished_) return;
    finished_ = true;
    next_timer_.cancel();
    commit_timer_.cancel();
    stats_timer_.cancel();
    channel_->when_flushed([on_exit = on_exit_, code] { on_exit(code); });
}

} // namespace kspout::spout
