// Errors the balanced consumer reports through on_error, as a std::error_code category.
// Stopping and partitions not owned are the consumer's own codes (io::errc::shut_down,
// io::consumer_errc::not_owned); a refused ZooKeeper login is zk::errc::auth_failed.
#pragma once

#include <system_error>

namespace kspout::balanced {

enum class errc {
    rebalance_timed_out = 1, // partitions still not claimed (or released) after rebalance_deadline
    registration_failed,     // our ids znode could not be created within rebalance_deadline
    zookeeper_unreachable,   // no ZooKeeper connection for longer than the session timeout
    metadata_unavailable,    // the topic's partitions could not be read from the cluster
    invalid_options,         // balanced_options that cannot work (empty topic, index outside count...)
    session_unconfirmed,     // a commit while ZooKeeper cannot confirm that our session (and ownership) lives
};

const std::error_category& balanced_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

} // namespace kspout::balanced

template <>
struct std::is_error_code_enum<kspout::balanced::errc> : std::true_type {};
