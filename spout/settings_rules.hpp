// Key-table building blocks shared by kafka-spout and kafka-bolt: typed rules, key specs, reading the sources.
#pragma once

#include "multilang/messages.hpp"
#include "protocol/text/excerpt.hpp"
#include "spout/command_line.hpp"
#include "spout/settings_values.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace kspout::spout {

// How a key's values are checked and stored in a settings struct S.
template <typename S>
struct basic_value_rule {
    // The values it takes, with their range, as the README's Type column writes them.
    std::string type;
    // Checks a value and stores it in the settings; returns what was wrong with it, or an empty string.
    std::function<std::string(S&, const nlohmann::json&)> apply;
    // A password or key: its value never appears in errors or logs.
    bool secret = false;
    // For a family of keys (a key spec named "prefix.*"): checks and stores the value of one of
    // them, given its full name, in place of apply. apply then only takes the empty default.
    std::function<std::string(S&, std::string_view key, const nlohmann::json&)> apply_keyed = {};
};

template <typename S>
struct basic_key_spec {
    std::string_view key;
    // As the README's Default column writes it, and applied like a value given as a string;
    // nullopt: the key is required.
    std::optional<std::string_view> default_value;
    std::string_view doc;
    basic_value_rule<S> rule;
};

// A rule for a part of the settings (the client options both executables hold) as a rule for
// the whole: part is [](S& s) -> auto& { return s.member; }.
template <typename S, typename Part>
basic_key_spec<S> lift(const basic_key_spec<Part>& spec, std::function<Part&(S&)> part)
{
    auto apply = spec.rule.apply;
    auto apply_keyed = spec.rule.apply_keyed;
    basic_value_rule<S> rule{spec.rule.type, [apply, part](S& s, const nlohmann::json& v) { return apply(part(s), v); },
                             spec.rule.secret};
    if (apply_keyed) {
        rule.apply_keyed = [apply_keyed, part](S& s, std::string_view key, const nlohmann::json& v) {
            return apply_keyed(part(s), key, v);
        };
    }
    return {spec.key, spec.default_value, spec.doc, std::move(rule)};
}

namespace rules {

inline constexpr std::int64_t int32_max = std::numeric_limits<std::int32_t>::max();
inline constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

// A key's field is given as a function from the settings to it: [](settings& s) -> auto& {...};
// the settings type is its parameter's.
template <typename F>
struct field_traits;
template <typename C, typename R, typename A>
struct field_traits<R (C::*)(A) const> {
    using settings_type = std::remove_reference_t<A>;
    using value_type = std::remove_reference_t<R>;
};
template <typename Field>
using settings_of = typename field_traits<decltype(&Field::operator())>::settings_type;
template <typename Field>
using field_type = typename field_traits<decltype(&Field::operator())>::value_type;

// How the README writes a number: with a minus sign, not a hyphen.
inline std::string number_text(std::int64_t n)
{
    return n < 0 ? "\u2212" + std::to_string(-n) : std::to_string(n);
}

inline std::string integer_type(std::int64_t min, std::int64_t max)
{
    if (max == int32_max || max == int64_max) return "integer \u2265 " + number_text(min);
    return "integer " + number_text(min) + " to " + number_text(max);
}

template <typename Field>
basic_value_rule<settings_of<Field>> int_key(Field field, std::int64_t min, std::int64_t max)
{
    return {integer_type(min, max), [=](settings_of<Field>& s, const nlohmann::json& v) {
                std::string why;
                if (auto n = as_int(v, min, max, why)) field(s) = static_cast<field_type<Field>>(*n);
                return why;
            }};
}

template <typename Field>
basic_value_rule<settings_of<Field>> ms_key(Field field, std::int64_t min)
{
    return {integer_type(min, int32_max), [=](settings_of<Field>& s, const nlohmann::json& v) {
                std::string why;
                if (auto n = as_int(v, min, int32_max, why)) field(s) = std::chrono::milliseconds(*n);
                return why;
            }};
}

template <typename Field>
basic_value_rule<settings_of<Field>> bool_key(Field field)
{
    return {"boolean", [=](settings_of<Field>& s, const nlohmann::json& v) {
                std::string why;
                if (auto b = as_bool(v, why)) field(s) = *b;
                return why;
            }};
}

// No string setting needs more, and a Kafka request carries a string with an int16 length: a
// longer group or client id would go out as a corrupt request the broker drops the connection for.
inline constexpr std::size_t max_string_setting_bytes = 32767;

template <typename Field>
basic_value_rule<settings_of<Field>> string_key(Field field, bool allow_empty)
{
    return {"string", [=](settings_of<Field>& s, const nlohmann::json& v) {
                std::string why;
                auto text = as_string(v, why);
                if (text && text->empty() && !allow_empty) return std::string("expected a non-empty string");
                if (text && text->size() > max_string_setting_bytes) {
                    return "expected at most " + std::to_string(max_string_setting_bytes) + " bytes, got " +
                           std::to_string(text->size());
                }
                if (text) field(s) = std::move(*text);
                return why;
            }};
}

// The spelling of an enum's value in the settings.
template <typename Enum>
struct named {
    std::string_view name;
    Enum value;
};

template <typename Field, typename Enum>
basic_value_rule<settings_of<Field>> enum_key(Field field, std::span<const named<Enum>> names)
{
    std::string type;
    std::string why = "expected one of";
    for (const auto& n : names) {
        type += (type.empty() ? "`" : " \\| `") + std::string(n.name) + "`";
        why += (&n == names.data() ? " " : ", ") + std::string(n.name);
    }
    return {type, [=](settings_of<Field>& s, const nlohmann::json& v) {
                if (v.is_string()) {
                    for (const auto& [name, value] : names) {
                        if (name == v.get_ref<const std::string&>()) {
                            field(s) = value;
                            return std::string();
                        }
                    }
                }
                return why;
            }};
}

template <typename Field, typename Enum, std::size_t N>
basic_value_rule<settings_of<Field>> enum_key(Field field, const named<Enum> (&names)[N])
{
    return enum_key(field, std::span<const named<Enum>>(names));
}

// The spellings of Storm's log levels, for the keys that set the least level sent to Storm.
inline constexpr named<multilang::log_level> log_level_names[] = {{"debug", multilang::log_level::debug},
                                                                  {"info", multilang::log_level::info},
                                                                  {"warn", multilang::log_level::warn},
                                                                  {"error", multilang::log_level::error}};

// The same rule, documented with another type (its range depends on another key).
template <typename S>
basic_value_rule<S> typed(std::string type, basic_value_rule<S> rule)
{
    rule.type = std::move(type);
    return rule;
}

} // namespace rules

