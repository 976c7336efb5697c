// simple_consumer: assignment, poll, the fetch scheduler (one Fetch per leader) and Fetch responses.
#include "protocol/io/simple_consumer.hpp"

#include "protocol/io/error.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <limits>

namespace kspout::io {
namespace {

using clock = std::chrono::steady_clock;

// Fetch v11 only adds fetching from a follower (preferred read replica), which we do not do;
// capping keeps brokers from answering "fetch elsewhere" with no data.
constexpr std::int16_t fetch_max_version = 10;

std::int32_t clamp_ms(std::chrono::milliseconds ms)
{
    return static_cast<std::int32_t>(std::clamp<std::chrono::milliseconds::rep>(
        ms.count(), 0, std::numeric_limits<std::int32_t>::max()));
}

} // namespace

std::shared_ptr<simple_consumer> simple_consumer::create(std::shared_ptr<cluster> c, consumer_options options,
                                                         log::logger log)
{
    if (!log.sink) log = c->log();
    return std::shared_ptr<simple_consumer>(new simple_consumer(std::move(c), std::move(options), std::move(log), false));
}

std::shared_ptr<simple_consumer> simple_consumer::create(boost::asio::any_io_executor executor,
                                                         cluster_options cluster_opts, consumer_options options,
                                                         log::logger log)
{
    auto c = cluster::create(std::move(executor), std::move(cluster_opts), log);
    return std::shared_ptr<simple_consumer>(new simple_consumer(std::move(c), std::move(options), std::move(log), true));
}

simple_consumer::simple_consumer(std::shared_ptr<cluster> c, consumer_options options, log::logger log, bool owns_cluster)
    : cluster_(std::move(c)), options_(std::move(options)), log_(std::move(log)), owns_cluster_(owns_cluster),
      wake_timer_(cluster_->executor())
{
    offsets_ = offset_manager::create(
        cluster_, {options_.group_id, options_.topic, options_.retry_backoff, options_.request_timeout}, log_);
}

simple_consumer::~simple_consumer()
{
    stop();
}

consumer_partition* simple_consumer::find(std::int32_t partition)
{
    auto it = partitions_.find(partition);
    return it == partitions_.end() ? nullptr : &it->second;
}

const consumer_partition* simple_consumer::find(std::int32_t partition) const
{
    auto it = partitions_.find(partition);
    return it == partitions_.end() ? nullptr : &it->second;
}

// --- assignment ---------------------------------------------------------------------------

std::error_code simple_consumer::assign(const std::vector<partition_start>& partitions)
{
    if (stopped_) return make_error_code(errc::shut_down);
    for (const auto& p : partitions) {
        if (p.partition < 0 || (p.offset && *p.offset < 0)) return make_error_code(consumer_errc::invalid_argument);
    }
    for (const auto& p : partitions) {
        if (auto* existing = find(p.partition)) {
            if (p.offset) set_position(*existing, *p.offset);
            continue;
        }
        add_partition(p.partition, p.offset);
    }
    request_schedule();
    return {};
}

void simple_consumer::add_partition(std::int32_t partition, std::optional<std::int64_t> offset)
{
    auto& p = partitions_[partition];
    p.id = partition;
    p.fetch_size = options_.fetch_partition_bytes;
    p.epoch = next_epoch_++;
    if (offset) {
        p.phase = partition_phase::active;
        p.fetch_offset = *offset;
    } else if (!options_.group_id.empty() && !options_.reset_offset_on_start) {
        p.phase = partition_phase::awaiting_committed;
    } else {
        start_reset(p, options_.group_id.empty() ? "no start offset and no group" : "no start offset");
    }
    log_.debug(partition_label(options_.topic, partition) + " assigned (" + std::string(phase_name(p.phase)) + ")");
}

void simple_consumer::set_position(consumer_partition& p, std::int64_t offset)
{
    p.drop_buffered();
    p.phase = partition_phase::active;
    p.fetch_offset = offset;
    p.fetch_size = options_.fetch_partition_bytes;
    p.epoch = next_epoch_++;
    p.in_flight = false;
    p.not_before = {};
}

void simple_consumer::start_reset(consumer_partition& p, std::string_view why)
{
    if (!begin_reset(p, options_.auto_offset_reset)) {
        report(p, make_error_code(consumer_errc::no_offset),
               partition_label(options_.topic, p.id) + ": " + std::string(why) + " and auto_offset_reset is error");
    }
}

void simple_consumer::assign_all()
{
    if (stopped_) return;
    assign_all_ = true;
    metadata_wanted_ = true;
    request_schedule();
}

void simple_consumer::sync_all_partitions()
{
    const topic_metadata* meta = cluster_->topic(options_.topic);
    if (!meta) return;
    for (const auto& pm : meta->partitions) {
        if (!find(pm.partition)) add_partition(pm.partition, std::nullopt);
    }
}

void simple_consumer::revoke(const std::vector<std::int32_t>& partitions)
{
    assign_all_ = false;
    for (std::int32_t id : partitions) {
        if (partitions_.erase(id)) log_.debug(partition_label(options_.topic, id) + " revoked");
    }
}

std::vector<std::int32_t> simple_consumer::assignment() const
{
    std::vector<std::int32_t> out;
    for (const auto& [id, p] : partitions_) out.push_back(id);
    return out;
}

std::error_code simple_consumer::pause(std::int32_t partition)
{
    auto* p = find(partition);
    if (!p) return make_error_code(consumer_errc::not_owned);
    p->paused = true;
    return {};
}

std::error_code simple_consumer::resume(std::int32_t partition)
{
    auto* p = find(partition);
    if (!p) return make_error_code(consumer_errc::not_owned);
    if (!p->paused) return {};
    p->paused = false;
    if (!p->buffer.empty()) notify_data();
    request_schedule();
    return {};
}

std::error_code simple_consumer::seek(std::int32_t partition, std::int64_t offset)
{
    if (offset < 0) return make_error_code(consumer_errc::invalid_argument);
    auto* p = find(partition);
    if (!p) return make_error_code(consumer_errc::not_owned);
    set_position(*p, offset);
    request_schedule();
    return {};
}

// --- consumption --------------------------------------------------------------------------

std::span<const consumer_message> simple_consumer::poll(std::size_t max_messages)
{
    polled_.clear();
    lent_.clear();
    if (stopped_ || max_messages == 0) return {};
    auto& sources = poll_sources_;
    sources.clear();
    undecoded_.clear();
    for (auto& [id, p] : partitions_) {
        if (!p.paused && !p.buffer.empty()) sources.push_back({id, &p.buffer});
        if (!p.paused && p.undecoded) undecoded_.push_back(&p);
    }
    if (sources.empty() && undecoded_.empty()) return {};
    if (!sources.empty()) {
        // Start each poll at the next partition, so small polls do not favour the lowest ids.
        std::rotate(sources.begin(), sources.begin() + static_cast<std::ptrdiff_t>(poll_start_++ % sources.size()),
                    sources.end());
        take_round_robin(sources, max_messages, options_.topic, polled_, lent_);
    }
    if (!undecoded_.empty()) {
        auto apply = apply_options();
        for (consumer_partition* p : undecoded_) {
            fetch_outcome out = read_undecoded(*p, apply);
            if (out.step == fetch_step::stop) report(*p, out.error, out.detail);
        }
    }
    request_schedule(); // buffers drained below their bound may be fetched again
    return polled_;
}

bool simple_consumer::has_pollable_data() const
{
    return std::any_of(partitions_.begin(), partitions_.end(),
                       [](const auto& entry) { return !entry.second.paused && !entry.second.buffer.empty(); });
}

void simple_consumer::async_wait_data(wait_handler handler)
{
    if (stopped_) {
        boost::asio::post(cluster_->executor(), [h = std::move(handler)] { h(make_error_code(errc::shut_down)); });
        return;
    }
    waiters_.push_back(std::move(handler));
    if (has_pollable_data()) notify_data();
}

void simple_consumer::notify_data()
{
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& w : waiters) {
        boost::asio::post(cluster_->executor(), [weak = weak_from_this(), w = std::move(w)] {
            auto self = weak.lock();
            w(self && !self->stopped_ ? std::error_code{} : make_error_code(errc::shut_down));
        });
    }
    if (on_data_) {
        boost::asio::post(cluster_->executor(), [weak = weak_from_this()] {
            auto self = weak.lock();
            if (self && !self->stopped_ && self->on_data_) self->on_data_();
        });
    }
}

