// The events both broker-managed members' state machines take alike, and their two timers.
#pragma once

#include <chrono>
#include <cstdint>

namespace kspout::member::events {

using clock = std::chrono::steady_clock;

struct start {
    clock::time_point now{};
};
// stop(): give everything up (committing it), leave the group, then `stopped`.
struct stop {
    clock::time_point now{};
};
// The answer to find_coordinator.
struct coordinator_found {
    clock::time_point now{};
};
// The coordinator could not be found or reached, or a request to it failed on the transport or
// with NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE.
struct coordinator_lost {
    clock::time_point now{};
};
// The owner finished with the partitions of the last revoke action.
struct revoke_done {
    clock::time_point now{};
};
struct leave_done {};
// An OffsetCommit made as this member (generation or member epoch) was refused with `error_code`.
struct commit_refused {
    clock::time_point now{};
    std::int16_t error_code = 0;
};
enum class timer { heartbeat, retry };
struct timer_fired {
    clock::time_point now{};
    timer which{};
};

} // namespace kspout::member::events
