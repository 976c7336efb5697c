// librdkafka's error codes as std::error_code: broker codes as ours, its own (negative) codes in category "rdkafka".
#pragma once

#include <librdkafka/rdkafka.h>

#include <system_error>

namespace kspout::rdkafka {

const std::error_category& rdkafka_category() noexcept;
// 0 is success; a broker code (>= 0) becomes wire::make_broker_error(code), so that it is
// classified as our own client classifies it; a librdkafka code (< 0) keeps its text.
std::error_code make_rdkafka_error(rd_kafka_resp_err_t err) noexcept;

} // namespace kspout::rdkafka