void simple_consumer::report(const consumer_partition& p, std::error_code code, std::string message)
{
    log_.warning(message);
    consumer_error error{p.id, p.position().value_or(-1), code, std::move(message)};
    boost::asio::post(cluster_->executor(), [weak = weak_from_this(), error = std::move(error)] {
        auto self = weak.lock();
        if (self && !self->stopped_ && self->on_error_) self->on_error_(error);
    });
}

std::optional<std::int64_t> simple_consumer::position(std::int32_t partition) const
{
    const auto* p = find(partition);
    return p ? p->position() : std::nullopt;
}

std::optional<std::int64_t> simple_consumer::high_watermark(std::int32_t partition) const
{
    const auto* p = find(partition);
    if (!p || p->high_watermark < 0) return std::nullopt;
    return p->high_watermark;
}

std::optional<partition_phase> simple_consumer::phase(std::int32_t partition) const
{
    const auto* p = find(partition);
    return p ? std::optional(p->phase) : std::nullopt;
}

std::size_t simple_consumer::buffered_messages() const
{
    std::size_t n = 0;
    for (const auto& [id, p] : partitions_) n += p.buffer.messages();
    return n;
}

std::size_t simple_consumer::buffered_messages(std::int32_t partition) const
{
    const auto* p = find(partition);
    return p ? p->buffer.messages() : 0;
}

