// classic_group_member: runs classic_member's actions on the coordinator, timers and the simple
// consumer, and what the owner calls (poll, seek, commit...).
#include "protocol/member/classic_group_member.hpp"

#include "protocol/io/consumer_error.hpp"
#include "protocol/io/error.hpp"
#include "protocol/member/ready_to_announce.hpp"
#include "protocol/wire/broker_error.hpp"

#include <boost/asio/post.hpp>

#include <stdexcept>

namespace kspout::member {

using namespace classic;

namespace {

// How often partitions whose start offset is still being looked up are checked, to announce them.
constexpr auto announce_interval = std::chrono::milliseconds(5);
// JoinGroup is answered once the rebalance completes: allow the rebalance timeout and some more.
constexpr auto join_grace = std::chrono::seconds(5);

std::string partition_list(const std::vector<std::int32_t>& partitions)
{
    std::string out;
    for (std::int32_t p : partitions)
        out += (out.empty() ? "" : ",") + std::to_string(p);
    return out.empty() ? "none" : out;
}

} // namespace

std::shared_ptr<classic_group_member> classic_group_member::create(boost::asio::any_io_executor executor,
                                                                   io::cluster_options cluster,
                                                                   classic_group_options options,
                                                                   member_listener listener, log::logger log,
                                                                   io::fetch_engine_factory make_engine)
{
    return std::shared_ptr<classic_group_member>(
        new classic_group_member(std::move(executor), std::move(cluster), std::move(options), std::move(listener),
                                 std::move(log), std::move(make_engine)));
}

classic_group_member::classic_group_member(boost::asio::any_io_executor executor, io::cluster_options cluster,
                                           classic_group_options options, member_listener listener,
                                           log::logger log, io::fetch_engine_factory make_engine)
    : executor_(std::move(executor)), options_(std::move(options)), listener_(std::move(listener)),
      log_(std::move(log)), machine_(options_.member), heartbeat_timer_(executor_), retry_timer_(executor_),
      announce_timer_(executor_)
{
    options_.consumer.topic = options_.member.topic;
    options_.consumer.group_id = options_.member.group_id;
    if (options_.member.group_id.empty() || options_.member.topic.empty()) {
        invalid_ = "a broker-managed group needs a group id and a topic";
        return;
    }
    try {
        cluster_ = io::cluster::create(executor_, std::move(cluster), log_);
        consumer_ = make_engine ? make_engine(cluster_, options_.consumer)
                                : io::simple_consumer::create(cluster_, options_.consumer, log_);
    } catch (const std::invalid_argument& e) {
        invalid_ = e.what();
        return;
    }
    offsets_ = io::offset_manager::create(
        cluster_,
        {options_.member.group_id, options_.member.topic, options_.consumer.retry_backoff,
         options_.consumer.request_timeout},
        log_);
}

classic_group_member::~classic_group_member()
{
    heartbeat_timer_.cancel();
    retry_timer_.cancel();
    announce_timer_.cancel();
    if (offsets_)
        offsets_->stop();
    if (consumer_)
        consumer_->stop();
    if (cluster_)
        cluster_->shut_down();
}

void classic_group_member::start()
{
    if (started_ || stopping_ || stopped_)
        return;
    started_ = true;
    if (!invalid_.empty()) {
        boost::asio::post(executor_, [weak = weak_from_this()] {
            if (auto self = weak.lock())
                self->report(make_error_code(std::errc::invalid_argument), self->invalid_);
        });
        return;
    }
    feed(classic::start{clock::now()});
}

void classic_group_member::stop(std::function<void()> done)
{
    if (stopped_ || !started_ || !invalid_.empty()) {
        stopped_ = true;
        boost::asio::post(executor_, [done = std::move(done)] {
            if (done)
                done();
        });
        return;
    }
    stop_done_ = std::move(done);
    if (std::exchange(stopping_, true))
        return;
    feed(classic::stop{clock::now()});
}

void classic_group_member::feed(const event& e)
{
    if (stopped_)
        return;
    for (action& a : machine_.resume(e))
        run(std::move(a));
    consumer_id_ = machine_.member_id();
}

template <typename Request, typename Response, typename Answer>
void classic_group_member::send(wire::api_key key, Request request, std::chrono::milliseconds timeout, Answer answer)
{
    if (!coordinator_) {
        boost::asio::post(executor_, [weak = weak_from_this()] {
            if (auto self = weak.lock())
                self->coordinator_failed(make_error_code(io::errc::connection_closed));
        });
        return;
    }
    coordinator_->request<Request, Response>(
        key, std::move(request), timeout,
        [weak = weak_from_this(), answer = std::move(answer)](std::error_code ec, io::response<Response> resp) {
            auto self = weak.lock();
            if (!self || self->stopped_)
                return;
            if (ec) {
                self->coordinator_failed(ec);
                return;
            }
            answer(*self, std::move(resp));
        });
}

void classic_group_member::coordinator_failed(std::error_code ec)
{
    log_.info("group " + options_.member.group_id + ": coordinator unreachable: " + ec.message());
    cluster_->invalidate_coordinator(options_.member.group_id);
    coordinator_.reset();
    feed(coordinator_lost{clock::now()});
}

void classic_group_member::run(action a)
{
    const auto& group = options_.member.group_id;
    switch (a.type) {
    case action_type::find_coordinator:
        cluster_->invalidate_coordinator(group);
        cluster_->find_coordinator(group, [weak = weak_from_this()](std::error_code ec, std::shared_ptr<io::broker> b) {
            auto self = weak.lock();
            if (!self || self->stopped_)
                return;
            if (ec || !b) {
                self->coordinator_.reset();
                self->feed(coordinator_lost{clock::now()});
                return;
            }
            self->coordinator_ = std::move(b);
            self->feed(coordinator_found{clock::now()});
        });
        return;
    case action_type::send_join:
        send<messages::join_group_request, messages::join_group_response>(
            wire::api_key::join_group, std::move(a.join), options_.member.rebalance_timeout + join_grace,
            [](classic_group_member& self, io::response<messages::join_group_response> r) {
                bool static_membership = r.version >= messages::join_group_static_membership_version;
                self.feed(join_answered{clock::now(), std::move(r.body), static_membership});
            });
        return;
    case action_type::count_partitions:
        cluster_->refresh_metadata({options_.member.topic}, [weak = weak_from_this()](std::error_code ec) {
            auto self = weak.lock();
            if (!self || self->stopped_)
                return;
            std::optional<std::int32_t> count;
            const io::topic_metadata* t = self->cluster_->topic(self->options_.member.topic);
            if (!ec && t && t->error_code == 0)
                count = static_cast<std::int32_t>(t->partitions.size());
            self->feed(partitions_counted{clock::now(), count});
        });
        return;
    case action_type::send_sync:
        send<messages::sync_group_request, messages::sync_group_response>(
            wire::api_key::sync_group, std::move(a.sync), options_.consumer.request_timeout,
            [](classic_group_member& self, io::response<messages::sync_group_response> r) {
                self.feed(sync_answered{clock::now(), std::move(r.body)});
            });
        return;
    case action_type::send_heartbeat: {
        std::int32_t generation = a.heartbeat.generation_id;
        send<messages::heartbeat_request, messages::heartbeat_response>(
            wire::api_key::heartbeat, std::move(a.heartbeat), options_.member.session_timeout,
            [generation](classic_group_member& self, io::response<messages::heartbeat_response> r) {
                self.feed(heartbeat_answered{clock::now(), generation, r.body.error_code});
            });
        return;
    }
    case action_type::send_leave:
        if (!coordinator_) {
            feed(leave_done{});
            return;
        }
        coordinator_->request<messages::leave_group_request, messages::leave_group_response>(
            wire::api_key::leave_group, std::move(a.leave), options_.consumer.request_timeout,
            [weak = weak_from_this()](std::error_code, io::response<messages::leave_group_response>) {
                if (auto self = weak.lock())
                    self->feed(leave_done{});
            });
        return;
    case action_type::revoke:
        revoke(std::move(a.partitions), a.lost);
        return;
    case action_type::assign:
        assign(a.partitions);
        return;
    case action_type::arm_timer:
        arm(a.which, a.at);
        return;
    case action_type::report_error:
        report(a.error, a.what);
        return;
    case action_type::stopped:
        finish_stop();
        return;
    }
}

void classic_group_member::arm(timer which, clock::time_point at)
{
    auto& t = which == timer::heartbeat ? heartbeat_timer_ : retry_timer_;
    t.expires_at(at);
    t.async_wait([weak = weak_from_this(), which](std::error_code ec) {
        auto self = weak.lock();
        if (!ec && self)
            self->feed(timer_fired{clock::now(), which});
    });
}

void classic_group_member::revoke(std::vector<std::int32_t> partitions, bool lost)
{
    consumer_->revoke(partitions);
    for (std::int32_t p : partitions) {
        assigned_.erase(p);
        announced_.erase(p);
        if (!lost)
            revoking_.insert(p);
    }
    log_.info("group " + options_.member.group_id + ": " + (lost ? "lost" : "revoking") + " partitions " +
              partition_list(partitions));
    auto done = [weak = weak_from_this(), partitions] {
        auto self = weak.lock();
        if (!self)
            return;
        for (std::int32_t p : partitions)
            self->revoking_.erase(p);
        self->feed(revoke_done{clock::now()});
    };
    if (listener_.on_revoking)
        listener_.on_revoking(partitions, std::move(done));
    else
        boost::asio::post(executor_, std::move(done));
}

void classic_group_member::assign(const std::vector<std::int32_t>& partitions)
{
    // Each starts at the group's committed offset, else by auto_offset_reset.
    std::vector<io::partition_start> starts;
    for (std::int32_t p : partitions)
        starts.push_back({p, std::nullopt});
    if (std::error_code ec = consumer_->assign(starts)) {
        report(ec, "group " + options_.member.group_id + ": cannot assign partitions: " + ec.message());
        return;
    }
    for (std::int32_t p : partitions) {
        assigned_.insert(p);
        apply_pause(p); // held until its start offset is known and announced
    }
    arm_announce_timer();
}

void classic_group_member::arm_announce_timer()
{
    if (announce_armed_)
        return;
    announce_armed_ = true;
    announce_timer_.expires_after(announce_interval);
    announce_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (!self)
            return;
        self->announce_armed_ = false;
        if (!ec)
            self->announce_ready();
    });
}

