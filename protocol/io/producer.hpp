// The producer: batches records per partition, sends them to partition leaders, retries, reports delivery.
#pragma once

#include "protocol/io/burst_clock.hpp"
#include "protocol/io/cluster.hpp"
#include "protocol/log/logger.hpp"
#include "protocol/io/partitioner.hpp"
#include "protocol/io/produce_batch.hpp"
#include "protocol/io/producer_engine.hpp"
#include "protocol/io/producer_error.hpp"
#include "protocol/io/sequence_window.hpp"
#include "protocol/io/waiting_records.hpp"
#include "protocol/records/compression.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace kspout::io {

using namespace std::chrono_literals;

struct producer_options {
    // 0: no acknowledgement (delivery is reported once the request is written, offset -1);
    // 1: the leader has it; -1: every in-sync replica has it.
    std::int16_t acks = -1;
    // zstd needs Produce v7 (Kafka 2.1); with an older leader those records fail with
    // producer_errc::zstd_needs_produce_v7.
    records::compression compression = records::compression::none;
    std::chrono::milliseconds linger = 5ms;       // how long a partition's records wait for more
    // Estimated bytes per partition batch (librdkafka's batch.size): a broker's work per batch
    // is much of its work per record, so batches of ~10,000 small records cost it far less.
    std::size_t batch_size = 1'000'000;
    // Memory for records not yet acknowledged (their bytes and bookkeeping); produce() fails with
    // queue_full beyond this, and beyond an eighth of it for records whose topic's metadata is
    // still awaited. 16 MiB keeps 5 megabyte requests in flight and as much again filling; more
    // only held more memory in the benchmark, not more records per second.
    std::size_t max_buffered_bytes = 16 << 20;
    int retries = std::numeric_limits<int>::max(); // per batch; delivery_timeout bounds them too
    // Batches of one partition in flight at once, with the idempotent producer (1 to 5: the
    // broker checks the sequences of the last 5); without it always 1, so that a retried batch
    // goes out before anything produced after it.
    std::size_t max_in_flight = 5;
    // A Produce request carries batches of several partitions up to this many (estimated) bytes;
    // a batch larger than that travels alone. As the Java client's max.request.size.
    std::size_t max_request_bytes = 1 << 20;
    // Produce requests awaiting an answer per broker (as max.in.flight.requests.per.connection):
    // a broker works through one connection's requests one at a time, so more only fill memory.
    std::size_t max_requests_per_broker = 5;
    std::chrono::milliseconds retry_backoff = 100ms;
    std::chrono::milliseconds delivery_timeout = 120s; // from produce() to acknowledgement
    // The broker waits this long for replicas (Produce timeout_ms); the client gives it one more
    // second to answer before it counts the request as lost.
    std::chrono::milliseconds request_timeout = 30s;
    // As the Java client (KIP-480) and librdkafka: records without a key fill one partition's
    // batch, then move on, rather than spread thinly over every partition's.
    null_key_partitioning null_keys = null_key_partitioning::sticky;
    // KIP-98: a producer id from InitProducerId and per-partition sequence numbers in every
    // batch, so a resend after a lost response is not written twice. Needs acks -1. Brokers
    // before 0.11 have no InitProducerId: the producer logs that and sends unstamped batches.
    bool idempotence = false;
};

// Records for one partition are sent in produce() order, one batch per partition per Produce
// request; partitions led by the same broker share requests (up to max_request_bytes, the
// longest-waiting batches first, at most max_requests_per_broker awaiting an answer). Without idempotence one request at
// a time carries a partition's batch, so a retried batch always goes out before anything
// produced after it; with it up to max_in_flight do once the broker has taken one batch of the
// partition under the producer id, and its sequence check keeps them in order (a batch refused
// as out of order because one before it failed goes again after that one). A record is encoded
// into its partition's open batch by produce() itself once its topic's metadata is known (before
// that it waits whole); a batch for a leader too old for RecordBatch v2 is re-encoded when it is
// sent.
//
// Runs on the cluster's executor and never blocks; every handler runs on that executor. Call
// flush() and then stop() before shutting the cluster down; a producer destroyed without stop()
// drops what it holds without calling the handlers.
class producer final : public producer_engine, public std::enable_shared_from_this<producer> {
public:
    // The cluster is shared (stop() leaves it running). Throws std::invalid_argument naming an
    // option outside its range.
    static std::shared_ptr<producer> create(std::shared_ptr<cluster> cluster, producer_options options,
                                            log::logger log = {});
    ~producer() override;
    producer(const producer&) = delete;
    producer& operator=(const producer&) = delete;

