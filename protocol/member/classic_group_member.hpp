// A member of a broker-managed classic group (kafka.spout.assignment=kafka): the thin Asio driver
// of classic_member on the coordinator, the timers and the member's partitions.
#pragma once

#include "protocol/member/classic_member.hpp"
#include "protocol/member/coordinated_member.hpp"

namespace kspout::member {

struct classic_group_options {
    classic_member_options member;
    io::consumer_options consumer; // topic and group_id are taken from `member`
};

// The coordinator's decisions are classic_member's; this class sends its requests and feeds the
// answers back. Commits carry the generation and member id, so a fenced member's commit is
// refused by the broker, and are refused here for partitions lost with the generation.
class classic_group_member final : public coordinated_member {
public:
    // make_engine: the fetching engine (empty: our simple_consumer). Commits always go through our
    // client: they carry the generation, which the engines' plain commits cannot.
    static std::shared_ptr<classic_group_member> create(boost::asio::any_io_executor executor,
                                                        io::cluster_options cluster, classic_group_options options,
                                                        member_listener listener, log::logger log = {},
                                                        io::fetch_engine_factory make_engine = {});

private:
    classic_group_member(boost::asio::any_io_executor executor, io::cluster_options cluster,
                         classic_group_options options, member_listener listener, log::logger log,
                         const io::fetch_engine_factory& make_engine);

    void started() override { feed(classic::start{clock::now()}); }
    void stopping() override { feed(classic::stop{clock::now()}); }
    void coordinator_found() override { feed(classic::coordinator_found{clock::now()}); }
    void coordinator_lost() override { feed(classic::coordinator_lost{clock::now()}); }
    void revoke_finished() override { feed(classic::revoke_done{clock::now()}); }
    void timer_fired(timer which) override { feed(classic::timer_fired{clock::now(), which}); }
    std::optional<io::group_member_identity> commit_identity() const override;
    void commit_refused(std::int16_t error_code) override { feed(classic::commit_refused{clock::now(), error_code}); }

    void feed(const classic::event& e);
    void run(classic::action a);

    classic_member_options options_;
    std::chrono::milliseconds request_timeout_;
    classic_member machine_;
};

} // namespace kspout::member
