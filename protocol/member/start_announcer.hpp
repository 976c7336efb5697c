// start_announcer: partitions handed to the fetcher are announced (on_assigned) once their start offsets are known.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace kspout::member {

struct ready_partitions {
    std::map<std::int32_t, std::int64_t> starts; // partition -> the offset it starts from
    bool waiting = false;                         // some start offsets are still being looked up
};

// Shared by the ZooKeeper member and the broker-managed ones: which partitions were announced, and
// the timer that looks again, every few ms, for those whose start offset is still unknown.
class start_announcer {
public:
    explicit start_announcer(boost::asio::any_io_executor executor) : timer_(std::move(executor)) {}

    // Runs `check` in a few ms, once however often it is asked meanwhile; not at all once `owner` is gone.
    void arm(std::weak_ptr<void> owner, std::function<void()> check)
    {
        if (armed_)
            return;
        armed_ = true;
        timer_.expires_after(interval);
        timer_.async_wait([this, owner = std::move(owner), check = std::move(check)](std::error_code ec) {
            auto alive = owner.lock();
            if (!alive)
                return;
            armed_ = false;
            if (!ec)
                check();
        });
    }

    void cancel() { timer_.cancel(); }

    // Of `assigned`, the partitions not yet announced whose start offset position(p) knows
    // (simple_consumer::position), from now on counted as announced.
    template <typename Position>
    ready_partitions take_ready(const std::set<std::int32_t>& assigned, Position position)
    {
        ready_partitions out;
        for (std::int32_t p : assigned) {
            if (announced_.contains(p))
                continue;
            if (std::optional<std::int64_t> at = position(p)) {
                out.starts[p] = *at;
                announced_.insert(p);
            } else {
                out.waiting = true;
            }
        }
        return out;
    }

    bool announced(std::int32_t partition) const { return announced_.contains(partition); }
    const std::set<std::int32_t>& announced_partitions() const { return announced_; }
    // Whether it had been announced.
    bool forget(std::int32_t partition) { return announced_.erase(partition) > 0; }

private:
    static constexpr std::chrono::milliseconds interval{5};

    boost::asio::steady_timer timer_;
    std::set<std::int32_t> announced_;
    bool armed_ = false;
};

} // namespace kspout::member
