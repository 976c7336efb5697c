// coordinated_member: the coordinator lookup and requests, the timers, the lifecycle and the owner's calls of a broker-managed member.
#include "protocol/member/coordinated_member.hpp"

#include <stdexcept>

namespace kspout::member {

coordinated_member::coordinated_member(boost::asio::any_io_executor executor, io::cluster_options cluster,
                                       io::consumer_options consumer, member_listener listener, log::logger log,
                                       const io::fetch_engine_factory& make_engine)
    : executor_(std::move(executor)), consumer_(std::move(consumer)), listener_(std::move(listener)),
      log_(std::move(log)), heartbeat_timer_(executor_), retry_timer_(executor_)
{
    if (consumer_.group_id.empty() || consumer_.topic.empty()) {
        invalid_ = "a broker-managed group needs a group id and a topic";
        return;
    }
    try {
        cluster_ = io::cluster::create(executor_, std::move(cluster), log_);
        partitions_ = group_partitions::create(executor_, cluster_, consumer_, listener_, log_, make_engine);
    } catch (const std::invalid_argument& e) {
        invalid_ = e.what();
    }
}

coordinated_member::~coordinated_member()
{
    heartbeat_timer_.cancel();
    retry_timer_.cancel();
    if (partitions_)
        partitions_->stop();
    if (cluster_)
        cluster_->shut_down();
}

void coordinated_member::start()
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
    started();
}

void coordinated_member::stop(std::function<void()> done)
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
    stopping();
}

void coordinated_member::coordinator_failed(std::error_code ec)
{
    log_.info("group " + group_id() + ": coordinator unreachable: " + ec.message());
    cluster_->invalidate_coordinator(group_id());
    coordinator_.reset();
    coordinator_lost();
}

void coordinated_member::find_coordinator()
{
    cluster_->invalidate_coordinator(group_id());
    cluster_->find_coordinator(group_id(), [weak = weak_from_this()](std::error_code ec, std::shared_ptr<io::broker> b) {
        auto self = weak.lock();
        if (!self || self->stopped_)
            return;
        if (ec || !b) {
            self->coordinator_.reset();
            self->coordinator_lost();
            return;
        }
        self->coordinator_ = std::move(b);
        self->coordinator_found();
    });
}

void coordinated_member::arm(timer which, clock::time_point at)
{
    auto& t = which == timer::heartbeat ? heartbeat_timer_ : retry_timer_;
    t.expires_at(at);
    t.async_wait([weak = weak_from_this(), which](std::error_code ec) {
        auto self = weak.lock();
        if (!ec && self && !self->stopped_)
            self->timer_fired(which);
    });
}

void coordinated_member::revoke(const std::vector<std::int32_t>& partitions, bool lost)
{
    partitions_->revoke(partitions, lost, [weak = weak_from_this()] {
        if (auto self = weak.lock(); self && !self->stopped_)
            self->revoke_finished();
    });
}

void coordinated_member::assign(const std::vector<std::int32_t>& partitions)
{
    if (std::error_code ec = partitions_->assign(partitions))
        report(ec, "group " + group_id() + ": cannot assign partitions: " + ec.message());
}

void coordinated_member::report(std::error_code ec, const std::string& what)
{
    log_.error(what);
    if (listener_.on_error)
        listener_.on_error(ec, what);
}

void coordinated_member::set_member_id(std::string id)
{
    member_id_ = std::move(id);
    partitions_->set_member_id(member_id_);
}

void coordinated_member::finish_stop()
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

std::span<const io::consumer_message> coordinated_member::poll(std::size_t max_messages)
{
    return partitions_ ? partitions_->poll(max_messages) : std::span<const io::consumer_message>{};
}

void coordinated_member::async_wait_data(wait_handler handler)
{
    if (!partitions_) {
        boost::asio::post(executor_, [h = std::move(handler)] { h(make_error_code(io::errc::shut_down)); });
        return;
    }
    partitions_->async_wait_data(std::move(handler));
}

std::error_code coordinated_member::seek(std::int32_t partition, std::int64_t offset)
{
    return partitions_ ? partitions_->seek(partition, offset) : make_error_code(io::errc::shut_down);
}

std::error_code coordinated_member::pause(std::int32_t partition)
{
    if (partitions_)
        partitions_->pause(partition);
    return {};
}

std::error_code coordinated_member::resume(std::int32_t partition)
{
    if (partitions_)
        partitions_->resume(partition);
    return {};
}

void coordinated_member::commit(std::map<std::int32_t, std::int64_t> offsets, commit_handler handler)
{
    if (!partitions_) {
        boost::asio::post(executor_, [h = std::move(handler)] { h(make_error_code(io::errc::shut_down)); });
        return;
    }
    partitions_->commit(std::move(offsets), commit_identity(), std::move(handler),
                        [weak = weak_from_this()](std::int16_t code) {
                            if (auto self = weak.lock(); self && !self->stopped_)
                                self->commit_refused(code);
                        });
}

std::vector<std::int32_t> coordinated_member::owned() const
{
    return partitions_ ? partitions_->owned() : std::vector<std::int32_t>{};
}

std::optional<std::int64_t> coordinated_member::position(std::int32_t partition) const
{
    return partitions_ ? partitions_->position(partition) : std::nullopt;
}

std::optional<std::int64_t> coordinated_member::high_watermark(std::int32_t partition) const
{
    return partitions_ ? partitions_->high_watermark(partition) : std::nullopt;
}

} // namespace kspout::member