std::size_t simple_consumer::buffered_bytes() const
{
    std::size_t n = 0;
    for (const auto& [id, p] : partitions_) n += p.buffer.bytes();
    return n;
}

// --- group offsets ------------------------------------------------------------------------

void simple_consumer::commit(std::map<std::int32_t, std::int64_t> offsets, std::chrono::steady_clock::time_point send_by,
                             commit_handler handler)
{
    offsets_->commit(std::move(offsets), send_by, std::move(handler));
}

void simple_consumer::fetch_committed(std::vector<std::int32_t> partitions, committed_handler handler)
{
    offsets_->fetch_committed(std::move(partitions), std::move(handler));
}

void simple_consumer::stop()
{
    if (stopped_) return;
    stopped_ = true;
    wake_timer_.cancel();
    offsets_->stop();
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& w : waiters) {
        boost::asio::post(cluster_->executor(), [w = std::move(w)] { w(make_error_code(errc::shut_down)); });
    }
    partitions_.clear();
    polled_.clear();
    lent_.clear();
    fetching_brokers_.clear();
    if (owns_cluster_) cluster_->shut_down();
}

// --- scheduling ---------------------------------------------------------------------------

void simple_consumer::request_schedule()
{
    if (schedule_posted_ || stopped_) return;
    schedule_posted_ = true;
    boost::asio::post(cluster_->executor(), [weak = weak_from_this()] {
        if (auto self = weak.lock()) self->schedule();
    });
}

