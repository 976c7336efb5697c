// tuple_mapper: field names, field resolution against the declared output fields, and mapping.
#include "spout/tuple_mapper.hpp"

#include "protocol/text/utf8.hpp"
#include "spout/base64.hpp"
#include "spout/topic_partition.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace kspout::spout {

using json = nlohmann::json;

namespace {

constexpr std::array<std::pair<tuple_field, std::string_view>, 7> field_names{{
    {tuple_field::topic, "topic"},
    {tuple_field::partition, "partition"},
    {tuple_field::offset, "offset"},
    {tuple_field::key, "key"},
    {tuple_field::value, "value"},
    {tuple_field::timestamp, "timestamp"},
    {tuple_field::headers, "headers"},
}};

std::string all_field_names()
{
    std::string out;
    for (const auto& [field, name] : field_names) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

// The tuple text for bytes that should be UTF-8; nullopt, with the position of the first bad
// byte in `bad`, when they are not and the policy is error.
std::optional<std::string> to_text(std::string_view bytes, invalid_utf8_policy policy, std::size_t& bad)
{
    auto pos = text::first_invalid_utf8(bytes);
    if (pos == std::string_view::npos) return std::string(bytes);
    switch (policy) {
    case invalid_utf8_policy::base64: return base64_encode(bytes);
    case invalid_utf8_policy::replace: return text::replace_invalid_utf8(bytes);
    case invalid_utf8_policy::error: break;
    }
    bad = pos;
    return std::nullopt;
}

} // namespace

std::optional<tuple_field> parse_tuple_field(std::string_view name)
{
    for (const auto& [field, n] : field_names) {
        if (n == name) return field;
    }
    return std::nullopt;
}

std::string_view to_string(tuple_field field)
{
    for (const auto& [f, name] : field_names) {
        if (f == field) return name;
    }
    return "unknown";
}

std::optional<value_format> parse_value_format(std::string_view name)
{
    if (name == "string") return value_format::string;
    if (name == "json") return value_format::json;
    return std::nullopt;
}

std::string_view to_string(value_format format)
{
    return format == value_format::json ? "json" : "string";
}

std::optional<invalid_utf8_policy> parse_invalid_utf8_policy(std::string_view name)
{
    if (name == "base64") return invalid_utf8_policy::base64;
    if (name == "replace") return invalid_utf8_policy::replace;
    if (name == "error") return invalid_utf8_policy::error;
    return std::nullopt;
}

std::string_view to_string(invalid_utf8_policy policy)
{
    switch (policy) {
    case invalid_utf8_policy::base64: return "base64";
    case invalid_utf8_policy::replace: return "replace";
    case invalid_utf8_policy::error: return "error";
    }
    return "unknown";
}

std::vector<tuple_field> default_tuple_fields()
{
    return {tuple_field::topic, tuple_field::partition, tuple_field::offset, tuple_field::key, tuple_field::value};
}

std::optional<std::vector<tuple_field>> resolve_tuple_fields(const multilang::topology_context& context,
                                                             std::string_view stream,
                                                             const std::vector<tuple_field>& configured,
                                                             std::string& error)
{
    const auto& declared = context.stream_output_fields;
    if (declared.empty()) return configured;
    auto it = declared.find(std::string(stream));
    if (it == declared.end()) {
        std::string streams;
        for (const auto& [name, fields] : declared) streams += (streams.empty() ? "\"" : ", \"") + name + "\"";
        error = "the topology declares no stream \"" + std::string(stream) +
                "\" for this component (it declares " + streams + ")";
        return std::nullopt;
    }
    if (it->second.empty()) {
        error = "stream \"" + it->first + "\" is declared with no output fields";
        return std::nullopt;
    }
    std::vector<tuple_field> fields;
    for (const auto& name : it->second) {
        auto field = parse_tuple_field(name);
        if (!field) {
            error = "stream \"" + it->first + "\" declares output field \"" + name +
                    "\", which the spout cannot fill (it can fill " + all_field_names() + ")";
            return std::nullopt;
        }
        fields.push_back(*field);
    }
    return fields;
}

tuple_mapper::tuple_mapper(std::vector<tuple_field> fields, value_format format, invalid_utf8_policy invalid_utf8)
    : fields_(std::move(fields)), format_(format), invalid_utf8_(invalid_utf8)
{
}

mapped_tuple tuple_mapper::map(std::string_view topic, std::int32_t partition, const records::record& record,
                               std::span<const records::header> headers) const
{
    mapped_tuple out;
    auto& values = out.values.get_ref<json::array_t&>();
    values.reserve(fields_.size());
    auto where = [&] {
        return "record " + to_string(topic_partition_ref{topic, partition}) + " offset " +
               std::to_string(record.offset);
    };
    auto fail = [&](std::string what, std::size_t bad) {
        out.error = what + " of " + where() + " is not valid UTF-8 (first bad byte at " + std::to_string(bad) + ")";
        out.values = json::array();
        return out;
    };
    std::size_t bad = 0;
    for (tuple_field field : fields_) {
        switch (field) {
        case tuple_field::topic: {
            auto text = to_text(topic, invalid_utf8_, bad);
            if (!text) return fail("topic name", bad);
            values.emplace_back(std::move(*text));
            break;
        }
        case tuple_field::partition: values.emplace_back(partition); break;
        case tuple_field::offset: values.emplace_back(record.offset); break;
        case tuple_field::timestamp:
            if (record.timestamp < 0) {
                values.emplace_back(nullptr);
            } else {
                values.emplace_back(record.timestamp);
            }
            break;
        case tuple_field::key: {
            if (!record.key) {
                values.emplace_back(nullptr);
                break;
            }
            auto text = to_text(wire::as_text(*record.key), invalid_utf8_, bad);
            if (!text) return fail("key", bad);
            values.emplace_back(std::move(*text));
            break;
        }
        case tuple_field::value: {
            if (!record.value) {
                values.emplace_back(nullptr);
                break;
            }
            auto bytes = wire::as_text(*record.value);
            if (format_ == value_format::json) {
                // The parser rejects invalid UTF-8 and lone surrogate escapes, so what it returns
                // can always be written out again.
                auto parsed = json::parse(bytes.begin(), bytes.end(), nullptr, false);
                if (!parsed.is_discarded()) {
                    values.push_back(std::move(parsed));
                    break;
                }
                out.note = "value of " + where() + " is not valid JSON; emitted as a string";
            }
            auto text = to_text(bytes, invalid_utf8_, bad);
            if (!text) return fail("value", bad);
            values.emplace_back(std::move(*text));
            break;
        }
        case tuple_field::headers: {
            json object = json::object();
            for (const auto& h : headers) {
                auto name = to_text(h.key, invalid_utf8_, bad);
                if (!name) return fail("header name", bad);
                if (!h.value) {
                    object[*name] = nullptr;
                    continue;
                }
                auto text = to_text(wire::as_text(*h.value), invalid_utf8_, bad);
                if (!text) return fail("header \"" + *name + "\"", bad);
                object[*name] = std::move(*text);
            }
            values.push_back(std::move(object));
            break;
        }
        }
    }
    return out;
}

} // namespace kspout::spout
