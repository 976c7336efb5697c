// How kafka.rebalance.* pace the balanced consumer's claims: first backoff, and when a failing rebalance is reported.
#pragma once

#include "protocol/balanced/balanced_options.hpp"

#include <chrono>
#include <cstdint>

namespace kspout::spout {

// kafka.rebalance.max.retries and kafka.rebalance.backoff.ms as given.
struct rebalance_keys {
    std::int32_t max_retries = 0;
    std::chrono::milliseconds backoff{0};
};

// The first wait after a claim that collided with an owner node not yet released; later waits
// double up to balanced_options::rebalance_backoff_max. A release the member watches for
// retries at once.
inline constexpr std::chrono::milliseconds first_claim_backoff_cap{200};

// Sets group.rebalance_backoff to min(backoff, first_claim_backoff_cap), and
// group.rebalance_deadline to group.zookeeper_session_timeout + backoff * max_retries: stale owner
// nodes of a dead member live until its session times out, so claims keep being retried quickly
// until then, and only a rebalance still failing after the deadline is reported (and retried on).
// pykafka instead waits i * backoff before attempt i and gives up after max_retries attempts.
void set_rebalance_pacing(balanced::balanced_options& group, const rebalance_keys& keys);

} // namespace kspout::spout
