// record_mapping: each part of a record read from its field, with an error naming what did not fit.
#include "spout/bolt/record_mapping.hpp"

#include "multilang/describe.hpp"
#include "spout/base64.hpp"
#include "spout/settings_values.hpp"

#include <algorithm>
#include <limits>

namespace kspout::spout::bolt {

using json = nlohmann::json;

namespace {

// A JSON integer from 0 to max.
std::optional<std::int64_t> whole_number(const json& v, std::int64_t max)
{
    if (v.is_number_unsigned()) {
        auto n = v.get<std::uint64_t>();
        if (n <= static_cast<std::uint64_t>(max)) return static_cast<std::int64_t>(n);
    } else if (v.is_number_integer()) {
        auto n = v.get<std::int64_t>();
        if (n >= 0 && n <= max) return n;
    }
    return std::nullopt;
}

} // namespace

record_mapping::record_mapping(const record_fields& fields, value_encoding encoding, std::string default_topic)
    : input_(fields.input), encoding_(encoding), default_topic_(std::move(default_topic))
{
    topic_ = find(fields.topic);
    key_ = find(fields.key);
    value_ = find(fields.value);
    headers_ = find(fields.headers);
    partition_ = find(fields.partition);
    timestamp_ = find(fields.timestamp);
}

record_mapping::part record_mapping::find(const std::string& name) const
{
    auto it = std::find(input_.begin(), input_.end(), name);
    if (name.empty() || it == input_.end()) return {std::nullopt, name};
    return {static_cast<std::size_t>(it - input_.begin()), name};
}

mapped_record record_mapping::map(const json& values) const
{
    mapped_record out;
    if (!values.is_array() || values.size() != input_.size()) {
        out.error = "the tuple has " + (values.is_array() ? std::to_string(values.size()) : std::string("no")) +
                    " values, kafka.bolt.fields names " + std::to_string(input_.size());
        return out;
    }
    auto wrong = [&](const part& p, std::string_view expected) {
        out.error = "field \"" + p.name + "\" (position " + std::to_string(*p.position) + "): expected " +
                    std::string(expected) + ", got " + multilang::describe(values[*p.position], 80);
        return out;
    };
    auto at = [&](const part& p) -> const json* { return p.position ? &values[*p.position] : nullptr; };

    outgoing_record r;
    r.topic = default_topic_;
    if (const json* v = at(topic_)) {
        if (!v->is_string() || !valid_topic(v->get_ref<const std::string&>())) return wrong(topic_, "a topic name");
        r.topic = v->get<std::string>();
    }
    if (const json* v = at(key_); v && !v->is_null()) {
        if (!v->is_string()) return wrong(key_, "a string or null");
        r.key = v->get<std::string>();
    }
    if (const json* v = at(value_); v && !v->is_null()) {
        switch (encoding_) {
        case value_encoding::string:
            if (!v->is_string()) return wrong(value_, "a string or null");
            r.value = v->get<std::string>();
            break;
        case value_encoding::json: r.value = v->dump(); break;
        case value_encoding::base64: {
            auto bytes = v->is_string() ? base64_decode(v->get_ref<const std::string&>()) : std::nullopt;
            if (!bytes) return wrong(value_, "base64 text or null");
            r.value = std::move(*bytes);
            break;
        }
        }
    }
    if (const json* v = at(headers_); v && !v->is_null()) {
        if (!v->is_object()) return wrong(headers_, "an object of name: string or null");
        for (const auto& [name, header] : v->items()) {
            if (header.is_null()) {
                r.headers.push_back({name, std::nullopt});
            } else if (header.is_string()) {
                r.headers.push_back({name, header.get<std::string>()});
            } else {
                return wrong(headers_, "an object of name: string or null");
            }
        }
    }
    if (const json* v = at(partition_); v && !v->is_null()) {
        auto n = whole_number(*v, std::numeric_limits<std::int32_t>::max());
        if (!n) return wrong(partition_, "a partition number or null");
        r.partition = static_cast<std::int32_t>(*n);
    }
    if (const json* v = at(timestamp_); v && !v->is_null()) {
        r.timestamp = whole_number(*v, std::numeric_limits<std::int64_t>::max());
        if (!r.timestamp) return wrong(timestamp_, "milliseconds since the epoch or null");
    }
    out.record = std::move(r);
    return out;
}

std::string_view to_string(value_encoding encoding)
{
    switch (encoding) {
    case value_encoding::string: return "string";
    case value_encoding::json: return "json";
    case value_encoding::base64: return "base64";
    }
    return "unknown";
}

} // namespace kspout::spout::bolt
