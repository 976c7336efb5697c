// best_protocol_member: KIP-848's member first, the classic one when the coordinator does not offer KIP-848.
#include "protocol/member/best_protocol_member.hpp"

#include "protocol/io/error.hpp"
#include "protocol/member/group_error_codes.hpp"
#include "protocol/wire/broker_error.hpp"

#include <boost/asio/post.hpp>

#include <utility>

namespace kspout::member {

std::shared_ptr<best_protocol_member> best_protocol_member::create(boost::asio::any_io_executor executor,
                                                                   maker preferred, maker fallback,
                                                                   member_listener listener, log::logger log)
{
    std::shared_ptr<best_protocol_member> self(
        new best_protocol_member(std::move(executor), std::move(fallback), std::move(listener), std::move(log)));
    self->current_ = preferred(self->relay());
    return self;
}

best_protocol_member::best_protocol_member(boost::asio::any_io_executor executor, maker fallback,
                                           member_listener listener, log::logger log)
    : executor_(std::move(executor)), fallback_(std::move(fallback)), listener_(std::move(listener)),
      log_(std::move(log))
{
}

member_listener best_protocol_member::relay()
{
    member_listener out;
    std::weak_ptr<best_protocol_member> weak = weak_from_this();
    out.on_assigned = [weak](const std::map<std::int32_t, std::int64_t>& starts) {
        if (auto self = weak.lock(); self && self->listener_.on_assigned)
            self->listener_.on_assigned(starts);
    };
    out.on_revoking = [weak](const std::vector<std::int32_t>& partitions, std::function<void()> done) {
        auto self = weak.lock();
        if (self && self->listener_.on_revoking)
            self->listener_.on_revoking(partitions, std::move(done));
        else
            done();
    };
    out.on_error = [weak](std::error_code ec, const std::string& what) {
        auto self = weak.lock();
        if (!self)
            return;
        if (!self->fell_back_ && ec == wire::make_broker_error(group_error::unsupported_version)) {
            // Not from inside the member's own report: it is stopped from a fresh handler.
            self->fell_back_ = true;
            boost::asio::post(self->executor_, [weak] {
                if (auto s = weak.lock())
                    s->fall_back();
            });
            return;
        }
        if (self->listener_.on_error)
            self->listener_.on_error(ec, what);
    };
    return out;
}

void best_protocol_member::start()
{
    current_->start();
}

void best_protocol_member::fall_back()
{
    if (stopping_)
        return; // the stop went to the member that failed
    switching_ = true;
    log_.info("group: the coordinator does not offer KIP-848's consumer group protocol; using the classic one");
    current_->stop([weak = weak_from_this()] {
        auto self = weak.lock();
        if (!self)
            return;
        self->switching_ = false;
        self->current_ = self->fallback_(self->relay());
        for (std::int32_t p : self->paused_)
            self->current_->pause(p);
        for (auto& handler : std::exchange(self->waiting_, {}))
            self->current_->async_wait_data(std::move(handler));
        if (self->stopping_) {
            auto done = std::exchange(self->stop_done_, {});
            boost::asio::post(self->executor_, [done = std::move(done)] {
                if (done)
                    done();
            });
            return;
        }
        self->current_->start();
    });
}

void best_protocol_member::stop(std::function<void()> done)
{
    stopping_ = true;
    if (switching_) {
        stop_done_ = std::move(done);
        return;
    }
    current_->stop(std::move(done));
}

void best_protocol_member::async_wait_data(wait_handler handler)
{
    if (switching_) {
        waiting_.push_back(std::move(handler));
        return;
    }
    current_->async_wait_data(std::move(handler));
}

std::error_code best_protocol_member::pause(std::int32_t partition)
{
    paused_.insert(partition);
    return current_->pause(partition);
}

std::error_code best_protocol_member::resume(std::int32_t partition)
{
    paused_.erase(partition);
    return current_->resume(partition);
}

} // namespace kspout::member
