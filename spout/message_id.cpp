// format_message_id and parse_message_id.
#include "spout/message_id.hpp"

#include <charconv>

namespace kspout::spout {

namespace {

// A canonical non-negative decimal: digits only, no leading zero unless it is "0".
template <typename Int>
bool parse_decimal(std::string_view text, Int& out)
{
    if (text.empty() || (text.size() > 1 && text.front() == '0')) return false;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
    }
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

} // namespace

void format_message_id(std::string& out, std::string_view topic, std::int32_t partition, std::int64_t offset)
{
    char digits[24]; // an int64 has at most 20 characters
    auto append = [&](auto n) { out.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr); };
    out.reserve(out.size() + topic.size() + 2 + 11 + 20);
    out.append(topic);
    out += ':';
    append(partition);
    out += ':';
    append(offset);
}

std::string format_message_id(std::string_view topic, std::int32_t partition, std::int64_t offset)
{
    std::string out;
    format_message_id(out, topic, partition, offset);
    return out;
}

std::optional<message_id> parse_message_id(std::string_view text, std::string& error)
{
    auto last = text.rfind(':');
    if (last == std::string_view::npos || last == 0) {
        error = "not of the form topic:partition:offset";
        return std::nullopt;
    }
    auto middle = text.rfind(':', last - 1);
    if (middle == std::string_view::npos) {
        error = "not of the form topic:partition:offset";
        return std::nullopt;
    }
    message_id id;
    id.partition.topic = text.substr(0, middle);
    if (id.partition.topic.empty()) {
        error = "empty topic";
        return std::nullopt;
    }
    if (!parse_decimal(text.substr(middle + 1, last - middle - 1), id.partition.partition)) {
        error = "partition is not a decimal number from 0 to 2147483647";
        return std::nullopt;
    }
    if (!parse_decimal(text.substr(last + 1), id.offset)) {
        error = "offset is not a decimal number from 0 to 9223372036854775807";
        return std::nullopt;
    }
    return id;
}

std::optional<message_id> parse_ack_id(const nlohmann::json& id, std::string& error)
{
    if (!id.is_string()) {
        error = std::string("id is a JSON ") + id.type_name() + ", not a string";
        return std::nullopt;
    }
    return parse_message_id(std::string_view(id.get_ref<const std::string&>()), error);
}

} // namespace kspout::spout
