// InitProducerId (InitProducerIdRequest.json / InitProducerIdResponse.json) v0-1: a producer id for idempotence.
#pragma once

#include "protocol/messages/versions.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace kspout::messages {

// v2+ are flexible; v0-1 (Kafka 0.11 and 2.0) carry the same fields.
inline constexpr version_range init_producer_id_versions{0, 1};

struct init_producer_id_request {
    std::optional<std::string> transactional_id; // null: an idempotent producer, no transactions
    std::int32_t transaction_timeout_ms = 0;
    friend bool operator==(const init_producer_id_request&, const init_producer_id_request&) = default;
};

struct init_producer_id_response {
    std::int32_t throttle_time_ms = 0;
    std::int16_t error_code = 0;
    std::int64_t producer_id = -1;
    std::int16_t producer_epoch = -1;
    friend bool operator==(const init_producer_id_response&, const init_producer_id_response&) = default;
};

// Encoding requires a version inside init_producer_id_versions; decoding checks it.
void encode(wire::writer& w, const init_producer_id_request& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, init_producer_id_request& out, std::int16_t version);
void encode(wire::writer& w, const init_producer_id_response& r, std::int16_t version);
std::optional<wire::decode_error> decode(wire::reader& r, init_producer_id_response& out, std::int16_t version);

} // namespace kspout::messages
