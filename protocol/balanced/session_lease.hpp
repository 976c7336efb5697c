// How long this member's ZooKeeper session is known to be alive, from the answers it got.
#pragma once

#include <chrono>

namespace kspout::balanced {

// ZooKeeper keeps a session for its timeout after it last heard from the client, so an answer to
// a request sent at t proves the session alive until at least t + timeout. A process that was
// stopped (SIGSTOP, a long pause) cannot tell from its own state that its session expired
// meanwhile and that another member took its partitions: it must not commit or hand out messages
// until an answer sent after the pause confirms the session. The lease counts only half the
// timeout; the other half is the margin for the commit's way to the broker and for clocks.
class session_lease {
public:
    using clock = std::chrono::steady_clock;

    // An answer came to a request sent at `sent_at`, in a session whose negotiated timeout is `timeout`.
    void confirmed(clock::time_point sent_at, std::chrono::milliseconds timeout) noexcept
    {
        clock::time_point until = sent_at + timeout / 2;
        if (until > valid_until_)
            valid_until_ = until;
    }

    // The session ended or was replaced: nothing is known about the next one yet.
    void reset() noexcept { valid_until_ = {}; }

    bool valid(clock::time_point now) const noexcept { return now < valid_until_; }
    clock::time_point valid_until() const noexcept { return valid_until_; }

private:
    clock::time_point valid_until_{};
};

} // namespace kspout::balanced
