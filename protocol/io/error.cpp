// The io error category.
#include "protocol/io/error.hpp"

#include "protocol/error/error_kind.hpp"

#include <string>

namespace kspout::io {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "kafka.io"; }

    std::string message(int ev) const override
    {
        switch (static_cast<errc>(ev)) {
        case errc::request_timed_out: return "request timed out";
        case errc::connect_timed_out: return "connect timed out";
        case errc::connection_closed: return "connection closed";
        case errc::correlation_mismatch: return "response correlation id matches no request";
        case errc::bad_response: return "malformed response";
        case errc::no_common_version: return "no API version in common with the broker";
        case errc::shut_down: return "shut down";
        }
        return "unknown io error";
    }

    std::error_condition default_error_condition(int ev) const noexcept override
    {
        switch (static_cast<errc>(ev)) {
        case errc::request_timed_out:
        case errc::connect_timed_out:
        case errc::connection_closed:
        case errc::correlation_mismatch:
        case errc::bad_response: return error_kind::retriable; // a new connection may do better
        case errc::no_common_version: return error_kind::fatal;
        case errc::shut_down: return error_kind::stopped;
        }
        return error_kind::fatal;
    }
};

} // namespace

const std::error_category& io_category() noexcept
{
    static const category instance;
    return instance;
}

std::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), io_category()};
}

} // namespace kspout::io