    // Queues a record. A partition given explicitly is used as is; otherwise a key picks one by
    // murmur2 (as the Java client and kafka-python do), and records without a key follow
    // options.null_keys. Without a timestamp the record gets the current time.
    // Returns an error (queue_full, record_too_large, empty_topic, shut_down) when the record is
    // refused: its handler then never runs. Otherwise on_delivery runs exactly once, later.
    std::error_code produce(std::string_view topic, std::optional<std::int32_t> partition,
                            std::optional<std::string_view> key, std::optional<std::string_view> value,
                            std::vector<record_header> headers = {},
                            std::optional<std::int64_t> timestamp = std::nullopt,
                            delivery_handler on_delivery = {}) override;

    // Runs `done` once every record produced before this call has been delivered or failed (their
    // handlers have run). Lingering batches go out at once meanwhile. stop() fails it with shut_down.
    void flush(flush_handler done) override;

    // Fails every record not yet acknowledged with io::errc::shut_down (a record in flight may still
    // have been written) and every pending flush; handlers run later on the executor. Idempotent.
    void stop() override;

    std::size_t buffered_bytes() const noexcept { return buffered_bytes_; }
    // Whether produce() would take this record now rather than refuse it with queue_full: a
    // caller with its own queue holds records back instead of failing them.
    bool has_room(std::optional<std::string_view> key, std::optional<std::string_view> value,
                  const std::vector<record_header>& headers) const override;
    std::size_t outstanding() const noexcept override { return sequences_.unsettled(); } // records not yet reported

    // Round trips completed so far (failed ones too): a test proving that nothing happens while a
    // fault lasts waits for rounds, not for time.
    struct round_counts {
        std::uint64_t produce_responses = 0;
        std::uint64_t metadata_responses = 0;
        std::uint64_t duplicates_dropped = 0; // batches the broker already had (DUPLICATE_SEQUENCE_NUMBER)
    };
    const round_counts& rounds() const noexcept { return rounds_; }

private:
    using clock = std::chrono::steady_clock;

    struct partition_key {
        std::string topic;
        std::int32_t partition = 0;
        friend auto operator<=>(const partition_key&, const partition_key&) = default;
    };

    // One partition's records from produce() until the broker acknowledges them (or they fail):
    // gathered while open, then sealed and sent, retried as they are.
    struct batch {
        batch(partition_key w, clock::time_point opened, batch_storage storage)
            : where(std::move(w)), records(opened, std::move(storage))
        {
        }

        partition_key where;
        batch_records records;
        std::size_t held_bytes = 0; // counted against max_buffered_bytes
        bool sealed = false;        // takes no more records: full, or sent
        bool in_flight = false;
        int attempts = 0;
        clock::time_point retry_at{};
        std::error_code last_error;
        batch_identity identity; // kept through retries
    };

    // Batches are sent in order, at most in_flight_limit() at a time; only the back one may be open.
    struct partition_state {
        std::deque<std::shared_ptr<batch>> batches; // oldest first
        std::size_t in_flight = 0;
        std::int64_t acknowledged_producer_id = -1; // the id of the last batch the broker took
        std::size_t last_batch_bytes = 0;   // encoded bytes and records of the last sealed batch:
        std::size_t last_batch_records = 0; // the next one gets as much room from the start
    };
    using batch_iterator = std::deque<std::shared_ptr<batch>>::iterator;