void simple_consumer::schedule()
{
    schedule_posted_ = false;
    if (stopped_) return;
    auto now = clock::now();
    if (assign_all_) sync_all_partitions();
    const topic_metadata* meta = cluster_->topic(options_.topic);
    bool topic_unknown = !meta || meta->error_code != 0 || meta->partitions.empty();
    bool need_metadata = metadata_wanted_ || (assign_all_ && topic_unknown) ||
                         ((assign_all_ || !partitions_.empty()) && now - last_metadata_ >= options_.metadata_max_age);

    std::vector<std::int32_t> committed;
    std::map<std::int32_t, std::pair<std::shared_ptr<broker>, std::vector<std::int32_t>>> resets;
    std::map<std::int32_t, std::pair<std::shared_ptr<broker>, std::vector<std::int32_t>>> fetches;
    for (auto& [id, p] : partitions_) {
        if (p.in_flight || p.backing_off(now)) continue;
        if (p.phase == partition_phase::awaiting_committed) {
            committed.push_back(id);
            continue;
        }
        bool reset = p.phase == partition_phase::awaiting_reset;
        if (!reset && !p.fetchable(now, options_)) continue;
        auto leader = cluster_->leader_for(options_.topic, id);
        if (!leader) {
            need_metadata = true;
            continue;
        }
        std::int32_t node = leader->address().node_id;
        if (!reset && fetching_brokers_.contains(node)) continue;
        auto& group = (reset ? resets : fetches)[node];
        group.first = leader;
        group.second.push_back(id);
    }
    if (!committed.empty()) lookup_committed(std::move(committed));
    for (auto& [node, group] : resets) send_list_offsets(group.first, std::move(group.second));
    for (auto& [node, group] : fetches) send_fetch(group.first, std::move(group.second));
    if (need_metadata) refresh_metadata();
    arm_wake_timer(now);
}

void simple_consumer::arm_wake_timer(clock::time_point now)
{
    auto next = clock::time_point::max();
    for (const auto& [id, p] : partitions_) {
        if (!p.in_flight && p.phase != partition_phase::stopped && p.backing_off(now)) {
            next = std::min(next, p.not_before);
        }
    }
    if (!metadata_in_flight_) {
        if (metadata_wanted_) next = std::min(next, metadata_not_before_);
        if (assign_all_ || !partitions_.empty()) {
            next = std::min(next, std::max(last_metadata_ + options_.metadata_max_age, metadata_not_before_));
        }
    }
    if (next == clock::time_point::max()) return;
    if (wake_at_ > now && wake_at_ <= next) return; // an earlier wake-up is already set
    wake_at_ = next;
    wake_timer_.expires_at(next);
    wake_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->stopped_) return;
        self->wake_at_ = clock::time_point::max();
        self->schedule();
    });
}

void simple_consumer::refresh_metadata()
{
    metadata_wanted_ = true;
    auto now = clock::now();
    if (metadata_in_flight_ || now < metadata_not_before_) return; // the wake timer comes back
    metadata_in_flight_ = true;
    metadata_wanted_ = false;
    metadata_not_before_ = now + options_.retry_backoff;
    last_metadata_ = now;
    cluster_->refresh_metadata({options_.topic}, [weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (!self || self->stopped_) return;
        self->metadata_in_flight_ = false;
        ++self->rounds_.metadata_responses;
        if (ec) {
            self->log_.info("metadata refresh for topic " + self->options_.topic + " failed: " + ec.message());
            self->metadata_wanted_ = true;
        }
        self->request_schedule();
    });
}

// --- fetching -----------------------------------------------------------------------------

