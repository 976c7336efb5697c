// A group's committed offsets for one topic: OffsetCommit and OffsetFetch at the coordinator, with retries.
#pragma once

#include "protocol/io/cluster.hpp"
#include "protocol/wire/broker_error.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace kspout::io {

struct offset_manager_options {
    std::string group_id;
    std::string topic;
    std::chrono::milliseconds retry_backoff = std::chrono::milliseconds(100);
    // The whole operation, retries included, fails with the last error after this long.
    std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
};

// The most serious error among the codes of one OffsetCommit, OffsetFetch or FindCoordinator
// response (`api`), and what to do about it, by wire::broker_error_action: fatal (group errors
// included: a commit outside a generation cannot rejoin) beats find_coordinator beats retry.
// Metadata errors are retried. {none, 0} when all are 0.
struct offsets_verdict {
    wire::error_action action = wire::error_action::none;
    std::int16_t code = 0;
};
offsets_verdict offsets_response_verdict(wire::api_key api, std::span<const std::int16_t> codes) noexcept;

// The same for an OffsetCommit made inside a broker-managed generation, by
// wire::member_commit_error_action: fatal beats rejoin (the commit was fenced) beats
// find_coordinator beats retry.
offsets_verdict member_commit_verdict(std::span<const std::int16_t> codes) noexcept;

// Who commits inside a broker-managed group: the generation (or KIP-848 member epoch) and member
// id the coordinator gave, and the static member's group.instance.id (sent from OffsetCommit v7).
struct group_member_identity {
    std::int32_t generation_id = -1;
    std::string member_id;
    std::optional<std::string> group_instance_id;
};

// commit() commits outside any broker-managed group generation (generation -1, member ""),
// which is what a simple consumer or a ZooKeeper-balanced one does; commit_as_member() inside
// one, so that a member the group fenced can never overwrite the new owner's commit: a fenced
// commit fails at once with the broker's error, for the member to rejoin. Retention is the
// broker's.
// Commits go to the broker one at a time, in the order they were made: a retried commit must never
// land after a later one and move the group's offset back.
// Handlers run on the executor exactly once: stop() completes the pending ones with
// errc::shut_down.
class offset_manager : public std::enable_shared_from_this<offset_manager> {
public:
    using commit_handler = std::function<void(std::error_code)>;
    // Committed offsets by partition, -1 where the group has none; every asked partition is listed.
    using committed_handler = std::function<void(std::error_code, std::map<std::int32_t, std::int64_t>)>;

    static std::shared_ptr<offset_manager> create(std::shared_ptr<cluster> c, offset_manager_options options,
                                                  log::logger log = {});

    // Offsets are "the next offset to read", per partition.
    void commit(std::map<std::int32_t, std::int64_t> offsets, commit_handler handler);
    // Sent only until send_by (see fetch_engine::commit); after it, consumer_errc::commit_window_closed.
    void commit(std::map<std::int32_t, std::int64_t> offsets, std::chrono::steady_clock::time_point send_by,
                commit_handler handler);
    void commit_as_member(group_member_identity member, std::map<std::int32_t, std::int64_t> offsets,
                          commit_handler handler);
    void fetch_committed(std::vector<std::int32_t> partitions, committed_handler handler);
    void stop();

private:
    struct operation {
        bool is_commit = false;
        std::map<std::int32_t, std::int64_t> offsets; // commit
        std::optional<group_member_identity> member;  // commit inside a generation
        std::vector<std::int32_t> partitions;         // fetch_committed
        commit_handler on_commit;
        committed_handler on_committed;
        std::chrono::steady_clock::time_point deadline;
        std::chrono::steady_clock::time_point send_by = std::chrono::steady_clock::time_point::max();
        std::shared_ptr<boost::asio::steady_timer> timer;
    };

    offset_manager(std::shared_ptr<cluster> c, offset_manager_options options, log::logger log);

    void start(operation op);
    void post_attempt(std::uint64_t id);
    void attempt(std::uint64_t id);
    void send(std::uint64_t id, const std::shared_ptr<broker>& coordinator);
    void on_verdict(std::uint64_t id, offsets_verdict verdict, std::map<std::int32_t, std::int64_t> result);
    void retry_later(std::uint64_t id, std::error_code why, bool find_coordinator_again);
    void finish(std::uint64_t id, std::error_code ec, std::map<std::int32_t, std::int64_t> result = {});

    std::shared_ptr<cluster> cluster_;
    offset_manager_options options_;
    log::logger log_;
    std::map<std::uint64_t, operation> operations_;
    std::deque<std::uint64_t> commits_in_order_; // the front one is under way, the rest wait for it
    std::uint64_t next_id_ = 1;
    bool stopped_ = false;
};

} // namespace kspout::io
