// The key table: every kafka.* key with its type and range, default, one-line doc and where it goes.
#pragma once

#include "spout/settings.hpp"
#include "spout/settings_rules.hpp"

#include <string_view>
#include <vector>

namespace kspout::spout {

using value_rule = basic_value_rule<settings>;
// Required keys have no default (kafka.zookeeper.connect only with balanced assignment).
using key_spec = basic_key_spec<settings>;

// In README order.
const std::vector<key_spec>& key_table();

// nullptr for a key the spout does not know.
const key_spec* find_key(std::string_view key);

} // namespace kspout::spout
