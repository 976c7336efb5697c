// SimpleConsumer: fetches a topic's assigned partitions into bounded buffers that poll() drains at once.
#pragma once

#include "protocol/io/cluster.hpp"
#include "protocol/io/consumer_error.hpp"
#include "protocol/io/consumer_options.hpp"
#include "protocol/io/consumer_partition.hpp"
#include "protocol/io/fetch_engine.hpp"
#include "protocol/io/message_buffer.hpp"
#include "protocol/io/offset_manager.hpp"
#include "protocol/messages/list_offsets.hpp"

#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <vector>

namespace kspout::io {

// Everything runs on the cluster's executor: call every member from that executor's thread.
// Nothing here blocks; handlers and callbacks are always posted, never run inside a call.
//
// Fetching: one Fetch in flight per leader broker, carrying each of that broker's partitions
// that is assigned, active, not paused, whose buffer is below the bounds and whose last fetch is
// all read, in an order that rotates between requests. Buffer bound (per partition): a fetched
// records blob is decoded an entry (a batch, or a v0/v1 message) at a time while the buffer holds
// fewer than queued_max_messages messages and queued_max_bytes bytes; the rest waits, compressed,
// in the response until poll() makes room. So a partition never buffers more than
//     queued_max_messages - 1 + (messages of one entry)
// decoded messages, nor more than queued_max_bytes - 1 + (bytes of one entry), and holds one
// fetch response's records for it besides (about fetch_partition_bytes; a larger first batch
// comes back whole on Fetch v3+).
class simple_consumer final : public fetch_engine, public std::enable_shared_from_this<simple_consumer> {
public:
    using data_callback = std::function<void()>;

    // Uses a cluster shared with others; stop() leaves it running.
    static std::shared_ptr<simple_consumer> create(std::shared_ptr<cluster> c, consumer_options options,
                                                   log::logger log = {});
    // Makes a cluster of its own, which stop() shuts down. Throws std::invalid_argument for a
    // bad bootstrap list.
    static std::shared_ptr<simple_consumer> create(boost::asio::any_io_executor executor,
                                                   cluster_options cluster_opts, consumer_options options,
                                                   log::logger log = {});
    ~simple_consumer() override;

    // Adds partitions. Each starts at its given offset, else at the group's committed offset
    // (unless reset_offset_on_start), else by auto_offset_reset. A partition already assigned
    // keeps its position, or seeks when an offset is given. Negative offsets are rejected.
    std::error_code assign(const std::vector<partition_start>& partitions) override;
    // Assigns every partition of the topic, now and as metadata shows new ones.
    void assign_all();
    // Stops fetching these partitions and drops what they buffered: no message of theirs is
    // returned after this call. Ends assign_all() mode.
    void revoke(const std::vector<std::int32_t>& partitions) override;
    std::vector<std::int32_t> assignment() const override;

    // A paused partition is neither fetched nor returned by poll(); its buffer is kept.
    std::error_code pause(std::int32_t partition) override;
    std::error_code resume(std::int32_t partition) override;
    // Drops the partition's buffer and fetches from offset next; restarts a stopped partition.
    std::error_code seek(std::int32_t partition, std::int64_t offset) override;

    // Returns up to max_messages buffered messages, round-robin across unpaused partitions,
    // without waiting. The messages and the keys, values and headers they view stay valid until
    // the next call of poll(), seek(), revoke() or stop(), whichever comes first.
    std::span<const consumer_message> poll(std::size_t max_messages) override;
    // Completes once poll() has something to return (at once if it has now), or with
    // errc::shut_down when the consumer stops. One-shot. A revoke(), seek() or pause() made
    // before the handler runs can leave poll() empty after all.
    void async_wait_data(wait_handler handler) override;
    // Called (posted) whenever a fetch added messages that poll() can return.
    void on_data(data_callback callback) { on_data_ = std::move(callback); }
    // Called (posted) when a partition stops after an error or its start cannot be found.
    void on_error(error_callback callback) override { on_error_ = std::move(callback); }

