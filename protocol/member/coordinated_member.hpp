// What both broker-managed group members share around their protocol's state machine: the coordinator, two timers, the partitions, the owner's calls.
#pragma once

#include "protocol/io/cluster.hpp"
#include "protocol/io/error.hpp"
#include "protocol/log/logger.hpp"
#include "protocol/member/group_member.hpp"
#include "protocol/member/member_events.hpp"
#include "protocol/member/group_partitions.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>

namespace kspout::member {

// The subclass holds the protocol's machine: it feeds it what happens here (the virtual calls)
// and carries out its actions with the helpers below. Everything runs on the executor.
class coordinated_member : public group_member, public std::enable_shared_from_this<coordinated_member> {
public:
    ~coordinated_member() override;

    void start() override;
    void stop(std::function<void()> done) override;

    std::span<const io::consumer_message> poll(std::size_t max_messages) override;
    void async_wait_data(wait_handler handler) override;
    std::error_code seek(std::int32_t partition, std::int64_t offset) override;
    std::error_code pause(std::int32_t partition) override;
    std::error_code resume(std::int32_t partition) override;
    void commit(std::map<std::int32_t, std::int64_t> offsets, commit_handler handler) override;

    std::vector<std::int32_t> owned() const override;
    const std::string& consumer_id() const noexcept override { return member_id_; }
    std::optional<std::int64_t> position(std::int32_t partition) const override;
    std::optional<std::int64_t> high_watermark(std::int32_t partition) const override;

protected:
    using clock = events::clock;
    using timer = events::timer;

    // consumer: its topic and group_id name the group. make_engine: the fetching engine (empty:
    // our simple_consumer). Invalid options are reported at start().
    coordinated_member(boost::asio::any_io_executor executor, io::cluster_options cluster,
                       io::consumer_options consumer, member_listener listener, log::logger log,
                       const io::fetch_engine_factory& make_engine);

    // What the machine is told.
    virtual void started() = 0;
    virtual void stopping() = 0;
    virtual void coordinator_found() = 0;
    virtual void coordinator_lost() = 0;
    virtual void revoke_finished() = 0;
    virtual void timer_fired(timer which) = 0;
    // Who commits now: none outside the group (every commit is then refused here).
    virtual std::optional<io::group_member_identity> commit_identity() const = 0;
    virtual void commit_refused(std::int16_t error_code) = 0;

    // What the machine asks for. run_shared carries out the actions both machines have
    // (find_coordinator, revoke, assign, arm_timer, report_error, stopped) and returns false for
    // the protocol's own.
    template <typename Action>
    bool run_shared(Action& a);
    void find_coordinator();
    // Sends to the coordinator; answer(ec, response) runs unless the member is gone or stopped,
    // with ec set only for io::errc::no_common_version (the broker lacks the request). A transport
    // failure (or no coordinator) is coordinator_failed() instead.
    template <typename Request, typename Response, typename Answer>
    void send(wire::api_key key, Request request, std::chrono::milliseconds timeout, Answer answer);
    void arm(timer which, clock::time_point at);
    void revoke(const std::vector<std::int32_t>& partitions, bool lost);
    void assign(const std::vector<std::int32_t>& partitions);
    void report(std::error_code ec, const std::string& what);
    void finish_stop();
    void set_member_id(std::string id);
    // The coordinator failed `ec`: forgotten, and coordinator_lost() told.
    void coordinator_failed(std::error_code ec);

    const std::string& group_id() const noexcept { return consumer_.group_id; }
    const std::string& topic() const noexcept { return consumer_.topic; }
    bool has_stopped() const noexcept { return stopped_; }
    const std::shared_ptr<io::cluster>& cluster() const noexcept { return cluster_; }
    const std::shared_ptr<io::broker>& coordinator() const noexcept { return coordinator_; }
    boost::asio::any_io_executor executor() const { return executor_; }
    log::logger& logger() noexcept { return log_; }

private:
    boost::asio::any_io_executor executor_;
    io::consumer_options consumer_;
    member_listener listener_;
    log::logger log_;
    std::shared_ptr<io::cluster> cluster_;
    std::shared_ptr<group_partitions> partitions_;
    std::shared_ptr<io::broker> coordinator_;
    boost::asio::steady_timer heartbeat_timer_;
    boost::asio::steady_timer retry_timer_;
    std::string member_id_;
    std::string invalid_;
    bool started_ = false;
    bool stopping_ = false;
    bool stopped_ = false;
    std::function<void()> stop_done_;
};

template <typename Action>
bool coordinated_member::run_shared(Action& a)
{
    using type = decltype(a.type);
    switch (a.type) {
    case type::find_coordinator:
        find_coordinator();
        return true;
    case type::revoke:
        revoke(a.partitions, a.lost);
        return true;
    case type::assign:
        assign(a.partitions);
        return true;
    case type::arm_timer:
        arm(a.which, a.at);
        return true;
    case type::report_error:
        report(a.error, a.what);
        return true;
    case type::stopped:
        finish_stop();
        return true;
    default:
        return false;
    }
}

template <typename Request, typename Response, typename Answer>
void coordinated_member::send(wire::api_key key, Request request, std::chrono::milliseconds timeout, Answer answer)
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
            if (ec && ec != make_error_code(io::errc::no_common_version)) {
                self->coordinator_failed(ec);
                return;
            }
            answer(ec, std::move(resp));
        });
}

} // namespace kspout::member
