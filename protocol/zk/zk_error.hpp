// ZooKeeper result codes (the C client's ZOK, ZNONODE, ...) as a std::error_code category.
#pragma once

#include <string_view>
#include <system_error>

namespace kspout::zk {

// Values are the C client's own codes, so a code from zookeeper.h converts by value.
enum class errc {
    system_error = -1,
    runtime_inconsistency = -2,
    data_inconsistency = -3,
    connection_loss = -4,   // the request may or may not have been applied
    marshalling_error = -5,
    unimplemented = -6,
    operation_timeout = -7,
    bad_arguments = -8,     // e.g. a malformed path
    invalid_state = -9,     // the handle is expired, closed or failed authentication
    new_config_no_quorum = -13,
    reconfig_in_progress = -14,
    ssl_connection_error = -15,
    api_error = -100,
    no_node = -101,
    no_auth = -102,
    bad_version = -103,
    no_children_for_ephemerals = -108,
    node_exists = -110,
    not_empty = -111,
    session_expired = -112,
    invalid_callback = -113,
    invalid_acl = -114,
    auth_failed = -115,
    closing = -116,         // the client was closed (or reconnected) before the answer was delivered;
                            // its error_kind is stopped, as for io::errc::shut_down
    nothing = -117,
    session_moved = -118,
    not_read_only = -119,
    ephemeral_on_local_session = -120,
    no_watcher = -121,
    reconfig_disabled = -123,
    session_closed_requires_sasl_auth = -124,
    throttled_op = -127,
};

const std::error_category& zookeeper_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

// The C client's name for a code ("ZNONODE"), or "" for a value it does not define.
std::string_view code_name(int rc) noexcept;

// A C client return code as an error_code: ZOK gives an empty one.
std::error_code error_from_rc(int rc) noexcept;

} // namespace kspout::zk

template <>
struct std::is_error_code_enum<kspout::zk::errc> : std::true_type {};
