// A member of a KIP-848 consumer group (kafka.group.protocol=consumer): the thin Asio driver of
// kip848_member on the coordinator, the timers and the member's partitions.
#pragma once

#include "protocol/member/coordinated_member.hpp"
#include "protocol/member/kip848_member.hpp"

namespace kspout::member {

struct kip848_group_options {
    kip848_member_options member; // an empty member_id gets a random one (KIP-1082)
    io::consumer_options consumer; // topic and group_id are taken from `member`
};

// The broker assigns; kip848_member decides what its answers mean and this class sends its
// heartbeats and feeds the answers back. Commits carry the member epoch and id, so a fenced
// member's commit is refused by the broker, and are refused here while the member has no epoch.
class kip848_group_member final : public coordinated_member {
public:
    static std::shared_ptr<kip848_group_member> create(boost::asio::any_io_executor executor,
                                                       io::cluster_options cluster, kip848_group_options options,
                                                       member_listener listener, log::logger log = {},
                                                       io::fetch_engine_factory make_engine = {});

private:
    kip848_group_member(boost::asio::any_io_executor executor, io::cluster_options cluster,
                        kip848_group_options options, member_listener listener, log::logger log,
                        const io::fetch_engine_factory& make_engine);

    void started() override { feed(kip848::start{clock::now()}); }
    void stopping() override { feed(kip848::stop{clock::now()}); }
    void coordinator_found() override { feed(kip848::coordinator_found{clock::now()}); }
    void coordinator_lost() override { feed(kip848::coordinator_lost{clock::now()}); }
    void revoke_finished() override { feed(kip848::revoke_done{clock::now()}); }
    void timer_fired(timer which) override { feed(kip848::timer_fired{clock::now(), which}); }
    std::optional<io::group_member_identity> commit_identity() const override;
    void commit_refused(std::int16_t error_code) override { feed(kip848::commit_refused{clock::now(), error_code}); }

    void feed(const kip848::event& e);
    void run(kip848::action a);
    void resolve_topic();

    kip848_member_options options_;
    std::chrono::milliseconds request_timeout_;
    kip848_member machine_;
};

// A random member id as Kafka's Uuid prints it: 16 bytes in unpadded URL-safe base64.
std::string random_member_id();

} // namespace kspout::member
