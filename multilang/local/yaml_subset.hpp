// A small, strict YAML reader for the subset Flux topology files use, into JSON.
#pragma once

#include "multilang/messages.hpp"

#include <map>
#include <string>
#include <string_view>

namespace kspout::multilang::local {

// Supported: block mappings and sequences by indentation (spaces only), "- key: value" items,
// single-line flow sequences and mappings ([a, b], {k: v}), plain, 'single' and "double"
// quoted scalars, comments, a leading "---". Plain scalars become null, booleans, integers,
// floats or strings as YAML 1.2's core schema says. Anything else (anchors, aliases, tags,
// block scalars, multi-line flow collections, several documents, duplicate keys) is an error.
struct yaml_document {
    json root;
    std::map<std::string, int> lines; // JSON pointer of each node -> 1-based line number
};

// Throws topology_error "<name>:<line>: <what>" on anything outside the subset.
yaml_document parse_yaml_subset(std::string_view text, const std::string& name);

} // namespace kspout::multilang::local
