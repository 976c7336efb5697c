// Kafka record -> Storm tuple values (a JSON array), for a chosen list of fields.
#pragma once

#include "multilang/context.hpp"
#include "protocol/records/records.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::spout {

enum class tuple_field { topic, partition, offset, key, value, timestamp, headers };
enum class value_format { string, json };
// What a key, value or header that is not UTF-8 becomes: the base64 of its bytes, the text with
// each bad sequence replaced by U+FFFD, or an error that skips the record.
enum class invalid_utf8_policy { base64, replace, error };

std::optional<tuple_field> parse_tuple_field(std::string_view name);
std::string_view to_string(tuple_field field);
std::optional<value_format> parse_value_format(std::string_view name);
std::string_view to_string(value_format format);
std::optional<invalid_utf8_policy> parse_invalid_utf8_policy(std::string_view name);
std::string_view to_string(invalid_utf8_policy policy);

// DefaultRecordTranslator's fields in the JVM spout.
std::vector<tuple_field> default_tuple_fields();

// The fields a tuple on `stream` carries. When the handshake context declares output fields
// (Storm 0.10 and later), the tuple follows them: a stream the component does not declare, or a
// declared name that is not a tuple_field, is an error naming it. Without declarations (older
// Storm) the configured fields apply.
std::optional<std::vector<tuple_field>> resolve_tuple_fields(const multilang::topology_context& context,
                                                             std::string_view stream,
                                                             const std::vector<tuple_field>& configured,
                                                             std::string& error);

struct mapped_tuple {
    nlohmann::json values = nlohmann::json::array(); // valid when error is empty
    std::string error; // the record cannot be mapped (invalid UTF-8 under policy error)
    std::string note;  // worth a log line, did not stop the mapping (value not JSON)

    bool ok() const { return error.empty(); }
};

// topic, partition (integer), offset (integer), key and value (strings; null when absent; the
// value parsed as JSON under value_format::json, falling back to the string with a note),
// timestamp (milliseconds since the epoch; null for format v0 records, which have none), headers
// (an object of name -> string or null; with repeated names the last one wins, as Java's
// Headers.lastHeader). Strings are always valid UTF-8, as the multilang JSON requires.
class tuple_mapper {
public:
    tuple_mapper(std::vector<tuple_field> fields, value_format format = value_format::string,
                 invalid_utf8_policy invalid_utf8 = invalid_utf8_policy::base64);

    const std::vector<tuple_field>& fields() const { return fields_; }

    mapped_tuple map(std::string_view topic, std::int32_t partition, const records::record& record,
                     std::span<const records::header> headers) const;

private:
    std::vector<tuple_field> fields_;
    value_format format_;
    invalid_utf8_policy invalid_utf8_;
};

} // namespace kspout::spout