void classic_group_member::announce_ready()
{
    if (stopping_ || stopped_)
        return;
    auto [starts, waiting] =
        ready_to_announce(assigned_, announced_, [this](std::int32_t p) { return consumer_->position(p); });
    for (const auto& [p, at] : starts) {
        announced_.insert(p);
        apply_pause(p);
    }
    if (waiting)
        arm_announce_timer();
    if (starts.empty())
        return;
    std::vector<std::int32_t> ids;
    for (const auto& [p, at] : starts)
        ids.push_back(p);
    log_.info("group " + options_.member.group_id + " member " + consumer_id_ + ": consuming partitions " +
              partition_list(ids));
    if (listener_.on_assigned)
        listener_.on_assigned(starts);
}

void classic_group_member::apply_pause(std::int32_t partition)
{
    if (!assigned_.contains(partition))
        return;
    if (user_paused_.contains(partition) || !announced_.contains(partition))
        consumer_->pause(partition);
    else
        consumer_->resume(partition);
}

void classic_group_member::report(std::error_code ec, const std::string& what)
{
    log_.error(what);
    if (listener_.on_error)
        listener_.on_error(ec, what);
}

void classic_group_member::finish_stop()
{
    if (stopped_)
        return;
    stopped_ = true;
    heartbeat_timer_.cancel();
    retry_timer_.cancel();
    announce_timer_.cancel();
    offsets_->stop();
    consumer_->stop();
    cluster_->shut_down();
    if (auto done = std::exchange(stop_done_, {}))
        boost::asio::post(executor_, std::move(done));
}

