// librdkafka's error codes as std::error_code: broker codes as ours, its own (negative) codes in category "rdkafka".
#include "protocol/rdkafka/rdkafka_error.hpp"

#include "protocol/error/error_kind.hpp"
#include "protocol/wire/broker_error.hpp"

namespace kspout::rdkafka {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "rdkafka"; }
    std::string message(int code) const override { return rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(code)); }
    std::error_condition default_error_condition(int code) const noexcept override
    {
        switch (static_cast<rd_kafka_resp_err_t>(code)) {
        case RD_KAFKA_RESP_ERR__DESTROY:
        case RD_KAFKA_RESP_ERR__FATAL:
            return code == RD_KAFKA_RESP_ERR__DESTROY ? error_kind::stopped : error_kind::fatal;
        case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET: return error_kind::reset_offset;
        case RD_KAFKA_RESP_ERR__AUTHENTICATION: return error_kind::auth;
        case RD_KAFKA_RESP_ERR__SSL:
        case RD_KAFKA_RESP_ERR__INVALID_ARG:
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
        case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
        case RD_KAFKA_RESP_ERR__BAD_MSG:
        case RD_KAFKA_RESP_ERR__BAD_COMPRESSION:
            return error_kind::fatal;
        default: return error_kind::retriable; // transport, timeouts, brokers down: librdkafka retries
        }
    }
};

} // namespace

const std::error_category& rdkafka_category() noexcept
{
    static const category instance;
    return instance;
}

std::error_code make_rdkafka_error(rd_kafka_resp_err_t err) noexcept
{
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return {};
    if (err > 0) return wire::make_broker_error(static_cast<std::int16_t>(err));
    return {static_cast<int>(err), rdkafka_category()};
}

} // namespace kspout::rdkafka
