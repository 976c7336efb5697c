// classic_group_member: runs classic_member's actions on the coordinator, the timers and the
// member's partitions, and what the owner calls (poll, seek, commit...).
#include "protocol/member/classic_group_member.hpp"

#include "protocol/io/error.hpp"
#include "protocol/wire/broker_error.hpp"

#include <boost/asio/post.hpp>

#include <stdexcept>

namespace kspout::member {

using namespace classic;

namespace {

// JoinGroup is answered once the rebalance completes: allow the rebalance timeout and some more.
constexpr auto join_grace = std::chrono::seconds(5);

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
      log_(std::move(log)), machine_(options_.member), heartbeat_timer_(executor_), retry_timer_(executor_)
{
    options_.consumer.topic = options_.member.topic;
    options_.consumer.group_id = options_.member.group_id;
    if (options_.member.group_id.empty() || options_.member.topic.empty()) {
        invalid_ = "a broker-managed group needs a group id and a topic";
        return;
    }
    try {
        cluster_ = io::cluster::create(executor_, std::move(cluster), log_);
        partitions_ = group_partitions::create(executor_, cluster_, options_.consumer, listener_, log_, make_engine);
    } catch (const std::invalid_argument& e) {
        invalid_ = e.what();
    }
}

classic_group_member::~classic_group_member()
{
    heartbeat_timer_.cancel();
    retry_timer_.cancel();
    if (partitions_)
        partitions_->stop();
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
    partitions_->hold_announcements();
    feed(classic::stop{clock::now()});
}

void classic_group_member::feed(const event& e)
{
    if (stopped_)
        return;
    for (action& a : machine_.resume(e))
        run(std::move(a));
    consumer_id_ = machine_.member_id();
    partitions_->set_member_id(consumer_id_);
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
        if (std::error_code ec = partitions_->assign(a.partitions))
            report(ec, "group " + group + ": cannot assign partitions: " + ec.message());
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
    partitions_->revoke(partitions, lost, [weak = weak_from_this()] {
        if (auto self = weak.lock())
            self->feed(revoke_done{clock::now()});
    });
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
    partitions_->stop();
    cluster_->shut_down();
    if (auto done = std::exchange(stop_done_, {}))
        boost::asio::post(executor_, std::move(done));
}

std::span<const io::consumer_message> classic_group_member::poll(std::size_t max_messages)
{
    return partitions_ ? partitions_->poll(max_messages) : std::span<const io::consumer_message>{};
}

void classic_group_member::async_wait_data(wait_handler handler)
{
    if (!partitions_) {
        boost::asio::post(executor_, [h = std::move(handler)] { h(make_error_code(io::errc::shut_down)); });
        return;
    }
    partitions_->async_wait_data(std::move(handler));
}

std::error_code classic_group_member::seek(std::int32_t partition, std::int64_t offset)
{
    return partitions_ ? partitions_->seek(partition, offset) : make_error_code(io::errc::shut_down);
}

std::error_code classic_group_member::pause(std::int32_t partition)
{
    if (partitions_)
        partitions_->pause(partition);
    return {};
}

std::error_code classic_group_member::resume(std::int32_t partition)
{
    if (partitions_)
        partitions_->resume(partition);
    return {};
}

void classic_group_member::commit(std::map<std::int32_t, std::int64_t> offsets, commit_handler handler)
{
    if (!partitions_) {
        boost::asio::post(executor_, [h = std::move(handler)] { h(make_error_code(io::errc::shut_down)); });
        return;
    }
    // Only inside a generation: partitions lost with one are another member's now.
    std::optional<io::group_member_identity> identity;
    if (machine_.generation_id() >= 0 && !machine_.member_id().empty())
        identity = io::group_member_identity{machine_.generation_id(), machine_.member_id(),
                                             options_.member.group_instance_id};
    partitions_->commit(std::move(offsets), std::move(identity), std::move(handler),
                        [weak = weak_from_this()](std::int16_t code) {
                            if (auto self = weak.lock())
                                self->feed(commit_refused{clock::now(), code});
                        });
}

std::vector<std::int32_t> classic_group_member::owned() const
{
    return partitions_ ? partitions_->owned() : std::vector<std::int32_t>{};
}

std::optional<std::int64_t> classic_group_member::position(std::int32_t partition) const
{
    return partitions_ ? partitions_->position(partition) : std::nullopt;
}

std::optional<std::int64_t> classic_group_member::high_watermark(std::int32_t partition) const
{
    return partitions_ ? partitions_->high_watermark(partition) : std::nullopt;
}

} // namespace kspout::member
