// idempotence_state: the producer id's life and the sequence numbers handed to batches.
#include "protocol/io/idempotence.hpp"

#include <limits>

namespace kspout::io {

void idempotence_state::got_id(std::int64_t producer_id, std::int16_t epoch)
{
    producer_id_ = producer_id;
    epoch_ = epoch;
    next_sequence_.clear();
    phase_ = idempotence_phase::ready;
}

void idempotence_state::reset()
{
    if (phase_ == idempotence_phase::off) return;
    producer_id_ = -1;
    epoch_ = -1;
    next_sequence_.clear();
    phase_ = idempotence_phase::unknown;
}

batch_identity idempotence_state::stamp(const std::string& topic, std::int32_t partition,
                                        const batch_identity& current, std::int32_t count)
{
    if (phase_ != idempotence_phase::ready) return {};
    if (current.stamped() && current.producer_id == producer_id_ && current.producer_epoch == epoch_) return current;
    auto& next = next_sequence_[{topic, partition}];
    batch_identity out{producer_id_, epoch_, next};
    constexpr auto max = std::numeric_limits<std::int32_t>::max();
    next = next > max - count ? count - (max - next) - 1 : next + count;
    return out;
}

} // namespace kspout::io