void simple_consumer::send_fetch(const std::shared_ptr<broker>& leader, std::vector<std::int32_t> ids)
{
    // Rotate so that no partition always comes first when the response size limit bites.
    std::rotate(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(rotation_++ % ids.size()), ids.end());
    messages::fetch_request req;
    req.max_wait_ms = clamp_ms(options_.fetch_max_wait);
    req.min_bytes = options_.fetch_min_bytes;
    req.max_bytes = options_.fetch_response_max_bytes;
    req.isolation = options_.isolation;
    messages::fetch_topic topic{options_.topic, {}};
    std::vector<sent_partition> sent;
    for (std::int32_t id : ids) {
        auto& p = partitions_.at(id);
        p.in_flight = true;
        sent.push_back({id, p.epoch, p.fetch_offset});
        topic.partitions.push_back({id, -1, p.fetch_offset, -1, p.fetch_size});
    }
    req.topics.push_back(std::move(topic));
    std::int32_t node = leader->address().node_id;
    fetching_brokers_.insert(node);
    leader->request<messages::fetch_request, messages::fetch_response>(
        wire::api_key::fetch, std::move(req), options_.request_timeout + options_.fetch_max_wait,
        [weak = weak_from_this(), node, sent = std::move(sent)](std::error_code ec,
                                                                response<messages::fetch_response> resp) {
            auto self = weak.lock();
            if (!self || self->stopped_) return;
            self->on_fetch(node, sent, ec, std::move(resp));
        },
        fetch_max_version);
}

fetch_apply_options simple_consumer::apply_options() const
{
    return {options_.topic,
            {options_.check_crcs, options_.isolation == messages::isolation_level::read_committed},
            options_.fetch_partition_bytes,
            options_.fetch_partition_bytes_max,
            options_.auto_offset_reset,
            options_.queued_max_messages,
            options_.queued_max_bytes};
}

void simple_consumer::on_fetch(std::int32_t node, const std::vector<sent_partition>& sent, std::error_code ec,
                               response<messages::fetch_response> resp)
{
    fetching_brokers_.erase(node);
    ++rounds_.fetch_responses;
    auto now = clock::now();
    if (ec) {
        std::string why = resp.decode_failure ? resp.decode_failure->message() : ec.message();
        if (resp.decode_failure) {
            log_.error("fetch from broker " + std::to_string(node) + ": malformed response: " + why);
        } else {
            log_.info("fetch from broker " + std::to_string(node) + " failed: " + why);
        }
        for (const auto& s : sent) {
            auto* p = find(s.id);
            if (!p || p->epoch != s.epoch) continue;
            p->in_flight = false;
            p->not_before = now + options_.retry_backoff;
        }
        refresh_metadata();
        request_schedule();
        return;
    }

    std::map<std::int32_t, const messages::fetch_partition_response*> entries;
    for (const auto& t : resp.body.topics) {
        if (t.name != options_.topic) continue;
        for (const auto& e : t.partitions) entries[e.partition_index] = &e;
    }
    messages::fetch_partition_response top_level_error;
    top_level_error.error_code = resp.body.error_code;

    auto apply = apply_options();
    bool data = false;
    bool refresh = false;
    for (const auto& s : sent) {
        auto* p = find(s.id);
        if (!p || p->epoch != s.epoch) continue; // revoked, reassigned or moved by seek meanwhile
        p->in_flight = false;
        if (p->phase != partition_phase::active || p->fetch_offset != s.offset) continue;
        const messages::fetch_partition_response* entry = nullptr;
        if (resp.body.error_code != 0) {
            top_level_error.partition_index = s.id;
            entry = &top_level_error;
        } else if (auto it = entries.find(s.id); it != entries.end()) {
            entry = it->second;
        }
        if (!entry) continue;
        fetch_outcome out = apply_fetch_response(*p, *entry, resp.frame, apply);
        if (out.new_messages > 0 && !p->paused) data = true;
        switch (out.step) {
        case fetch_step::proceed:
            break;
        case fetch_step::refresh_metadata:
            log_.info(out.detail + "; refreshing metadata");
            p->not_before = now + options_.retry_backoff;
            refresh = true;
            break;
        case fetch_step::retry:
            log_.info(out.detail + "; retrying");
            p->not_before = now + options_.retry_backoff;
            break;
        case fetch_step::reset_offset:
            log_.info(out.detail + "; resetting the offset");
            break;
        case fetch_step::stop:
            report(*p, out.error, out.detail);
            break;
        }
    }
    if (refresh) refresh_metadata();
    if (data) notify_data();
    request_schedule();
}

} // namespace kspout::io
