// The consumer error category.
#include "protocol/io/consumer_error.hpp"

#include "protocol/error/error_kind.hpp"

namespace kspout::io {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "kafka.consumer"; }

    std::string message(int ev) const override
    {
        switch (static_cast<consumer_errc>(ev)) {
        case consumer_errc::no_offset: return "no valid offset and auto_offset_reset is error";
        case consumer_errc::record_too_large: return "record larger than fetch_partition_bytes_max";
        case consumer_errc::not_owned: return "partition not owned by this consumer";
        case consumer_errc::invalid_argument: return "negative partition or offset";
        case consumer_errc::no_group: return "no group_id configured";
        case consumer_errc::commit_window_closed: return "commit not sent before its send-by time";
        }
        return "unknown consumer error";
    }

    std::error_condition default_error_condition(int ev) const noexcept override
    {
        if (static_cast<consumer_errc>(ev) == consumer_errc::not_owned) return error_kind::not_owned;
        if (static_cast<consumer_errc>(ev) == consumer_errc::commit_window_closed) return error_kind::retriable;
        return error_kind::fatal; // the rest need a change of configuration or arguments
    }
};

} // namespace

const std::error_category& consumer_category() noexcept
{
    static const category instance;
    return instance;
}

std::error_code make_error_code(consumer_errc e) noexcept
{
    return {static_cast<int>(e), consumer_category()};
}

} // namespace kspout::io
