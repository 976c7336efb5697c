// Topology validation, settings with Storm's defaults, task ids, and each task's context and conf.
#include "multilang/local/topology.hpp"

#include <algorithm>
#include <set>

namespace kspout::multilang::local {
namespace {

constexpr std::pair<grouping_type, const char*> grouping_names[] = {
    {grouping_type::shuffle, "SHUFFLE"}, {grouping_type::fields, "FIELDS"},
    {grouping_type::all, "ALL"},         {grouping_type::global, "GLOBAL"},
    {grouping_type::none, "NONE"},       {grouping_type::local_or_shuffle, "LOCAL_OR_SHUFFLE"},
    {grouping_type::direct, "DIRECT"},
};

json grouping_json(const subscription& s)
{
    json g = {{"type", grouping_name(s.type)}};
    if (s.type == grouping_type::fields) g["fields"] = s.fields;
    return g;
}

std::string where(const component_def& c)
{
    return std::string(c.kind == component_kind::spout ? "spout" : "bolt") + " \"" + c.id + "\"";
}

std::optional<long> integer_setting(const json& config, const std::string& key)
{
    auto it = config.find(key);
    if (it == config.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer()) throw topology_error("config " + key + " must be an integer, not " + it->dump());
    return it->get<long>();
}

} // namespace

std::string grouping_name(grouping_type type)
{
    for (auto [t, name] : grouping_names) {
        if (t == type) return name;
    }
    return "SHUFFLE";
}

std::optional<grouping_type> grouping_from_name(const std::string& name)
{
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (auto [t, n] : grouping_names) {
        if (upper == n) return t;
    }
    return std::nullopt;
}

const component_def* topology_def::find(const std::string& id) const
{
    for (const auto& c : components) {
        if (c.id == id) return &c;
    }
    return nullptr;
}

void validate(const topology_def& topology)
{
    std::set<std::string> ids;
    for (const auto& c : topology.components) {
        if (c.id.empty()) throw topology_error("a component has an empty id");
        if (c.id.starts_with("__")) throw topology_error(where(c) + ": ids starting with __ are Storm's own");
        if (!ids.insert(c.id).second) throw topology_error("component id \"" + c.id + "\" is used twice");
        if (c.parallelism < 1) throw topology_error(where(c) + ": parallelism must be at least 1");
        if (c.command.empty() && !c.log_bolt) throw topology_error(where(c) + ": no command to run");
        if (c.kind == component_kind::spout && !c.inputs.empty()) {
            throw topology_error(where(c) + ": a spout cannot subscribe to streams");
        }
    }
    for (const auto& c : topology.components) {
        for (const auto& in : c.inputs) {
            const component_def* source = topology.find(in.source);
            if (!source) throw topology_error(where(c) + " subscribes to unknown component \"" + in.source + "\"");
            auto stream = source->streams.find(in.stream);
            if (stream == source->streams.end()) {
                throw topology_error(where(c) + " subscribes to stream \"" + in.stream + "\" that " + where(*source) +
                                     " does not declare");
            }
            if (in.type != grouping_type::fields) continue;
            if (in.fields.empty()) throw topology_error(where(c) + ": a FIELDS grouping needs fields");
            for (const auto& f : in.fields) {
                if (std::find(stream->second.begin(), stream->second.end(), f) == stream->second.end()) {
                    throw topology_error(where(c) + ": FIELDS grouping on \"" + f + "\", which stream \"" + in.stream +
                                         "\" of " + where(*source) + " does not declare");
                }
            }
        }
    }
}

topology_settings read_settings(const json& config)
{
    topology_settings s;
    if (auto v = integer_setting(config, "topology.message.timeout.secs")) {
        if (*v < 1) throw topology_error("config topology.message.timeout.secs must be at least 1");
        s.message_timeout = std::chrono::seconds(*v);
    }
    if (auto it = config.find("topology.enable.message.timeouts"); it != config.end() && !it->is_null()) {
        if (!it->is_boolean()) throw topology_error("config topology.enable.message.timeouts must be true or false");
        s.message_timeouts = it->get<bool>();
    }
    s.max_spout_pending = integer_setting(config, "topology.max.spout.pending");
    if (s.max_spout_pending && *s.max_spout_pending < 1) {
        throw topology_error("config topology.max.spout.pending must be at least 1");
    }
    if (auto v = integer_setting(config, "topology.acker.executors")) s.ackers = *v != 0;
    auto subprocess = integer_setting(config, "topology.subprocess.timeout.secs");
    if (!subprocess) subprocess = integer_setting(config, "supervisor.worker.timeout.secs");
    if (subprocess) s.subprocess_timeout = std::chrono::seconds(std::max(*subprocess, 1L));
    if (auto v = integer_setting(config, "topology.shellbolt.max.pending")) s.shellbolt_max_pending = std::max(*v, 1L);
    return s;
}

task_layout assign_tasks(const topology_def& topology)
{
    std::map<std::string, int> counts;
    for (const auto& c : topology.components) counts[c.id] = c.parallelism;
    if (read_settings(topology.config).ackers) counts["__acker"] = 1;
    task_layout layout;
    std::int64_t next = 1;
    for (const auto& [id, n] : counts) { // std::map: sorted by id, as Storm sorts them
        for (int i = 0; i < n; ++i) {
            layout.task_to_component[next] = id;
            layout.component_tasks[id].push_back(next++);
        }
    }
    return layout;
}

json task_context(const topology_def& topology, const task_layout& layout, const std::string& component,
                  std::int64_t task)
{
    const component_def* self = topology.find(component);
    json task_to_component = json::object();
    for (const auto& [t, c] : layout.task_to_component) task_to_component[std::to_string(t)] = c;
    json streams = json::array(), output_fields = json::object();
    for (const auto& [stream, fields] : self->streams) {
        streams.push_back(stream);
        output_fields[stream] = fields;
    }
    json targets = json::object(), sources = json::object(), source_fields = json::object();
    for (const auto& c : topology.components) {
        for (const auto& in : c.inputs) {
            if (in.source == component) targets[in.stream][c.id] = grouping_json(in);
            if (c.id == component) {
                sources[in.source][in.stream] = grouping_json(in);
                source_fields[in.source][in.stream] = topology.find(in.source)->streams.at(in.stream);
            }
        }
    }
    return {{"taskid", task},
            {"componentid", component},
            {"task->component", task_to_component},
            {"streams", streams},
            {"stream->outputfields", output_fields},
            {"stream->target->grouping", targets},
            {"source->stream->grouping", sources},
            {"source->stream->fields", source_fields}};
}

json component_conf(const topology_def& topology, const component_def& component)
{
    json conf = {{"topology.name", topology.name},
                 {"topology.message.timeout.secs", 30},
                 {"topology.enable.message.timeouts", true},
                 {"topology.max.spout.pending", nullptr},
                 {"topology.acker.executors", nullptr},
                 {"topology.shellbolt.max.pending", 100},
                 {"topology.workers", 1},
                 {"supervisor.worker.timeout.secs", 30}};
    for (const auto& [k, v] : topology.config.items()) conf[k] = v;
    for (const auto& [k, v] : component.config.items()) conf[k] = v;
    if (component.kind == component_kind::spout) {
        conf["topology.tick.tuple.freq.secs"] = read_settings(conf).message_timeout.count();
    }
    return conf;
}

} // namespace kspout::multilang::local