    struct topic_state {
        partitioner chooser; // for records that name no partition
        waiting_records waiting; // records after them wait too, to keep produce() order
        // From the metadata as of the last pump: each partition's state (by index), and the
        // partitions with a leader. Empty until the metadata names the partitions.
        std::vector<partition_state*> partitions;
        std::vector<std::int32_t> available;
    };

    struct completion {
        delivery_handler handler;
        std::error_code ec;
        std::int32_t partition;
        std::int64_t offset;
    };
    using completions = std::vector<completion>;

    struct produce_send; // one Produce request: its batches and what encoding them gave

    // A partition's next batch, ready to go to its leader in this pump.
    struct sendable {
        std::shared_ptr<broker> leader;
        partition_state* partition;
        batch_iterator next;
    };

    producer(std::shared_ptr<cluster> cluster, producer_options options, log::logger log);

    void schedule_pump();
    void pump();
    void refresh_topics(completions& done);
    void append(topic_state& t, std::string_view topic, std::int32_t partition, std::optional<std::string_view> key,
                std::optional<std::string_view> value, std::span<const record_header> headers, std::int64_t timestamp,
                record_receipt receipt, std::size_t size, std::optional<clock::time_point> enqueued);
    bool waiting_has_room(std::size_t held) const noexcept;
    void seal(partition_state& p, batch& b);
    void expire(clock::time_point now, completions& done);
    bool send_ready(const std::vector<sendable>& ready);
    void start_sending(partition_state& p, batch& b);
    void send(const std::shared_ptr<broker>& leader, std::vector<std::shared_ptr<batch>> batches);
    void on_sent(produce_send& send, std::error_code ec, std::int16_t version, const response_frame& frame);
    void retry_or_fail(partition_state& p, batch_iterator it, std::error_code ec, bool refresh_metadata,
                       clock::time_point now, completions& done);
    void finish(waiting_records::entry& r, std::error_code ec, completions& done);
    void finish(batch& b, std::error_code ec, std::int64_t base_offset, completions& done);
    batch_iterator finish_batch(partition_state& p, batch_iterator it, std::error_code ec, std::int64_t base_offset,
                                completions& done);
    std::size_t in_flight_limit(const partition_state& p) const noexcept;
    batch_storage spare_storage(const partition_state& p);
    void keep_storage(batch& b);
    void request_producer_id(clock::time_point now);
    void want_metadata(bool urgent);
    void maybe_refresh_metadata(clock::time_point now);
    void arm_timer(clock::time_point wake);
    void deliver(completions& done);
    void complete_flushes();

    std::shared_ptr<cluster> cluster_;
    producer_options options_;
    log::logger log_;
    boost::asio::steady_timer timer_;
    std::map<std::string, topic_state, std::less<>> topics_;
    decltype(topics_)::iterator last_topic_ = topics_.end(); // most records go where the last one went
    burst_clock timestamps_;
    std::map<partition_key, partition_state> partitions_;
    std::map<std::int32_t, std::size_t> requests_in_flight_; // by broker node id
    // Finished batches' buffers for new ones, up to a quarter of max_buffered_bytes of capacity:
    // a megabyte batch allocated afresh would be faulted in page by page every time.
    std::vector<batch_storage> spare_storage_;
    std::size_t spare_capacity_ = 0;
    sequence_window sequences_; // one per record, settled when it is reported
    std::vector<std::pair<std::uint64_t, flush_handler>> flushes_; // done once all below the mark are
    std::size_t buffered_bytes_ = 0;
    std::size_t waiting_bytes_ = 0; // of records in topic_state::waiting, within buffered_bytes_
    bool pump_posted_ = false;
    bool stopped_ = false;
    bool metadata_wanted_ = false;
    bool metadata_in_flight_ = false;
    round_counts rounds_;
    idempotence_state idempotence_;
    clock::time_point next_id_request_at_{};
    bool metadata_urgent_ = false; // a new topic: refresh without waiting for the backoff
    clock::time_point next_metadata_at_{};
};

} // namespace kspout::io
