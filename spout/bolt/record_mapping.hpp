// Storm tuple values (a JSON array) -> a Kafka record to produce, by named fields.
#pragma once

#include "protocol/io/produce_batch.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::spout::bolt {

// How a value field becomes the record's value: its text (a JSON string), the JSON text of any
// value, or the bytes of a base64 string.
enum class value_encoding { string, json, base64 };

// Where each part of a record comes from. Multilang tuples carry values only, so `input` names
// the input tuple's fields in order; each part names one of them, or is empty (not taken).
struct record_fields {
    std::vector<std::string> input;
    std::string topic;
    std::string key;
    std::string value;
    std::string headers;
    std::string partition;
    std::string timestamp;
};

struct outgoing_record {
    std::string topic;
    std::optional<std::int32_t> partition; // nullopt: the producer's partitioner picks one
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<io::record_header> headers;
    std::optional<std::int64_t> timestamp; // nullopt: the time it is produced
};

struct mapped_record {
    std::optional<outgoing_record> record;
    std::string error; // what is wrong with the tuple, naming the field, when there is no record
};

// Each part is taken as: topic a topic name; key a string or null; value per value_encoding
// (null always gives a null value, a tombstone); headers an object of name -> string or null, or
// null for none; partition an integer from 0 or null; timestamp milliseconds since the epoch
// from 0, or null. A part naming a field that `input` does not list is not taken. Anything else
// is an error naming the field, its position and what was expected.
class record_mapping {
public:
    record_mapping(const record_fields& fields, value_encoding encoding, std::string default_topic);

    // values: the tuple's JSON array, which must have one value per input field.
    mapped_record map(const nlohmann::json& values) const;

private:
    // A part's position in the input tuple, and its field's name for error messages.
    struct part {
        std::optional<std::size_t> position;
        std::string name;
    };
    part find(const std::string& name) const;

    std::vector<std::string> input_;
    part topic_, key_, value_, headers_, partition_, timestamp_;
    value_encoding encoding_;
    std::string default_topic_;
};

std::string_view to_string(value_encoding encoding);

} // namespace kspout::spout::bolt
