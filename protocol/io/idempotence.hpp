// The idempotent producer's id and per-partition sequence numbers (KIP-98): what stamps each batch. No I/O.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace kspout::io {

// What a v2 record batch carries so the broker can drop a retried copy of it.
struct batch_identity {
    std::int64_t producer_id = -1;
    std::int16_t producer_epoch = -1;
    std::int32_t base_sequence = -1;

    bool stamped() const noexcept { return producer_id >= 0; }
    friend bool operator==(const batch_identity&, const batch_identity&) = default;
};

// off: not asked for, or the brokers cannot (before 0.11); unknown: an id is needed;
// requesting: InitProducerId is in flight; ready: batches are stamped.
enum class idempotence_phase { off, unknown, requesting, ready };

// A batch keeps its identity through every retry, so the broker sees a resend as a duplicate
// of what it already has. Sequences are per partition, from 0 under each new producer id, and
// wrap at INT32_MAX as KIP-98 says. A partition's batches are stamped as they first go out, in
// produce() order, so its next sequence moves only when a new batch goes out.
class idempotence_state {
public:
    explicit idempotence_state(bool enabled) : phase_(enabled ? idempotence_phase::unknown : idempotence_phase::off) {}

    idempotence_phase phase() const noexcept { return phase_; }
    bool may_send() const noexcept { return phase_ == idempotence_phase::off || phase_ == idempotence_phase::ready; }
    std::int64_t producer_id() const noexcept { return producer_id_; }

    void requesting() { phase_ = idempotence_phase::requesting; }
    // A new id: every partition starts again at sequence 0.
    void got_id(std::int64_t producer_id, std::int16_t epoch);
    // The request failed; ask again later.
    void request_failed() { phase_ = idempotence_phase::unknown; }
    // The brokers have no InitProducerId: batches go out unstamped from now on.
    void unsupported() { phase_ = idempotence_phase::off; }
    // A stamped batch failed for good: the broker may or may not have it, so the partition's
    // next sequence is unknown. A new id starts every partition afresh.
    void reset();

    // The identity for a batch of `count` records of a partition about to be sent: its own when
    // it was stamped under the current id (a retry), else the partition's next sequences.
    // Unstamped when idempotence is off.
    batch_identity stamp(const std::string& topic, std::int32_t partition, const batch_identity& current,
                         std::int32_t count);

private:
    idempotence_phase phase_;
    std::int64_t producer_id_ = -1;
    std::int16_t epoch_ = -1;
    std::map<std::pair<std::string, std::int32_t>, std::int32_t> next_sequence_;
};

} // namespace kspout::io