// Whether `key` is one of the family of keys `spec_key` ("prefix.*") names.
inline bool in_family(std::string_view spec_key, std::string_view key)
{
    if (!spec_key.ends_with(".*")) return false;
    auto prefix = spec_key.substr(0, spec_key.size() - 1);
    return key.size() > prefix.size() && key.starts_with(prefix);
}

// The spec of a key in a table (its own, or its family's), or nullptr for a key it does not have.
template <typename S>
const basic_key_spec<S>* find_in(const std::vector<basic_key_spec<S>>& table, std::string_view key)
{
    for (const auto& spec : table) {
        if (spec.key == key) return &spec;
    }
    for (const auto& spec : table) {
        if (spec.rule.apply_keyed && in_family(spec.key, key)) return &spec;
    }
    return nullptr;
}

// Settings with every key of the table at its default; required keys are left as S has them.
template <typename S>
S defaults_of(const std::vector<basic_key_spec<S>>& table)
{
    S s;
    for (const auto& spec : table) {
        if (spec.default_value) spec.rule.apply(s, nlohmann::json(std::string(*spec.default_value)));
    }
    return s;
}

template <typename S>
struct basic_settings_result {
    std::optional<S> value;
    std::vector<std::string> errors; // each names the key, the bad value and where it came from
};

// Where the values come from.
struct settings_sources {
    const nlohmann::json& storm_conf;
    const command_line& flags;
    const nlohmann::json& config_file;
};

// Storm's heartbeat timeout for a subprocess: topology.subprocess.timeout.secs, else
// supervisor.worker.timeout.secs; nullopt when neither is usable.
std::optional<std::chrono::milliseconds> storm_subprocess_timeout(const nlohmann::json& storm_conf);

// A JSON value as the user wrote it, cut to an excerpt and made printable, for error messages.
std::string describe_value(const nlohmann::json& v);

// Applies every kafka.* key of the Storm conf, the config file and the command line to s, in
// that order (a later source wins), appending an error for an unknown key or a bad value; returns
// the keys that had a value anywhere. In the Storm conf, which every component of a topology
// reads, keys for which belongs_elsewhere holds are skipped: they are another component's.
template <typename S>
std::set<std::string_view> apply_sources(S& s, const settings_sources& from,
                                         const std::function<const basic_key_spec<S>*(std::string_view)>& find,
                                         const std::function<bool(std::string_view)>& belongs_elsewhere,
                                         std::vector<std::string>& errors)
{
    std::set<std::string_view> given; // keys with a value anywhere, good or bad
    auto apply = [&](const std::string& key, const nlohmann::json& value, const std::string& origin) {
        const basic_key_spec<S>* spec = find(key);
        if (!spec) {
            errors.push_back("unknown key " + text::excerpt(key, 80) + " (from " + origin + ")");
            return;
        }
        given.insert(spec->key);
        auto why = spec->rule.apply_keyed ? spec->rule.apply_keyed(s, key, value) : spec->rule.apply(s, value);
        if (!why.empty()) {
            std::string shown = spec->rule.secret ? "(hidden)" : describe_value(value);
            errors.push_back(key + ": bad value " + shown + " (from " + origin + "): " + why);
        }
    };
    if (from.storm_conf.is_object()) {
        for (const auto& [key, value] : from.storm_conf.items()) {
            if (key.starts_with("kafka.") && (find(key) || !belongs_elsewhere(key))) {
                apply(key, value, "the Storm conf");
            }
        }
    } else if (!from.storm_conf.is_null()) {
        errors.push_back("the Storm conf is not a JSON object");
    }
    if (from.config_file.is_object()) {
        std::string origin = "config file " + from.flags.config_file.value_or("");
        for (const auto& [key, value] : from.config_file.items()) apply(key, value, origin);
    } else if (!from.config_file.is_null()) {
        errors.push_back("the config file is not a JSON object");
    }
    for (const auto& [key, value] : from.flags.overrides) apply(key, nlohmann::json(value), "the command line");
    return given;
}

} // namespace kspout::spout
