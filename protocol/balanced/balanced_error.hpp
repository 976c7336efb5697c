// Errors the balanced consumer reports through on_error, as a std::error_code category.
#pragma once

#include <system_error>

namespace kspout::balanced {

enum class errc {
    rebalance_timed_out = 1, // partitions still not claimed (or released) after rebalance_deadline
    registration_failed,     // our ids znode could not be created within rebalance_deadline
    zookeeper_unreachable,   // no ZooKeeper connection for longer than the session timeout
    zookeeper_auth_failed,   // the server refused our credentials; the member cannot continue
    metadata_unavailable,    // the topic's partitions could not be read from the cluster
    not_owned,               // commit, seek, pause or resume for a partition this member does not own
    stopped,                 // the consumer was stopped
    invalid_options,         // balanced_options that cannot work (empty topic, index outside count...)
    session_unconfirmed,     // a commit while ZooKeeper cannot confirm that our session (and ownership) lives
};

const std::error_category& balanced_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

} // namespace kspout::balanced

template <>
struct std::is_error_code_enum<kspout::balanced::errc> : std::true_type {};
