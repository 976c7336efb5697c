// Which offsets of a commit the balanced consumer sends: owned partitions, while the session is confirmed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <system_error>
#include <vector>

namespace kspout::balanced {

struct commit_split {
    std::map<std::int32_t, std::int64_t> allowed;
    std::vector<std::int32_t> not_owned;   // neither owned nor being revoked
    std::vector<std::int32_t> unconfirmed; // owned, but no answer from ZooKeeper confirms the session

    // What the commit's handler hears about the refused part: errc::session_unconfirmed first,
    // then io::consumer_errc::not_owned, else nothing.
    std::error_code refused() const;
};

// Partitions being revoked still count as owned: on_revoking is where their last commit happens.
// Without a confirmed session nothing counts: it may have expired, and another member may
// already have committed further (a late commit would move the group's offset back).
commit_split split_commit(std::map<std::int32_t, std::int64_t> offsets,
                          const std::function<bool(std::int32_t)>& may_commit, bool session_confirmed);

} // namespace kspout::balanced
