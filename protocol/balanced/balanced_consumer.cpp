// balanced_consumer: construction, start and stop, and what the owner calls (poll, seek, commit...).
#include "protocol/balanced/balanced_consumer.hpp"

#include "protocol/balanced/balanced_error.hpp"
#include "protocol/balanced/rebalance_plan.hpp"
#include "protocol/group/consumer_id.hpp"
#include "protocol/group/paths.hpp"
#include "protocol/io/error.hpp"

#include <boost/asio/post.hpp>

#include <stdexcept>

namespace kspout::balanced {

std::shared_ptr<balanced_consumer> balanced_consumer::create(boost::asio::any_io_executor executor,
                                                             io::cluster_options cluster, balanced_options options,
                                                             balanced_listener listener, log::logger log,
                                                             io::fetch_engine_factory make_engine)
{
    return std::shared_ptr<balanced_consumer>(
        new balanced_consumer(std::move(executor), std::move(cluster), std::move(options), std::move(listener),
                              std::move(log), std::move(make_engine)));
}

balanced_consumer::balanced_consumer(boost::asio::any_io_executor executor, io::cluster_options cluster,
                                     balanced_options options, balanced_listener listener, log::logger log,
                                     io::fetch_engine_factory make_engine)
    : executor_(std::move(executor)), options_(std::move(options)), listener_(std::move(listener)),
      log_(std::move(log)),
      consumer_id_(options_.consumer_id.empty() ? group::make_consumer_id() : options_.consumer_id),
      session_(options_, consumer_id_, log_), cycle_(options_, consumer_id_, log_), retry_timer_(executor_),
      metadata_timer_(executor_), unreachable_timer_(executor_), probe_timer_(executor_), announcer_(executor_)
{
    invalid_ = check_options(options_);
    options_.consumer.topic = options_.topic;
    if (!options_.group_id.empty())
        options_.consumer.group_id = options_.group_id;
    if (!options_.fixed && invalid_.empty() && !group::is_valid_node_name(consumer_id_))
        invalid_ = "consumer id '" + consumer_id_ + "' cannot be a znode name";
    member_path_ = group::member_path(options_.group_id, consumer_id_);
    ids_path_ = group::ids_path(options_.group_id);
    owners_path_ = group::owners_path(options_.group_id, options_.topic, options_.owners_dir);
    if (!invalid_.empty())
        return;
    try {
        cluster_ = io::cluster::create(executor_, std::move(cluster), log_);
        consumer_ = make_engine ? make_engine(cluster_, options_.consumer)
                                : io::simple_consumer::create(cluster_, options_.consumer, log_);
    } catch (const std::invalid_argument& e) {
        invalid_ = e.what();
        return;
    }
}

balanced_consumer::~balanced_consumer()
{
    // Without stop() the session simply ends: ZooKeeper drops our ephemeral nodes with it.
    retry_timer_.cancel();
    metadata_timer_.cancel();
    announcer_.cancel();
    unreachable_timer_.cancel();
    probe_timer_.cancel();
    if (zk_)
        zk_->close();
    if (consumer_)
        consumer_->stop();
    if (cluster_)
        cluster_->shut_down();
}

void balanced_consumer::start()
{
    if (started_ || stopping_ || stopped_)
        return;
    started_ = true;
    if (!invalid_.empty()) {
        report(make_error_code(errc::invalid_options), "balanced consumer: " + invalid_);
        return;
    }
    // The simple consumer also reports failures it retries by itself (a committed-offset lookup
    // that timed out); only a partition that stopped needs the owner.
    consumer_->on_error([weak = weak_from_this()](const io::consumer_error& e) {
        auto self = weak.lock();
        if (!self || self->stopped_ || !self->assigned_.contains(e.partition))
            return;
        if (self->consumer_->phase(e.partition) == io::partition_phase::stopped)
            self->report(e.code, e.message);
    });
    log_.info("balanced consumer " + consumer_id_ + ": starting on topic " + options_.topic +
              (options_.fixed ? " as static member " + std::to_string(options_.fixed->index) + " of " +
                                    std::to_string(options_.fixed->count)
                              : " in group " + options_.group_id));
    arm_metadata_timer();
    if (options_.fixed) {
        request_rebalance("start");
        return;
    }
    zk::client_options zo;
    zo.connect_string = options_.zookeeper_connect;
    zo.session_timeout = options_.zookeeper_session_timeout;
    zo.auth = options_.zookeeper_auth;
    zo.logger = log_;
    zk_ = std::make_unique<zk::client>(executor_, zo);
    if (std::error_code ec = zk_->start([weak = weak_from_this()](zk::session_state state) {
            if (auto self = weak.lock())
                self->on_session_state(state);
        })) {
        report(ec, "balanced consumer: cannot start a ZooKeeper session with '" + options_.zookeeper_connect +
                       "': " + ec.message());
        return;
    }
    arm_unreachable_timer();
    arm_probe_timer();
}

void balanced_consumer::stop(std::function<void()> done)
{
    if (!done)
        done = [] {};
    if (stopped_) {
        boost::asio::post(executor_, std::move(done));
        return;
    }
    if (stopping_) {
        stop_done_ = [first = std::move(stop_done_), then = std::move(done)] {
            first();
            then();
        };
        return;
    }
    stopping_ = true;
    stop_done_ = std::move(done);
    retry_timer_.cancel();
    metadata_timer_.cancel();
    announcer_.cancel();
    unreachable_timer_.cancel();
    probe_timer_.cancel();
    feed(cycle::stop_requested{});
    feed_session(session::stop_requested{});
    continue_stop();
}

void balanced_consumer::continue_stop()
{
    if (!stopping_ || stopped_ || stop_releasing_ || releases_in_flight_ > 0)
        return;
    stop_releasing_ = true;
    std::set<std::int32_t> all(assigned_.begin(), assigned_.end());
    for (const auto& [p, c] : claims_)
        all.insert(p);
    release(std::vector<std::int32_t>(all.begin(), all.end()), true,
            [weak = weak_from_this()](bool) {
                if (auto self = weak.lock())
                    self->finish_stop();
            });
}

void balanced_consumer::finish_stop()
{
    auto finish = [weak = weak_from_this()] {
        auto self = weak.lock();
        if (!self || self->stopped_)
            return;
        self->stopped_ = true;
        if (self->zk_)
            self->zk_->close();
        if (self->consumer_)
            self->consumer_->stop();
        if (self->cluster_)
            self->cluster_->shut_down();
        self->log_.info("balanced consumer " + self->consumer_id_ + ": stopped");
        auto done = std::move(self->stop_done_);
        self->stop_done_ = nullptr;
        boost::asio::post(self->executor_, std::move(done));
    };
    if (zk_ && session_.registered()) {
        zk_->remove(member_path_, -1, [finish](std::error_code) { finish(); });
        return;
    }
    finish();
}

std::span<const io::consumer_message> balanced_consumer::poll(std::size_t max_messages)
{
    if (!consumer_ || stopped_)
        return {};
    if (!assigned_.empty() && !session_.suspended() && !lease_valid()) {
        feed_session(session::lease_lapsed{assigned_list()});
        return {};
    }
    return consumer_->poll(max_messages);
}

void balanced_consumer::async_wait_data(wait_handler handler)
{
    if (!consumer_ || stopped_) {
        boost::asio::post(executor_, [h = std::move(handler)] { h(make_error_code(io::errc::shut_down)); });
        return;
    }
    consumer_->async_wait_data(std::move(handler));
}

std::error_code balanced_consumer::seek(std::int32_t partition, std::int64_t offset)
{
    if (!owns(partition))
        return make_error_code(io::consumer_errc::not_owned);
    return consumer_->seek(partition, offset);
}

std::error_code balanced_consumer::pause(std::int32_t partition)
{
    if (!owns(partition))
        return make_error_code(io::consumer_errc::not_owned);
    user_paused_.insert(partition);
    apply_pause(partition);
    return {};
}

std::error_code balanced_consumer::resume(std::int32_t partition)
{
    if (!owns(partition))
        return make_error_code(io::consumer_errc::not_owned);
    user_paused_.erase(partition);
    apply_pause(partition);
    return {};
}

void balanced_consumer::commit(std::map<std::int32_t, std::int64_t> offsets, commit_handler handler)
{
    if (!handler)
        handler = [](std::error_code) {};
    if (lease_valid()) {
        commit_confirmed(std::move(offsets), std::move(handler));
        return;
    }
    probe_session([weak = weak_from_this(), offsets = std::move(offsets), h = std::move(handler)]() mutable {
        if (auto self = weak.lock())
            self->commit_confirmed(std::move(offsets), std::move(h));
        else
            h(make_error_code(io::errc::shut_down));
    });
}

std::vector<std::int32_t> balanced_consumer::owned() const
{
    return std::vector<std::int32_t>(assigned_.begin(), assigned_.end());
}

const std::string& balanced_consumer::consumer_id() const noexcept
{
    return consumer_id_;
}

std::optional<std::int64_t> balanced_consumer::position(std::int32_t partition) const
{
    return owns(partition) ? consumer_->position(partition) : std::nullopt;
}

std::optional<std::int64_t> balanced_consumer::high_watermark(std::int32_t partition) const
{
    return owns(partition) ? consumer_->high_watermark(partition) : std::nullopt;
}

std::optional<zk::session_credentials> balanced_consumer::zookeeper_session() const
{
    if (!zk_)
        return std::nullopt;
    return zk_->credentials();
}

bool balanced_consumer::owns(std::int32_t partition) const
{
    return consumer_ && assigned_.contains(partition);
}

void balanced_consumer::report(std::error_code code, std::string what)
{
    log_.error(what);
    if (listener_.on_error)
        listener_.on_error(code, what);
}

// --- handing partitions over -------------------------------------------------------------

void balanced_consumer::assign_claimed(const std::vector<std::int32_t>& partitions)
{
    std::vector<io::partition_start> starts;
    std::vector<std::int32_t> from_committed;
    for (std::int32_t p : partitions) {
        if (assigned_.contains(p) || !claims_.contains(p) || lookups_.contains(p))
            continue;
        // As pykafka does, reset_offset_on_start applies to the first assignment only: a
        // partition taken over later starts where its previous owner committed.
        if (options_.consumer.reset_offset_on_start && cycle_.first_rebalance_done() &&
            !options_.consumer.group_id.empty())
            from_committed.push_back(p);
        else
            starts.push_back({p, std::nullopt});
    }
    if (!from_committed.empty())
        start_from_committed(std::move(from_committed));
    if (starts.empty())
        return;
    if (std::error_code ec = consumer_->assign(starts)) {
        report(ec, "balanced consumer " + consumer_id_ + ": cannot assign partitions: " + ec.message());
        return;
    }
    for (const auto& s : starts) {
        assigned_.insert(s.partition);
        apply_pause(s.partition); // held until its start offset is known and announced
    }
    arm_announce_timer();
}

void balanced_consumer::start_from_committed(std::vector<std::int32_t> partitions)
{
    std::uint64_t id = ++next_lookup_;
    for (std::int32_t p : partitions)
        lookups_[p] = id;
    consumer_->fetch_committed(partitions, [weak = weak_from_this(), partitions, id](
                                              std::error_code ec, std::map<std::int32_t, std::int64_t> committed) {
        auto self = weak.lock();
        if (!self || self->stopping_ || self->stopped_)
            return;
        std::vector<io::partition_start> starts;
        std::vector<std::int32_t> again;
        for (std::int32_t p : partitions) {
            auto it = self->lookups_.find(p);
            if (it == self->lookups_.end() || it->second != id)
                continue; // released meanwhile
            self->lookups_.erase(it);
            if (self->assigned_.contains(p) || !self->claims_.contains(p))
                continue;
            if (ec) {
                again.push_back(p);
                continue;
            }
            auto c = committed.find(p);
            std::optional<std::int64_t> start;
            if (c != committed.end() && c->second >= 0)
                start = c->second;
            starts.push_back({p, start});
        }
        if (!starts.empty() && !self->consumer_->assign(starts)) {
            for (const auto& s : starts) {
                self->assigned_.insert(s.partition);
                self->apply_pause(s.partition);
            }
            self->arm_announce_timer();
        }
        if (again.empty())
            return;
        self->log_.info("balanced consumer " + self->consumer_id_ + ": committed offsets of partitions " +
                        partition_list(again) + " not read (" + ec.message() + "); retrying");
        auto timer = std::make_shared<boost::asio::steady_timer>(self->executor_, self->options_.consumer.retry_backoff);
        timer->async_wait([weak, timer, again](std::error_code tec) {
            auto me = weak.lock();
            if (!tec && me && !me->stopping_)
                me->assign_claimed(again);
        });
    });
}

void balanced_consumer::arm_announce_timer()
{
    if (!stopping_)
        announcer_.arm(weak_from_this(), [this] { announce_ready(); });
}

void balanced_consumer::announce_ready()
{
    if (stopping_ || stopped_)
        return;
    auto [starts, waiting] =
        announcer_.take_ready(assigned_, [this](std::int32_t p) { return consumer_->position(p); });
    for (const auto& [p, at] : starts)
        apply_pause(p);
    if (waiting)
        arm_announce_timer();
    if (!starts.empty()) {
        std::vector<std::int32_t> ids;
        for (const auto& [p, at] : starts)
            ids.push_back(p);
        log_.info("balanced consumer " + consumer_id_ + ": consuming partitions " + partition_list(ids));
        if (listener_.on_assigned)
            listener_.on_assigned(starts);
    }
}

void balanced_consumer::apply_pause(std::int32_t partition)
{
    if (!consumer_ || !assigned_.contains(partition))
        return;
    bool hold = session_.suspended() || session_.lease_hold() || user_paused_.contains(partition) ||
                !announcer_.announced(partition);
    if (hold)
        consumer_->pause(partition);
    else
        consumer_->resume(partition);
}

} // namespace kspout::balanced
