// The Storm tuple id of an emitted record: "topic:partition:offset", and its strict parser.
#pragma once

#include "spout/topic_partition.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kspout::spout {

// Views into the id text it was parsed from.
struct message_id {
    topic_partition_ref partition;
    std::int64_t offset = 0;
};

// Kafka topic names use [a-zA-Z0-9._-] only, so ':' cannot be part of one; the parser still
// splits at the last two ':' so that the topic is whatever is left of them.
std::string format_message_id(std::string_view topic, std::int32_t partition, std::int64_t offset);
void format_message_id(std::string& out, std::string_view topic, std::int32_t partition, std::int64_t offset);

// Rejects anything format_message_id would not have written: an empty topic, a missing field,
// a sign, leading zeros, a number out of range or with trailing characters. On failure, error
// says what was wrong (without the id; the caller quotes it).
std::optional<message_id> parse_message_id(std::string_view text, std::string& error);

// An ack or fail id as Storm sends it back: a JSON value, which must be a string for us. The
// views point into `id`, which must outlive the result.
std::optional<message_id> parse_ack_id(const nlohmann::json& id, std::string& error);

} // namespace kspout::spout
