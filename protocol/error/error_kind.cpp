// The error_kind category: names the kinds, says that auth is fatal, and classifies OS network errors.
#include "protocol/error/error_kind.hpp"

#include <string>

namespace kspout {
namespace {

// Socket errors from the OS (connect, read, write) that a new connection may not meet again.
bool transient_network_error(const std::error_condition& c) noexcept
{
    if (c.category() != std::generic_category()) return false;
    switch (static_cast<std::errc>(c.value())) {
    case std::errc::connection_refused:
    case std::errc::connection_reset:
    case std::errc::connection_aborted:
    case std::errc::not_connected:
    case std::errc::broken_pipe:
    case std::errc::timed_out:
    case std::errc::host_unreachable:
    case std::errc::network_unreachable:
    case std::errc::network_down:
    case std::errc::network_reset: return true;
    default: return false;
    }
}

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "kspout.error_kind"; }

    std::string message(int kind) const override
    {
        switch (static_cast<error_kind>(kind)) {
        case error_kind::retriable: return "retriable error";
        case error_kind::fatal: return "fatal error";
        case error_kind::auth: return "authentication or authorization failed";
        case error_kind::stopped: return "stopped";
        case error_kind::not_owned: return "partition not owned";
        case error_kind::reset_offset: return "offset outside the log";
        }
        return "unknown error kind " + std::to_string(kind);
    }

    // Our categories say their kind in default_error_condition; this adds what they cannot say:
    // that an auth failure is fatal too, and which OS network errors are transient.
    bool equivalent(const std::error_code& code, int kind) const noexcept override
    {
        const std::error_condition own = code.default_error_condition();
        if (own.category() == *this) {
            return own.value() == kind ||
                   (kind == static_cast<int>(error_kind::fatal) && own.value() == static_cast<int>(error_kind::auth));
        }
        return kind == static_cast<int>(error_kind::retriable) && transient_network_error(own);
    }
};

} // namespace

const std::error_category& error_kind_category() noexcept
{
    static const category instance;
    return instance;
}

std::error_condition make_error_condition(error_kind kind) noexcept
{
    return {static_cast<int>(kind), error_kind_category()};
}

} // namespace kspout
