// flux_topology: Flux's multilang wrappers into topology_def, with errors naming where.
#include "multilang/local/flux.hpp"

#include "multilang/bounded_json.hpp"
#include "multilang/local/yaml_subset.hpp"

#include <fstream>
#include <set>
#include <sstream>

namespace kspout::multilang::local {
namespace {

class converter {
public:
    explicit converter(const std::function<std::string(const std::string&)>& where) : where_(where) {}

    topology_def run(const json& doc)
    {
        if (!doc.is_object()) fail("", "a Flux topology is a mapping with name, config, spouts, bolts, streams");
        for (const auto& [key, value] : doc.items()) {
            static const std::set<std::string> known{"name", "config", "spouts", "bolts", "streams"};
            if (!known.contains(key)) fail("/" + key, "\"" + key + "\" is not supported by the local runner");
        }
        topology_def t;
        if (doc.contains("name")) t.name = string_at(doc["name"], "/name");
        if (doc.contains("config")) {
            if (!doc["config"].is_object()) fail("/config", "config must be a mapping");
            t.config = doc["config"];
        }
        components(doc, "spouts", component_kind::spout, t);
        components(doc, "bolts", component_kind::bolt, t);
        if (doc.contains("streams")) {
            const json& streams = doc["streams"];
            if (!streams.is_array()) fail("/streams", "streams must be a list");
            for (std::size_t i = 0; i < streams.size(); ++i) stream(streams[i], "/streams/" + std::to_string(i), t);
        }
        validate(t);
        return t;
    }

private:
    [[noreturn]] void fail(const std::string& ptr, const std::string& what) const
    {
        throw topology_error(where_(ptr) + ": " + what);
    }

    std::string string_at(const json& v, const std::string& ptr) const
    {
        if (!v.is_string() || v.get<std::string>().empty()) fail(ptr, "expected a non-empty string");
        return v.get<std::string>();
    }

    std::vector<std::string> strings_at(const json& v, const std::string& ptr) const
    {
        if (!v.is_array()) fail(ptr, "expected a list of strings");
        std::vector<std::string> out;
        for (std::size_t i = 0; i < v.size(); ++i) out.push_back(string_at(v[i], ptr + "/" + std::to_string(i)));
        return out;
    }

    void components(const json& doc, const std::string& key, component_kind kind, topology_def& t)
    {
        if (!doc.contains(key)) return;
        if (!doc[key].is_array()) fail("/" + key, key + " must be a list");
        for (std::size_t i = 0; i < doc[key].size(); ++i) {
            std::string ptr = "/" + key + "/" + std::to_string(i);
            t.components.push_back(component(doc[key][i], ptr, kind));
            if (t.find(t.components.back().id) != &t.components.back()) {
                fail(ptr + "/id", "component id \"" + t.components.back().id + "\" is used twice");
            }
        }
    }

    component_def component(const json& v, const std::string& ptr, component_kind kind)
    {
        if (!v.is_object()) fail(ptr, "expected a mapping with id and className");
        for (const auto& [key, value] : v.items()) {
            static const std::set<std::string> known{"id", "className", "constructorArgs", "parallelism",
                                                     "configMethods"};
            if (!known.contains(key)) fail(ptr + "/" + key, "\"" + key + "\" is not supported by the local runner");
        }
        component_def c;
        c.kind = kind;
        if (!v.contains("id")) fail(ptr, "missing id");
        c.id = string_at(v["id"], ptr + "/id");
        if (!v.contains("className")) fail(ptr, "missing className");
        std::string cls = string_at(v["className"], ptr + "/className");
        std::string_view expected = kind == component_kind::spout ? flux_shell_spout : flux_shell_bolt;
        if (kind == component_kind::bolt && cls == flux_log_bolt) {
            c.log_bolt = true;
        } else if (cls != expected) {
            fail(ptr + "/className", "the local runner runs " + std::string(expected) +
                                         (kind == component_kind::bolt ? " and " + std::string(flux_log_bolt) : "") +
                                         ", not " + cls);
        }
        json args = v.value("constructorArgs", json::array());
        if (!args.is_array()) fail(ptr + "/constructorArgs", "constructorArgs must be a list");
        if (c.log_bolt && !args.empty()) fail(ptr + "/constructorArgs", "LogInfoBolt takes no constructorArgs");
        if (!c.log_bolt) {
            if (args.empty() || args.size() > 2) {
                fail(ptr + "/constructorArgs", "expected [command list] or [command list, output fields list]");
            }
            c.command = strings_at(args[0], ptr + "/constructorArgs/0");
            if (args.size() == 2) c.streams["default"] = strings_at(args[1], ptr + "/constructorArgs/1");
        }
        if (v.contains("parallelism")) {
            const json& p = v["parallelism"];
            if (!p.is_number_integer() || p.get<long>() < 1 || p.get<long>() > 1000) {
                fail(ptr + "/parallelism", "parallelism must be an integer from 1 to 1000");
            }
            c.parallelism = p.get<int>();
        }
        if (v.contains("configMethods")) config_methods(v["configMethods"], ptr + "/configMethods", c);
        return c;
    }

