// set_rebalance_pacing: kafka.rebalance.* and the session timeout to the balanced consumer's pacing.
#include "spout/rebalance_pacing.hpp"

#include <algorithm>

namespace kspout::spout {

void set_rebalance_pacing(balanced::balanced_options& group, const rebalance_keys& keys)
{
    group.rebalance_backoff = std::min(keys.backoff, first_claim_backoff_cap);
    group.rebalance_deadline = group.zookeeper_session_timeout + keys.backoff * std::max(1, keys.max_retries);
}

} // namespace kspout::spout
