// Flux topology files (the multilang subset) as YAML or as the same structure in JSON.
#pragma once

#include "multilang/local/topology.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace kspout::multilang::local {

// The Flux classes the runner knows.
inline constexpr std::string_view flux_shell_spout = "org.apache.storm.flux.wrappers.spouts.FluxShellSpout";
inline constexpr std::string_view flux_shell_bolt = "org.apache.storm.flux.wrappers.bolts.FluxShellBolt";
inline constexpr std::string_view flux_log_bolt = "org.apache.storm.flux.wrappers.bolts.LogInfoBolt";

// Converts a parsed Flux document: name, config, spouts and bolts (FluxShellSpout and
// FluxShellBolt with constructorArgs [command, output fields], or LogInfoBolt; parallelism;
// configMethods setDefaultStream, setNamedStream, addComponentConfig, setEnv, changeChildCWD)
// and streams (from, to, grouping type/args/streamId). `where` turns a JSON pointer into the
// place an error names ("file:12"). Throws topology_error.
topology_def flux_topology(const json& document, const std::function<std::string(const std::string&)>& where);

topology_def parse_flux_yaml(std::string_view text, const std::string& name);
topology_def parse_flux_json(std::string_view text, const std::string& name);
// Reads the file: JSON when it ends in .json, the YAML subset otherwise.
topology_def load_topology_file(const std::string& path);

} // namespace kspout::multilang::local