    void config_methods(const json& methods, const std::string& ptr, component_def& c)
    {
        if (!methods.is_array()) fail(ptr, "configMethods must be a list");
        for (std::size_t i = 0; i < methods.size(); ++i) {
            std::string m = ptr + "/" + std::to_string(i);
            if (!methods[i].is_object() || !methods[i].contains("name")) fail(m, "expected name and args");
            std::string name = string_at(methods[i]["name"], m + "/name");
            json args = methods[i].value("args", json::array());
            std::string a = m + "/args";
            if (!args.is_array()) fail(a, "args must be a list");
            auto need = [&](std::size_t n) {
                if (args.size() != n) fail(a, name + " takes " + std::to_string(n) + " argument(s)");
            };
            if (c.log_bolt) fail(m, "LogInfoBolt has no configMethods the local runner knows");
            if (name == "setDefaultStream") {
                need(1);
                c.streams["default"] = strings_at(args[0], a + "/0");
            } else if (name == "setNamedStream") {
                need(2);
                c.streams[string_at(args[0], a + "/0")] = strings_at(args[1], a + "/1");
            } else if (name == "addComponentConfig") {
                need(2);
                c.config[string_at(args[0], a + "/0")] = args[1];
            } else if (name == "setEnv") {
                need(1);
                if (!args[0].is_object()) fail(a + "/0", "setEnv takes a mapping of strings");
                for (const auto& [k, val] : args[0].items()) c.env[k] = string_at(val, a + "/0/" + k);
            } else if (name == "changeChildCWD") {
                need(1);
                if (!args[0].is_boolean()) fail(a + "/0", "changeChildCWD takes true or false");
            } else {
                fail(m + "/name", "configMethod \"" + name + "\" is not one the local runner knows");
            }
        }
    }

    void stream(const json& v, const std::string& ptr, topology_def& t)
    {
        if (!v.is_object()) fail(ptr, "expected a mapping with from, to and grouping");
        for (const auto& [key, value] : v.items()) {
            static const std::set<std::string> known{"name", "id", "from", "to", "grouping"};
            if (!known.contains(key)) fail(ptr + "/" + key, "\"" + key + "\" is not supported by the local runner");
        }
        if (!v.contains("from") || !v.contains("to") || !v.contains("grouping")) {
            fail(ptr, "a stream needs from, to and grouping");
        }
        subscription s;
        s.source = string_at(v["from"], ptr + "/from");
        std::string to = string_at(v["to"], ptr + "/to");
        const component_def* source = t.find(s.source);
        if (!source) fail(ptr + "/from", "no spout or bolt has id \"" + s.source + "\"");
        auto target = std::find_if(t.components.begin(), t.components.end(), [&](auto& c) { return c.id == to; });
        if (target == t.components.end()) fail(ptr + "/to", "no bolt has id \"" + to + "\"");
        if (target->kind != component_kind::bolt) fail(ptr + "/to", "\"" + to + "\" is a spout; streams go to bolts");

        const json& g = v["grouping"];
        std::string gp = ptr + "/grouping";
        if (!g.is_object() || !g.contains("type")) fail(gp, "a grouping needs a type");
        for (const auto& [key, value] : g.items()) {
            if (key != "type" && key != "args" && key != "streamId") {
                fail(gp + "/" + key, "\"" + key + "\" is not supported by the local runner");
            }
        }
        std::string type = string_at(g["type"], gp + "/type");
        auto parsed = grouping_from_name(type);
        if (!parsed) fail(gp + "/type", "grouping " + type + " is not one of SHUFFLE, FIELDS, ALL, GLOBAL, NONE, "
                                        "LOCAL_OR_SHUFFLE, DIRECT");
        s.type = *parsed;
        if (g.contains("streamId")) s.stream = string_at(g["streamId"], gp + "/streamId");
        auto declared = source->streams.find(s.stream);
        if (declared == source->streams.end()) {
            fail(g.contains("streamId") ? gp + "/streamId" : ptr + "/from",
                 "\"" + s.source + "\" declares no stream \"" + s.stream + "\"");
        }
        if (s.type == grouping_type::fields) {
            if (!g.contains("args")) fail(gp, "a FIELDS grouping needs args: [field, ...]");
            s.fields = strings_at(g["args"], gp + "/args");
            if (s.fields.empty()) fail(gp + "/args", "a FIELDS grouping needs at least one field");
            for (std::size_t i = 0; i < s.fields.size(); ++i) {
                const auto& fields = declared->second;
                if (std::find(fields.begin(), fields.end(), s.fields[i]) == fields.end()) {
                    fail(gp + "/args/" + std::to_string(i),
                         "stream \"" + s.stream + "\" of \"" + s.source + "\" has no field \"" + s.fields[i] + "\"");
                }
            }
        } else if (g.contains("args")) {
            fail(gp + "/args", "only a FIELDS grouping takes args");
        }
        target->inputs.push_back(std::move(s));
    }

    const std::function<std::string(const std::string&)>& where_;
};

std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw topology_error(path + ": cannot read the file");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

topology_def flux_topology(const json& document, const std::function<std::string(const std::string&)>& where)
{
    return converter(where).run(document);
}

topology_def parse_flux_yaml(std::string_view text, const std::string& name)
{
    yaml_document doc = parse_yaml_subset(text, name);
    return flux_topology(doc.root, [&](const std::string& pointer) {
        // A key that is missing has no line: name the nearest enclosing node's.
        for (std::string p = pointer;; p = p.substr(0, p.rfind('/'))) {
            if (auto it = doc.lines.find(p); it != doc.lines.end()) return name + ":" + std::to_string(it->second);
            if (p.empty()) return name;
        }
    });
}

topology_def parse_flux_json(std::string_view text, const std::string& name)
{
    std::string error;
    auto doc = parse_bounded_json(text, error);
    if (!doc) throw topology_error(name + ": not valid JSON: " + error);
    return flux_topology(*doc, [&](const std::string& pointer) {
        return name + ": " + (pointer.empty() ? std::string("top level") : pointer);
    });
}

topology_def load_topology_file(const std::string& path)
{
    std::string text = read_file(path);
    if (path.ends_with(".json")) return parse_flux_json(text, path);
    return parse_flux_yaml(text, path);
}

} // namespace kspout::multilang::local
