// The few kinds of failure every layer's error codes fall into, as std::error_condition values.
//
// Each category (wire, broker, io, consumer, producer, zookeeper, balanced) maps its codes to one
// kind in default_error_condition, so a caller asks `ec == error_kind::stopped` instead of listing
// codes from several layers. Codes keep their own detail; the kind is what a caller acts on.
#pragma once

#include <system_error>

namespace kspout {

enum class error_kind {
    retriable = 1, // transient: the same operation may succeed later (after a backoff, a metadata
                   // refresh, a new coordinator or a new session)
    fatal,         // retrying as it is will not help: configuration, unsupported feature, corrupt data
    auth,          // credentials refused or access not authorized; an auth code is also fatal
    stopped,       // the client, consumer or session was stopped or closed here: nothing failed
    not_owned,     // an operation on a partition this consumer does not (or no longer) own
    reset_offset,  // the position is outside the log: the offset reset policy decides
};

const std::error_category& error_kind_category() noexcept;
std::error_condition make_error_condition(error_kind kind) noexcept;

} // namespace kspout

template <>
struct std::is_error_condition_enum<kspout::error_kind> : std::true_type {};
