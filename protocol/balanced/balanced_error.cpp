// The balanced consumer's error category.
#include "protocol/balanced/balanced_error.hpp"

#include "protocol/error/error_kind.hpp"

#include <string>

namespace kspout::balanced {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "kspout.balanced"; }

    std::string message(int value) const override
    {
        switch (static_cast<errc>(value)) {
        case errc::rebalance_timed_out: return "rebalance did not complete within the deadline";
        case errc::registration_failed: return "could not register as a group member";
        case errc::zookeeper_unreachable: return "ZooKeeper unreachable for longer than the session timeout";
        case errc::metadata_unavailable: return "topic metadata unavailable";
        case errc::invalid_options: return "invalid balanced consumer options";
        case errc::session_unconfirmed: return "ZooKeeper has not confirmed this member's session";
        }
        return "unknown balanced consumer error " + std::to_string(value);
    }

    // The member keeps trying after each of these but invalid_options.
    std::error_condition default_error_condition(int value) const noexcept override
    {
        if (static_cast<errc>(value) == errc::invalid_options) return error_kind::fatal;
        return error_kind::retriable;
    }
};

} // namespace

const std::error_category& balanced_category() noexcept
{
    static const category instance;
    return instance;
}

std::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), balanced_category()};
}

} // namespace kspout::balanced
