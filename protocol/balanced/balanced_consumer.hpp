// BalancedConsumer: members of a group split a topic's partitions, coordinated through ZooKeeper
// with pykafka's znode layout and range assignment, or statically by (index, count).
#pragma once

#include "protocol/balanced/balanced_options.hpp"
#include "protocol/balanced/member_session.hpp"
#include "protocol/balanced/rebalance_cycle.hpp"
#include "protocol/group/assignment.hpp"
#include "protocol/group/paths.hpp"
#include "protocol/io/simple_consumer.hpp"
#include "protocol/member/group_member.hpp"
#include "protocol/member/start_announcer.hpp"
#include "protocol/zk/zk_client.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace kspout::balanced {

// Events the owner of the consumer handles (member_listener's on_revoking: the consumer deletes
// its owner znodes after done()).
using balanced_listener = member::member_listener;

// Lifecycle: start() joins the group (registers the ids znode, watches members, claims
// partitions) and fetching begins as partitions are claimed; stop() revokes everything through
// on_revoking, deletes our znodes and closes the session.
//
// Guarantees: a partition is fetched only while its owner znode is ours; on a ZooKeeper
// disconnect or session expiry, messages of every owned partition stop being returned at once
// (ownership is no longer guaranteed), and the member re-registers and rebalances on a new
// session. Messages are returned and offsets committed only while an answer from ZooKeeper
// proves the session alive (session_lease), so a process that was stopped past its session
// timeout hands out and commits nothing before it learns what happened meanwhile. Claims are
// exclusive per partition, whatever leader-id prefix an existing owner node carries. The
// consumer never commits anything by itself.
//
// The decisions about the session and the lease are member_session's, those about rebalance
// attempts rebalance_cycle's: two machines without I/O. This class runs their actions on
// ZooKeeper, the cluster and timers, and feeds the answers back.
class balanced_consumer final : public member::group_member,
                                public std::enable_shared_from_this<balanced_consumer> {
public:
    // make_engine: the fetching engine (empty: our simple_consumer on the member's cluster).
    static std::shared_ptr<balanced_consumer> create(boost::asio::any_io_executor executor,
                                                     io::cluster_options cluster, balanced_options options,
                                                     balanced_listener listener, log::logger log = {},
                                                     io::fetch_engine_factory make_engine = {});
    ~balanced_consumer() override;

    void start() override;
    void stop(std::function<void()> done) override;

    // As simple_consumer::poll: buffered messages of owned partitions, never waiting.
    std::span<const io::consumer_message> poll(std::size_t max_messages) override;
    void async_wait_data(wait_handler handler) override;
    // Rewinds an owned partition (a replay after a failed tuple).
    std::error_code seek(std::int32_t partition, std::int64_t offset) override;
    std::error_code pause(std::int32_t partition) override;
    std::error_code resume(std::int32_t partition) override;
    // Commits offsets ("next offset to read") for owned partitions; others are refused.
    // (Partitions handed to on_revoking count as owned until its done(), unless they were lost
    // with the session. When the session lease has lapsed, ZooKeeper is asked first; while it is
    // disconnected or does not confirm the session, every partition is refused. When some are
    // refused, the rest are still committed and the handler gets io::consumer_errc::not_owned, or
    // errc::session_unconfirmed.)
    void commit(std::map<std::int32_t, std::int64_t> offsets, commit_handler handler) override;

    std::vector<std::int32_t> owned() const override;
    const std::string& consumer_id() const noexcept override;
    std::optional<std::int64_t> position(std::int32_t partition) const override;
    std::optional<std::int64_t> high_watermark(std::int32_t partition) const override;
    // The current ZooKeeper session (nullopt in static mode or before the first connection): for
    // diagnostics, and for tests that expire it from outside.
    std::optional<zk::session_credentials> zookeeper_session() const;

private:
    struct claim {
        std::string path;          // the owner znode we created (empty in static mode)
        std::uint64_t session = 0; // session_.epoch() when it was created
        bool doubtful = false;     // a delete or a check of it failed: it may or may not exist
    };
    struct claim_outcome {
        std::vector<std::pair<std::int32_t, std::string>> created; // nodes made now, checked before use
        std::vector<std::int32_t> conflicts; // claimed by another member
        bool vanished = false;               // a conflicting node was gone when read: retry at once
        std::error_code error;
        std::string what;
        std::size_t remaining = 0;
    };

    balanced_consumer(boost::asio::any_io_executor executor, io::cluster_options cluster, balanced_options options,
                      balanced_listener listener, log::logger log, io::fetch_engine_factory make_engine);

    // Session (balanced_session.cpp): runs the actions of session_ and feeds it ZooKeeper's answers.
    void on_session_state(zk::session_state state);
    void feed_session(const session::event& e);
    void run_session(session::action a);
    void lose_session(std::string_view why);
    void register_member();
    void register_in_group(std::uint64_t epoch);
    void on_registered(bool ok, std::string_view why);
    // A step of registering failed: out of the group when refused, else tried again later.
    void registration_failed(std::error_code ec, const std::string& what);
    // How the group's znodes are made: with their parents, under the configured ACL.
    zk::create_options group_node(zk::create_mode mode) const;
    // ZNOAUTH on a znode of the group: the session machine takes the member out of the group.
    bool refused(std::error_code ec, const std::string& what);
    void arm_unreachable_timer();
    std::vector<std::int32_t> assigned_list() const;
    void report(std::error_code code, std::string what);

    // Rebalancing (balanced_rebalance.cpp): runs the actions of cycle_ and feeds it the answers.
    void request_rebalance(std::string_view reason);
    void maybe_rebalance();
    void feed(const cycle::event& e);
    void run(cycle::action a);
    bool current(std::uint64_t attempt) const noexcept { return cycle_.current(attempt); }
    void read_metadata(std::uint64_t attempt);
    void read_members(std::uint64_t attempt);
    void apply_target(std::uint64_t attempt, std::vector<group::partition_info> target);
    void arm_metadata_timer();
    void check_metadata();

    // Claims (balanced_claims.cpp).
    void claim_partitions(std::uint64_t attempt, std::vector<group::partition_info> wanted,
                          std::function<void(const claim_outcome&)> done);
    void verify_claims(std::uint64_t attempt, std::shared_ptr<claim_outcome> out,
                       std::function<void(const claim_outcome&)> done);
    void settle(std::uint64_t attempt, std::int32_t partition, std::vector<std::string> names,
                std::shared_ptr<claim_outcome> out, std::function<void()> next);
    void watch_conflict(const std::string& path);
    void retry_now();
    void release(std::vector<std::int32_t> partitions, bool delete_nodes, std::function<void(bool ok)> then);
    void delete_claims(std::vector<std::int32_t> partitions, std::function<void(bool ok)> then);

    // The session lease (balanced_lease.cpp).
    bool lease_valid() const;
    void arm_probe_timer();
    void probe_session(std::function<void()> then = {});
    void send_probe(std::uint64_t epoch, std::int64_t session_id);
    void commit_confirmed(std::map<std::int32_t, std::int64_t> offsets, commit_handler handler);

    // Handing partitions to the simple consumer and the listener (balanced_consumer.cpp).
    void assign_claimed(const std::vector<std::int32_t>& partitions);
    void start_from_committed(std::vector<std::int32_t> partitions);
    void announce_ready();
    void arm_announce_timer();
    void apply_pause(std::int32_t partition);
    bool owns(std::int32_t partition) const;
    void continue_stop();
    void finish_stop();

    boost::asio::any_io_executor executor_;
    balanced_options options_;
    balanced_listener listener_;
    log::logger log_;
    std::shared_ptr<io::cluster> cluster_;
    std::shared_ptr<io::fetch_engine> consumer_;
    std::unique_ptr<zk::client> zk_;
    std::string consumer_id_;
    std::string member_path_;
    std::string ids_path_;
    std::string owners_path_;
    std::string invalid_; // why the options cannot work, if they cannot

    bool started_ = false;
    bool stopping_ = false;
    bool stop_releasing_ = false;
    bool stopped_ = false;
    std::function<void()> stop_done_;

    // ZooKeeper session: connection, registration, epoch and lease; the rest is bookkeeping of
    // requests under way.
    member_session session_;
    bool registering_ = false;
    bool ids_watch_armed_ = false;
    std::vector<std::function<void()>> probe_waiters_;

    // Rebalancing: attempts, their pacing and the retry timer's purpose.
    rebalance_cycle cycle_;

    // Ownership.
    std::map<std::int32_t, claim> claims_;     // owner znodes ours in this session (static: our share)
    std::set<std::int32_t> assigned_;          // handed to the simple consumer; subset of claims_
    std::set<std::int32_t> revoking_;          // on_revoking called, done() not yet, claims still ours
    int releases_in_flight_ = 0;               // releases not finished (revoke, then delete)
    std::set<std::int32_t> user_paused_;
    std::map<std::int32_t, std::uint64_t> lookups_; // claimed, committed offset being read (id of the lookup)
    std::uint64_t next_lookup_ = 0;
    std::set<std::string> conflict_watches_;   // owner znodes of others we wait to see deleted

    boost::asio::steady_timer retry_timer_;
    boost::asio::steady_timer metadata_timer_;
    boost::asio::steady_timer unreachable_timer_;
    boost::asio::steady_timer probe_timer_;
    member::start_announcer announcer_; // on_assigned called for a subset of assigned_
};

} // namespace kspout::balanced