std::span<const io::consumer_message> classic_group_member::poll(std::size_t max_messages)
{
    if (!consumer_ || stopped_)
        return {};
    return consumer_->poll(max_messages);
}

void classic_group_member::async_wait_data(wait_handler handler)
{
    if (!consumer_ || stopped_) {
        boost::asio::post(executor_, [h = std::move(handler)] { h(make_error_code(io::errc::shut_down)); });
        return;
    }
    consumer_->async_wait_data(std::move(handler));
}

std::error_code classic_group_member::seek(std::int32_t partition, std::int64_t offset)
{
    if (!consumer_ || !announced_.contains(partition))
        return make_error_code(io::consumer_errc::not_owned);
    return consumer_->seek(partition, offset);
}

std::error_code classic_group_member::pause(std::int32_t partition)
{
    user_paused_.insert(partition);
    apply_pause(partition);
    return {};
}

std::error_code classic_group_member::resume(std::int32_t partition)
{
    user_paused_.erase(partition);
    apply_pause(partition);
    return {};
}

void classic_group_member::commit(std::map<std::int32_t, std::int64_t> offsets, commit_handler handler)
{
    if (!offsets_ || stopped_) {
        boost::asio::post(executor_, [h = std::move(handler)] { h(make_error_code(io::errc::shut_down)); });
        return;
    }
    // Only partitions of the current generation: those lost with it are another member's now.
    std::map<std::int32_t, std::int64_t> allowed;
    bool refused = false;
    bool in_generation = machine_.generation_id() >= 0 && !machine_.member_id().empty();
    for (const auto& [p, offset] : offsets) {
        if (in_generation && (assigned_.contains(p) || revoking_.contains(p)))
            allowed.emplace(p, offset);
        else
            refused = true;
    }
    std::error_code not_owned = refused ? make_error_code(io::consumer_errc::not_owned) : std::error_code{};
    if (allowed.empty()) {
        boost::asio::post(executor_, [h = std::move(handler), not_owned] { h(not_owned); });
        return;
    }
    io::group_member_identity identity{machine_.generation_id(), machine_.member_id(),
                                       options_.member.group_instance_id};
    offsets_->commit_as_member(
        std::move(identity), std::move(allowed),
        [weak = weak_from_this(), h = std::move(handler), not_owned](std::error_code ec) {
            if (auto self = weak.lock(); self && ec && ec.category() == wire::broker_category())
                self->feed(commit_refused{clock::now(), static_cast<std::int16_t>(ec.value())});
            h(ec ? ec : not_owned);
        });
}

std::vector<std::int32_t> classic_group_member::owned() const
{
    return {announced_.begin(), announced_.end()};
}

std::optional<std::int64_t> classic_group_member::position(std::int32_t partition) const
{
    return consumer_ ? consumer_->position(partition) : std::nullopt;
}

std::optional<std::int64_t> classic_group_member::high_watermark(std::int32_t partition) const
{
    return consumer_ ? consumer_->high_watermark(partition) : std::nullopt;
}

} // namespace kspout::member
