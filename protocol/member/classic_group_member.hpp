// A member of a broker-managed classic group (kafka.spout.assignment=kafka): the thin Asio driver
// of classic_member on the cluster, a simple consumer and commits inside the generation.
#pragma once

#include "protocol/io/cluster.hpp"
#include "protocol/io/offset_manager.hpp"
#include "protocol/io/simple_consumer.hpp"
#include "protocol/log/logger.hpp"
#include "protocol/member/classic_member.hpp"
#include "protocol/member/group_member.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <set>

namespace kspout::member {

struct classic_group_options {
    classic_member_options member;
    io::consumer_options consumer; // topic and group_id are taken from `member`
};

// The coordinator's decisions are classic_member's; this class sends its requests, runs its
// timers, hands partitions to the simple consumer and the listener, and feeds the answers back.
// Messages of a partition are held until on_assigned announced it. Commits carry the generation
// and member id, so a fenced member's commit is refused by the broker, and are refused here for
// partitions lost with the generation.
class classic_group_member final : public group_member, public std::enable_shared_from_this<classic_group_member> {
public:
    // make_engine: the fetching engine (empty: our simple_consumer). Commits always go through our
    // client: they carry the generation, which the engines' plain commits cannot.
    static std::shared_ptr<classic_group_member> create(boost::asio::any_io_executor executor,
                                                        io::cluster_options cluster, classic_group_options options,
                                                        member_listener listener, log::logger log = {},
                                                        io::fetch_engine_factory make_engine = {});
    ~classic_group_member() override;

    void start() override;
    void stop(std::function<void()> done) override;

    std::span<const io::consumer_message> poll(std::size_t max_messages) override;
    void async_wait_data(wait_handler handler) override;
    std::error_code seek(std::int32_t partition, std::int64_t offset) override;
    std::error_code pause(std::int32_t partition) override;
    std::error_code resume(std::int32_t partition) override;
    void commit(std::map<std::int32_t, std::int64_t> offsets, commit_handler handler) override;

    std::vector<std::int32_t> owned() const override;
    const std::string& consumer_id() const noexcept override { return consumer_id_; }
    std::optional<std::int64_t> position(std::int32_t partition) const override;
    std::optional<std::int64_t> high_watermark(std::int32_t partition) const override;

private:
    classic_group_member(boost::asio::any_io_executor executor, io::cluster_options cluster,
                         classic_group_options options, member_listener listener, log::logger log,
                         io::fetch_engine_factory make_engine);

    void feed(const classic::event& e);
    void run(classic::action a);
    void coordinator_failed(std::error_code ec);
    template <typename Request, typename Response, typename Answer>
    void send(wire::api_key key, Request request, std::chrono::milliseconds timeout, Answer answer);
    void arm(classic::timer which, classic::clock::time_point at);
    void revoke(std::vector<std::int32_t> partitions, bool lost);
    void assign(const std::vector<std::int32_t>& partitions);
    void arm_announce_timer();
    void announce_ready();
    void apply_pause(std::int32_t partition);
    void report(std::error_code ec, const std::string& what);
    void finish_stop();

    boost::asio::any_io_executor executor_;
    classic_group_options options_;
    member_listener listener_;
    log::logger log_;
    classic_member machine_;
    std::shared_ptr<io::cluster> cluster_;
    std::shared_ptr<io::fetch_engine> consumer_;
    std::shared_ptr<io::offset_manager> offsets_;
    std::shared_ptr<io::broker> coordinator_;
    boost::asio::steady_timer heartbeat_timer_;
    boost::asio::steady_timer retry_timer_;
    boost::asio::steady_timer announce_timer_;
    std::string consumer_id_;
    std::string invalid_;

    std::set<std::int32_t> assigned_;    // handed to the simple consumer
    std::set<std::int32_t> announced_;   // told to the listener
    std::set<std::int32_t> revoking_;    // handed to on_revoking, still committable until done
    std::set<std::int32_t> user_paused_;
    bool announce_armed_ = false;
    bool started_ = false;
    bool stopping_ = false;
    bool stopped_ = false;
    std::function<void()> stop_done_;
};

} // namespace kspout::member
