// A topology of multilang components for the local runner: what it declares, and the task ids,
// context and conf Storm would hand each task.
#pragma once

#include "multilang/messages.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace kspout::multilang::local {

// A topology that cannot run: the text names the file, line or component that is wrong.
struct topology_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class grouping_type { shuffle, fields, all, global, none, local_or_shuffle, direct };

// The name Storm's context uses ("SHUFFLE", "LOCAL_OR_SHUFFLE", ...), also Flux's spelling.
std::string grouping_name(grouping_type type);
std::optional<grouping_type> grouping_from_name(const std::string& name);

struct subscription {
    std::string source;
    std::string stream = "default";
    grouping_type type = grouping_type::shuffle;
    std::vector<std::string> fields; // fields grouping only
};

enum class component_kind { spout, bolt };

struct component_def {
    std::string id;
    component_kind kind = component_kind::spout;
    std::vector<std::string> command;   // the subprocess; empty for the built-in log bolt
    bool log_bolt = false;              // Flux's LogInfoBolt: logs every input and acks it
    std::map<std::string, std::vector<std::string>> streams; // declared stream -> fields
    int parallelism = 1;
    json config = json::object();       // component config (addComponentConfig)
    std::map<std::string, std::string> env;
    std::vector<subscription> inputs;   // bolts only
};

struct topology_def {
    std::string name = "local-topology";
    json config = json::object();
    std::vector<component_def> components;

    const component_def* find(const std::string& id) const;
};

// Checks what Storm's TopologyBuilder and Flux would reject: ids unique and not reserved, a
// command for every multilang component, inputs from existing components and declared
// streams, fields groupings over declared fields, parallelism >= 1.
void validate(const topology_def& topology);

// The settings the runner reads from the topology config, with Storm's defaults.
struct topology_settings {
    std::chrono::seconds message_timeout{30};      // topology.message.timeout.secs
    bool message_timeouts = true;                  // topology.enable.message.timeouts
    std::optional<long> max_spout_pending;         // topology.max.spout.pending (per task)
    bool ackers = true;                            // topology.acker.executors != 0
    std::chrono::seconds subprocess_timeout{30};   // topology.subprocess.timeout.secs
    long shellbolt_max_pending = 100;              // topology.shellbolt.max.pending
};
topology_settings read_settings(const json& config);

// Task ids as Storm assigns them: components sorted by id (the acker "__acker" among them when
// ackers are on), consecutive ids from 1.
struct task_layout {
    std::map<std::int64_t, std::string> task_to_component;
    std::map<std::string, std::vector<std::int64_t>> component_tasks;
};
task_layout assign_tasks(const topology_def& topology);

// The handshake's "context" for one task, as TopologyContext.toJSONString writes it.
json task_context(const topology_def& topology, const task_layout& layout, const std::string& component,
                  std::int64_t task);
// The handshake's "conf" for a component: Storm defaults, topology config, component config;
// spouts get topology.tick.tuple.freq.secs forced to the message timeout.
json component_conf(const topology_def& topology, const component_def& component);

} // namespace kspout::multilang::local
