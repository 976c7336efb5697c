// Checks across keys, once every source is read: required keys, limits one key sets on another, metric names.
#pragma once

#include "spout/settings.hpp"

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::spout {

// Appends an error for each rule s breaks. given holds the keys that had a value anywhere (a
// required key given with a bad value has its error already). Names the metrics listed without
// a name: kafka.spout.metrics.prefix + kind.
void check_settings(settings& s, const std::set<std::string_view>& given, std::vector<std::string>& errors);

} // namespace kspout::spout
