// Flux topology YAML into JSON, read by yaml-cpp, with each node's line and the subset we allow.
#pragma once

#include "multilang/messages.hpp"

#include <map>
#include <string>
#include <string_view>

namespace kspout::multilang::local {

// yaml-cpp reads the YAML; on top of it: one document, text that is valid UTF-8, no anchors,
// aliases or explicit tags, no duplicate keys, keys that are scalars, nesting up to
// max_json_depth. Plain scalars become null, booleans, integers, floats or strings as YAML
// 1.2's core schema says; quoted and block scalars stay strings.
struct yaml_document {
    json root;
    std::map<std::string, int> lines; // JSON pointer of each node -> 1-based line number
};

// Throws topology_error "<name>:<line>: <what>" on anything outside the subset.
yaml_document parse_yaml_subset(std::string_view text, const std::string& name);

} // namespace kspout::multilang::local
