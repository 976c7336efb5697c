// A member of a broker-managed classic group (kafka.spout.assignment=kafka): the thin Asio driver
// of classic_member on the cluster, a simple consumer and commits inside the generation.
#pragma once

#include "protocol/io/cluster.hpp"
#include "protocol/log/logger.hpp"
#include "protocol/member/classic_member.hpp"
#include "protocol/member/group_member.hpp"
#include "protocol/member/group_partitions.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>

namespace kspout::member {

struct classic_group_options {
    classic_member_options member;
    io::consumer_options consumer; // topic and group_id are taken from `member`
};

// The coordinator's decisions are classic_member's; this class sends its requests, runs its
// timers, hands partitions to group_partitions, and feeds the answers back. Commits carry the
// generation and member id, so a fenced member's commit is refused by the broker, and are refused
// here for partitions lost with the generation.
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
    void report(std::error_code ec, const std::string& what);
    void finish_stop();

    boost::asio::any_io_executor executor_;
    classic_group_options options_;
    member_listener listener_;
    log::logger log_;
    classic_member machine_;
    std::shared_ptr<io::cluster> cluster_;
    std::shared_ptr<group_partitions> partitions_;
    std::shared_ptr<io::broker> coordinator_;
    boost::asio::steady_timer heartbeat_timer_;
    boost::asio::steady_timer retry_timer_;
    std::string consumer_id_;
    std::string invalid_;
    bool started_ = false;
    bool stopping_ = false;
    bool stopped_ = false;
    std::function<void()> stop_done_;
};

} // namespace kspout::member
