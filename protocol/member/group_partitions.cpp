// group_partitions: a broker-managed member's partitions on the fetching engine, the listener and the offset manager.
#include "protocol/member/group_partitions.hpp"

#include "protocol/io/consumer_error.hpp"
#include "protocol/io/error.hpp"
#include "protocol/io/simple_consumer.hpp"
#include "protocol/wire/broker_error.hpp"

#include <boost/asio/post.hpp>

namespace kspout::member {

namespace {

std::string partition_list(const std::vector<std::int32_t>& partitions)
{
    std::string out;
    for (std::int32_t p : partitions)
        out += (out.empty() ? "" : ",") + std::to_string(p);
    return out.empty() ? "none" : out;
}

} // namespace

std::shared_ptr<group_partitions> group_partitions::create(boost::asio::any_io_executor executor,
                                                           std::shared_ptr<io::cluster> cluster,
                                                           io::consumer_options consumer, member_listener listener,
                                                           log::logger log, const io::fetch_engine_factory& make_engine)
{
    std::shared_ptr<group_partitions> self(
        new group_partitions(std::move(executor), std::move(consumer), std::move(listener), std::move(log)));
    self->consumer_ = make_engine ? make_engine(cluster, self->options_)
                                  : io::simple_consumer::create(cluster, self->options_, self->log_);
    self->offsets_ = io::offset_manager::create(
        cluster, {self->options_.group_id, self->options_.topic, self->options_.retry_backoff,
                  self->options_.request_timeout},
        self->log_);
    return self;
}

group_partitions::group_partitions(boost::asio::any_io_executor executor, io::consumer_options consumer,
                                   member_listener listener, log::logger log)
    : executor_(std::move(executor)), options_(std::move(consumer)), listener_(std::move(listener)),
      log_(std::move(log)), announcer_(executor_)
{
}

std::error_code group_partitions::assign(const std::vector<std::int32_t>& partitions)
{
    // Each starts at the group's committed offset, else by auto_offset_reset.
    std::vector<io::partition_start> starts;
    for (std::int32_t p : partitions)
        starts.push_back({p, std::nullopt});
    if (std::error_code ec = consumer_->assign(starts))
        return ec;
    for (std::int32_t p : partitions) {
        assigned_.insert(p);
        apply_pause(p); // held until its start offset is known and announced
    }
    arm_announce_timer();
    return {};
}

void group_partitions::revoke(const std::vector<std::int32_t>& partitions, bool lost, std::function<void()> done)
{
    consumer_->revoke(partitions);
    for (std::int32_t p : partitions) {
        assigned_.erase(p);
        announcer_.forget(p);
        if (!lost)
            revoking_.insert(p);
    }
    log_.info("group " + options_.group_id + ": " + (lost ? "lost" : "revoking") + " partitions " +
              partition_list(partitions));
    auto finished = [weak = weak_from_this(), partitions, done = std::move(done)] {
        if (auto self = weak.lock())
            for (std::int32_t p : partitions)
                self->revoking_.erase(p);
        done();
    };
    if (listener_.on_revoking)
        listener_.on_revoking(partitions, std::move(finished));
    else
        boost::asio::post(executor_, std::move(finished));
}

void group_partitions::arm_announce_timer()
{
    announcer_.arm(weak_from_this(), [this] { announce_ready(); });
}

void group_partitions::announce_ready()
{
    if (holding_ || stopped_)
        return;
    auto [starts, waiting] =
        announcer_.take_ready(assigned_, [this](std::int32_t p) { return consumer_->position(p); });
    for (const auto& [p, at] : starts)
        apply_pause(p);
    if (waiting)
        arm_announce_timer();
    if (starts.empty())
        return;
    std::vector<std::int32_t> ids;
    for (const auto& [p, at] : starts)
        ids.push_back(p);
    log_.info("group " + options_.group_id + " member " + member_id_ + ": consuming partitions " + partition_list(ids));
    if (listener_.on_assigned)
        listener_.on_assigned(starts);
}

void group_partitions::apply_pause(std::int32_t partition)
{
    if (!assigned_.contains(partition))
        return;
    if (user_paused_.contains(partition) || !announcer_.announced(partition))
        consumer_->pause(partition);
    else
        consumer_->resume(partition);
}

void group_partitions::commit(std::map<std::int32_t, std::int64_t> offsets,
                              std::optional<io::group_member_identity> identity,
                              group_member::commit_handler handler, std::function<void(std::int16_t)> refused)
{
    if (stopped_) {
        boost::asio::post(executor_, [h = std::move(handler)] { h(make_error_code(io::errc::shut_down)); });
        return;
    }
    // Only partitions the member holds now: those lost are another member's.
    std::map<std::int32_t, std::int64_t> allowed;
    bool not_all = false;
    for (const auto& [p, offset] : offsets) {
        if (identity && (assigned_.contains(p) || revoking_.contains(p)))
            allowed.emplace(p, offset);
        else
            not_all = true;
    }
    std::error_code not_owned = not_all ? make_error_code(io::consumer_errc::not_owned) : std::error_code{};
    if (allowed.empty()) {
        boost::asio::post(executor_, [h = std::move(handler), not_owned] { h(not_owned); });
        return;
    }
    offsets_->commit_as_member(std::move(*identity), std::move(allowed),
                               [h = std::move(handler), refused = std::move(refused), not_owned](std::error_code ec) {
                                   if (ec && ec.category() == wire::broker_category())
                                       refused(static_cast<std::int16_t>(ec.value()));
                                   h(ec ? ec : not_owned);
                               });
}

void group_partitions::stop()
{
    if (std::exchange(stopped_, true))
        return;
    announcer_.cancel();
    offsets_->stop();
    consumer_->stop();
}

std::span<const io::consumer_message> group_partitions::poll(std::size_t max_messages)
{
    return stopped_ ? std::span<const io::consumer_message>{} : consumer_->poll(max_messages);
}

void group_partitions::async_wait_data(group_member::wait_handler handler)
{
    if (stopped_) {
        boost::asio::post(executor_, [h = std::move(handler)] { h(make_error_code(io::errc::shut_down)); });
        return;
    }
    consumer_->async_wait_data(std::move(handler));
}

std::error_code group_partitions::seek(std::int32_t partition, std::int64_t offset)
{
    if (!announcer_.announced(partition))
        return make_error_code(io::consumer_errc::not_owned);
    return consumer_->seek(partition, offset);
}

void group_partitions::pause(std::int32_t partition)
{
    user_paused_.insert(partition);
    apply_pause(partition);
}

void group_partitions::resume(std::int32_t partition)
{
    user_paused_.erase(partition);
    apply_pause(partition);
}

} // namespace kspout::member
