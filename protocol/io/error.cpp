// The io error category.
#include "protocol/io/error.hpp"

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
        case errc::shut_down: return "client shut down";
        }
        return "unknown io error";
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