    // The next offset poll() returns for the partition, once its start is known.
    std::optional<std::int64_t> position(std::int32_t partition) const override;
    // The high watermark from the last Fetch response (lag = high watermark - position).
    std::optional<std::int64_t> high_watermark(std::int32_t partition) const override;
    std::optional<partition_phase> phase(std::int32_t partition) const override;
    std::size_t buffered_messages() const;
    std::size_t buffered_messages(std::int32_t partition) const;
    std::size_t buffered_bytes() const;

    // Round trips completed so far (failed ones too). Whoever must know that the consumer went
    // on working (a test proving that nothing more arrives) waits for rounds, not for time.
    struct round_counts {
        std::uint64_t fetch_responses = 0;
        std::uint64_t metadata_responses = 0;
    };
    const round_counts& rounds() const noexcept { return rounds_; }
    // Whether a Fetch is in flight to any broker.
    bool fetching() const noexcept { return !fetching_brokers_.empty(); }

    // The group's committed offsets. The consumer never commits by itself.
    using fetch_engine::commit;
    void commit(std::map<std::int32_t, std::int64_t> offsets, std::chrono::steady_clock::time_point send_by,
                commit_handler handler) override;
    void fetch_committed(std::vector<std::int32_t> partitions, committed_handler handler) override;

    // Cancels everything: later responses are ignored, pending handlers complete with
    // errc::shut_down, callbacks are not called again. Idempotent.
    void stop() override;

    const consumer_options& options() const noexcept { return options_; }

private:
    struct sent_partition {
        std::int32_t id;
        std::uint64_t epoch;
        std::int64_t offset;
    };

    simple_consumer(std::shared_ptr<cluster> c, consumer_options options, log::logger log, bool owns_cluster);

    consumer_partition* find(std::int32_t partition);
    const consumer_partition* find(std::int32_t partition) const;
    void add_partition(std::int32_t partition, std::optional<std::int64_t> offset);
    void set_position(consumer_partition& p, std::int64_t offset);
    void start_reset(consumer_partition& p, std::string_view why);
    void sync_all_partitions();

    void request_schedule();
    void schedule();
    void arm_wake_timer(std::chrono::steady_clock::time_point now);
    void refresh_metadata();

    void lookup_committed(std::vector<std::int32_t> ids);
    void send_list_offsets(const std::shared_ptr<broker>& leader, std::vector<std::int32_t> ids);
    void on_list_offsets(const std::vector<std::pair<std::int32_t, std::uint64_t>>& sent, std::error_code ec,
                         const response<messages::list_offsets_response>& resp);
    fetch_apply_options apply_options() const;
    void send_fetch(const std::shared_ptr<broker>& leader, std::vector<std::int32_t> ids);
    void on_fetch(std::int32_t node, const std::vector<sent_partition>& sent, std::error_code ec,
                  response<messages::fetch_response> resp);

    bool has_pollable_data() const;
    void notify_data();
    void report(const consumer_partition& p, std::error_code code, std::string message);

    std::shared_ptr<cluster> cluster_;
    consumer_options options_;
    log::logger log_;
    bool owns_cluster_;
    std::shared_ptr<offset_manager> offsets_;
    boost::asio::steady_timer wake_timer_;
    std::chrono::steady_clock::time_point wake_at_ = std::chrono::steady_clock::time_point::max();

    std::map<std::int32_t, consumer_partition> partitions_;
    std::uint64_t next_epoch_ = 1;
    std::set<std::int32_t> fetching_brokers_; // node ids with a Fetch in flight
    round_counts rounds_;
    std::uint64_t rotation_ = 0;
    bool assign_all_ = false;

    bool metadata_in_flight_ = false;
    bool metadata_wanted_ = false;
    std::chrono::steady_clock::time_point metadata_not_before_{};
    std::chrono::steady_clock::time_point last_metadata_{};

    std::vector<poll_source> poll_sources_;
    std::vector<consumer_partition*> undecoded_; // polled partitions with a fetch left to read
    std::vector<consumer_message> polled_;
    std::vector<buffered_chunk> lent_;
    std::size_t poll_start_ = 0;
    std::vector<wait_handler> waiters_;
    data_callback on_data_;
    error_callback on_error_;
    bool schedule_posted_ = false;
    bool stopped_ = false;
};

} // namespace kspout::io
