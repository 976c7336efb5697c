// The spout itself: Storm's commands on one side, a member of a Kafka consumer group on the other.
#pragma once

#include "multilang/spout_session.hpp"
#include "protocol/member/group_member.hpp"
#include "spout/metrics.hpp"
#include "spout/offset_book.hpp"
#include "spout/retry_policy.hpp"
#include "spout/revoke_drain.hpp"
#include "spout/settings.hpp"
#include "spout/tuple_mapper.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace kspout::spout {

// One spout task. Everything runs on one executor: Storm's pipes, Kafka, ZooKeeper and timers.
//
// The rules it keeps: each command gets one sync (the session does that); `next` emits only what
// is already buffered, waiting at most next_wait for the first record; an offset is committed
// only when every tuple emitted below it was acked (or given up by the retry policy, which is
// logged); acks and fails for partitions no longer owned are ignored; a failed tuple is replayed
// by rewinding its partition once its backoff is over; metrics go out only inside the reply to a
// command, before its sync (Storm reads stdout only while a command is outstanding).
class kafka_spout : public std::enable_shared_from_this<kafka_spout> {
public:
    // Called once with the process exit code: 0 after Storm went away (stdin closed, or nobody
    // reads stdout any more) and the spout committed what was acked and left the group; non-zero
    // after bad input or a fatal error.
    using exit_handler = std::function<void(int)>;

    // out_fd is the descriptor the channel writes to, checked when the channel fails to tell a
    // reader that went away from bad input.
    static std::shared_ptr<kafka_spout> create(boost::asio::any_io_executor executor,
                                               std::shared_ptr<multilang::channel> channel, int out_fd,
                                               command_line flags, nlohmann::json config_file, std::int64_t pid,
                                               exit_handler on_exit);
    void start();
    // SIGTERM: commit what was acked, leave the group, exit 0 (as on stdin EOF).
    void stop_on_signal() { on_end_of_input(); }

private:
    kafka_spout(boost::asio::any_io_executor executor, std::shared_ptr<multilang::channel> channel, int out_fd,
                command_line flags, nlohmann::json config_file, std::int64_t pid, exit_handler on_exit);

    std::optional<std::string> on_handshake(const multilang::handshake& h);
    void on_next(multilang::spout_session::done_callback done);
    void on_ack(const nlohmann::json& id, multilang::spout_session::done_callback done);
    void on_fail(const nlohmann::json& id, multilang::spout_session::done_callback done);
    void on_deactivate(multilang::spout_session::done_callback done);
    void on_end_of_input();
    void on_protocol_error(const std::string& what);

    void on_assigned(const std::map<std::int32_t, std::int64_t>& starts);
    void arm_drain_timer();
    void on_revoking(const std::vector<std::int32_t>& partitions, std::function<void()> done);
    void release(const std::vector<std::int32_t>& partitions, std::function<void()> done);
    // Drops the retries, rewinds, pauses and dead letters of a partition (not its tracker).
    void forget_partition(std::int32_t partition);

    void complete_pending_next();
    std::size_t emit_buffered(std::size_t max);
    void emit_dead_letter(const io::consumer_message& m);
    void settle_rewind(std::int32_t partition, std::int64_t first_offset_seen);
    void rewind_due_replays();
    void update_pauses();
    void commit(const std::vector<std::int32_t>& only, std::function<void()> done);
    void note_delivered_positions();
    void arm_commit_timer();
    void arm_stats_timer();
    void log_stats();
    std::optional<std::int64_t> lag() const;
    // Part of the reply to a command, before its sync: Storm reads stdout only while it waits.
    void send_due_metrics();
    multilang::spout_session::done_callback with_metrics(multilang::spout_session::done_callback done);
    void finish(int code);
    void log(const std::string& text, multilang::log_level level = multilang::log_level::info);

    boost::asio::any_io_executor executor_;
    std::shared_ptr<multilang::channel> channel_;
    std::shared_ptr<multilang::spout_session> session_;
    int out_fd_;
    command_line flags_;
    nlohmann::json config_file_;
    std::int64_t pid_;
    exit_handler on_exit_;

    settings settings_ = default_settings();
    std::optional<tuple_mapper> mapper_;
    std::shared_ptr<member::group_member> consumer_;
    offset_book book_;
    retry_policy retries_;
    std::set<std::int32_t> paused_; // partitions paused for the uncommitted-offsets cap
    std::set<std::pair<std::int32_t, std::int64_t>> dead_letters_; // to emit on the dead-letter stream
    std::map<std::int32_t, std::int64_t> rewinding_; // partition -> offset it was sought back to
    std::optional<tuple_mapper> dead_letter_mapper_;
    std::optional<multilang::spout_session::done_callback> pending_next_;
    bool data_wait_registered_ = false;
    boost::asio::steady_timer next_timer_;
    boost::asio::steady_timer commit_timer_;
    boost::asio::steady_timer stats_timer_;
    std::string id_buffer_;
    bool committing_allowed_ = true; // false after bad input: commit nothing further
    bool stopping_ = false; // leaving: no acks are coming, so revokes do not wait for them
    bool finished_ = false;
    revoke_drain drain_;
    boost::asio::steady_timer drain_timer_;
    metric_totals totals_;
    metrics_reporter metrics_;
};

} // namespace kspout::spout
