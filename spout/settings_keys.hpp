// The key table: every kafka.* key with its type and range, default, one-line doc and where it goes.
#pragma once

#include "spout/settings.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::spout {

// How a key's values are checked and stored.
struct value_rule {
    // The values it takes, with their range, as spout/README.md's Type column writes them.
    std::string type;
    // Checks a value and stores it in the settings; returns what was wrong with it, or an empty string.
    std::function<std::string(settings&, const nlohmann::json&)> apply;
    // A password or key: its value never appears in errors or logs.
    bool secret = false;
};

struct key_spec {
    std::string_view key;
    // As spout/README.md's Default column writes it, and applied like a value given as a string;
    // nullopt: the key is required (kafka.zookeeper.connect only with balanced assignment).
    std::optional<std::string_view> default_value;
    std::string_view doc;
    value_rule rule;
};

// In README order.
const std::vector<key_spec>& key_table();

// nullptr for a key the spout does not know.
const key_spec* find_key(std::string_view key);

} // namespace kspout::spout
