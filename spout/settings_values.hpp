// Value converters for the settings: a JSON value (or its text) to an integer, flag, string or list.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::spout {

// Each converter returns the value, or nullopt with `why` saying what was expected.

// A JSON integer or a decimal string, from min to max.
std::optional<std::int64_t> as_int(const nlohmann::json& v, std::int64_t min, std::int64_t max, std::string& why);
// true or false, as JSON booleans or strings.
std::optional<bool> as_bool(const nlohmann::json& v, std::string& why);
// A string without NUL; an integer is taken as its decimal text (YAML makes `group.id: 42` a number).
std::optional<std::string> as_string(const nlohmann::json& v, std::string& why);
// A JSON array of strings, or one string of comma-separated items; items are trimmed, empty ones
// dropped, and at least one must remain.
std::optional<std::vector<std::string>> as_list(const nlohmann::json& v, std::string& why);
// One of the choices, spelled exactly.
std::optional<std::string> as_choice(const nlohmann::json& v, std::initializer_list<std::string_view> choices,
                                     std::string& why);

// Names and addresses end up in C strings (ZooKeeper paths, host names), where a NUL cuts them.
bool holds_nul(std::string_view s);
// s without leading and trailing blanks and tabs.
std::string trim(std::string_view s);
// "host:port" or "[v6 address]:port" with a port from 1 to 65535.
bool valid_host_port(std::string_view s);
// Kafka's own rule for topic names.
bool valid_topic(std::string_view s);

} // namespace kspout::spout
