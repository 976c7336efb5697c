// The balanced consumer's error category.
#include "protocol/balanced/balanced_error.hpp"

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
        case errc::zookeeper_auth_failed: return "ZooKeeper refused the credentials";
        case errc::metadata_unavailable: return "topic metadata unavailable";
        case errc::not_owned: return "partition not owned by this member";
        case errc::stopped: return "balanced consumer stopped";
        case errc::invalid_options: return "invalid balanced consumer options";
        case errc::session_unconfirmed: return "ZooKeeper has not confirmed this member's session";
        }
        return "unknown balanced consumer error " + std::to_string(value);
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
