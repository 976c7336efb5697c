// Value converters for the settings: each says what it expected when a value does not fit.
#include "spout/settings_values.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace kspout::spout {

using json = nlohmann::json;

std::optional<std::int64_t> as_int(const json& v, std::int64_t min, std::int64_t max, std::string& why)
{
    constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
    std::optional<std::int64_t> n;
    if (v.is_number_integer() && !(v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(int64_max))) {
        n = v.get<std::int64_t>();
    } else if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        std::int64_t parsed = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
        if (!s.empty() && ec == std::errc() && end == s.data() + s.size()) n = parsed;
    }
    if (!n || *n < min || *n > max) {
        why = "expected an integer from " + std::to_string(min) + " to " + std::to_string(max);
        return std::nullopt;
    }
    return n;
}

std::optional<bool> as_bool(const json& v, std::string& why)
{
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        if (s == "true") return true;
        if (s == "false") return false;
    }
    why = "expected true or false";
    return std::nullopt;
}

std::optional<std::string> as_string(const json& v, std::string& why)
{
    if (v.is_string() && holds_nul(v.get_ref<const std::string&>())) {
        why = "expected a string without NUL characters";
        return std::nullopt;
    }
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return v.dump();
    why = "expected a string";
    return std::nullopt;
}

std::optional<std::vector<std::string>> as_list(const json& v, std::string& why)
{
    std::vector<std::string> items;
    if (v.is_array()) {
        for (const auto& item : v) {
            if (!item.is_string() || holds_nul(item.get_ref<const std::string&>())) {
                why = "expected a list of strings without NUL characters";
                return std::nullopt;
            }
            if (auto t = trim(item.get_ref<const std::string&>()); !t.empty()) items.push_back(std::move(t));
        }
    } else if (v.is_string()) {
        std::string_view s = v.get_ref<const std::string&>();
        if (holds_nul(s)) {
            why = "expected a comma-separated string without NUL characters";
            return std::nullopt;
        }
        while (!s.empty()) {
            auto comma = s.find(',');
            if (auto t = trim(s.substr(0, comma)); !t.empty()) items.push_back(std::move(t));
            if (comma == std::string_view::npos) break;
            s.remove_prefix(comma + 1);
        }
    } else {
        why = "expected a comma-separated string or a list of strings";
        return std::nullopt;
    }
    if (items.empty()) {
        why = "expected at least one item";
        return std::nullopt;
    }
    return items;
}

std::optional<std::string> as_choice(const json& v, std::initializer_list<std::string_view> choices, std::string& why)
{
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        if (std::find(choices.begin(), choices.end(), s) != choices.end()) return s;
    }
    why = "expected one of ";
    for (auto c = choices.begin(); c != choices.end(); ++c) {
        if (c != choices.begin()) why += ", ";
        why += *c;
    }
    return std::nullopt;
}

bool holds_nul(std::string_view s)
{
    return s.find('\0') != std::string_view::npos;
}

std::string trim(std::string_view s)
{
    auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    auto last = s.find_last_not_of(" \t");
    return std::string(s.substr(first, last - first + 1));
}

bool valid_host_port(std::string_view s)
{
    auto colon = s.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    auto host = s.substr(0, colon);
    if (host.front() == '[' && (host.size() < 3 || host.back() != ']')) return false;
    if (host.front() != '[' && host.find(':') != std::string_view::npos) return false;
    auto port = s.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    return !port.empty() && ec == std::errc() && end == port.data() + port.size() && value >= 1 && value <= 65535;
}

bool valid_topic(std::string_view s)
{
    if (s.empty() || s.size() > 249 || s == "." || s == "..") return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-';
    });
}

} // namespace kspout::spout
