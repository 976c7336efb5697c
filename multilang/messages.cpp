// Parsing of Storm's commands and components' messages; serialization of our own messages.
#include "multilang/messages.hpp"

#include "multilang/bounded_json.hpp"
#include "multilang/describe.hpp"
#include "protocol/text/excerpt.hpp"
#include "protocol/text/utf8.hpp"

namespace kspout::multilang {
namespace {

std::optional<spout_command_kind> spout_kind(std::string_view name)
{
    if (name == "next") return spout_command_kind::next;
    if (name == "ack") return spout_command_kind::ack;
    if (name == "fail") return spout_command_kind::fail;
    if (name == "activate") return spout_command_kind::activate;
    if (name == "deactivate") return spout_command_kind::deactivate;
    return std::nullopt;
}

json parse_json(std::string_view text, std::string& error)
{
    auto value = parse_bounded_json(text, error);
    return value ? std::move(*value) : json();
}

} // namespace

std::string_view command_name(spout_command_kind kind)
{
    switch (kind) {
    case spout_command_kind::next: return "next";
    case spout_command_kind::ack: return "ack";
    case spout_command_kind::fail: return "fail";
    case spout_command_kind::activate: return "activate";
    case spout_command_kind::deactivate: return "deactivate";
    }
    return "next";
}

parse_result parse_storm_message(std::string_view text)
{
    parse_result out;
    json value = parse_json(text, out.error);
    if (!out.error.empty()) return out;
    if (value.is_array()) {
        task_ids ids;
        for (const auto& v : value) {
            if (!v.is_number_integer()) {
                out.error = "task id array holds a non-integer: " + describe(v);
                return out;
            }
            ids.ids.push_back(v.get<std::int64_t>());
        }
        out.message = std::move(ids);
        return out;
    }
    if (!value.is_object()) {
        out.error = "message is not a JSON object: " + text::excerpt(text);
        return out;
    }
    if (value.contains("tuple") && value.contains("stream") && !value.contains("command")) {
        bolt_tuple t;
        const json& id = value["id"];
        const json& comp = value.value("comp", json());
        const json& stream = value["stream"];
        const json& task = value.value("task", json(0));
        if (!id.is_string() || !stream.is_string() || !task.is_number_integer() || !value["tuple"].is_array() ||
            !(comp.is_null() || comp.is_string())) {
            out.error = "malformed tuple: " + text::excerpt(text);
            return out;
        }
        t.id = id.get<std::string>();
        if (comp.is_string()) t.component = comp.get<std::string>();
        t.stream = stream.get<std::string>();
        t.task = task.get<std::int64_t>();
        t.values = std::move(value["tuple"]);
        out.message = std::move(t);
        return out;
    }
    auto command = value.find("command");
    if (command == value.end() || !command->is_string()) {
        out.error = "message has no string \"command\": " + text::excerpt(text);
        return out;
    }
    std::string name = command->get<std::string>();
    json id = value.contains("id") ? std::move(value["id"]) : json();
    if (auto kind = spout_kind(name)) {
        if (!value.contains("id")) {
            out.error = "command \"" + name + "\" has no \"id\"";
            return out;
        }
        out.message = spout_command{*kind, std::move(id)};
        return out;
    }
    out.message = unknown_command{std::move(name), std::move(id)};
    return out;
}

std::optional<handshake> parse_handshake(std::string_view text, std::string& error)
{
    json value = parse_json(text, error);
    if (!error.empty()) return std::nullopt;
    if (!value.is_object()) {
        error = "handshake is not a JSON object";
        return std::nullopt;
    }
    handshake h;
    auto pid_dir = value.find("pidDir");
    if (pid_dir == value.end() || !pid_dir->is_string()) {
        error = "handshake has no string \"pidDir\"";
        return std::nullopt;
    }
    h.pid_dir = pid_dir->get<std::string>();
    if (auto conf = value.find("conf"); conf != value.end()) {
        if (!conf->is_object() && !conf->is_null()) {
            error = "handshake \"conf\" is not an object";
            return std::nullopt;
        }
        if (conf->is_object()) h.conf = std::move(*conf);
    }
    if (auto context = value.find("context"); context != value.end()) {
        if (!context->is_object() && !context->is_null()) {
            error = "handshake \"context\" is not an object";
            return std::nullopt;
        }
        if (context->is_object()) h.context = std::move(*context);
    }
    return h;
}

namespace {

std::string strict_dump(const json& value)
{
    return value.dump(-1, ' ', false, json::error_handler_t::strict);
}

// Log and error texts may quote what a broker or a file said: repaired, so the strict dump cannot
// throw on them.
std::string as_text(const std::string& text)
{
    return text::is_valid_utf8(text) ? text : text::replace_invalid_utf8(text);
}

} // namespace

// Emits are the hot path: written field by field, so the tuple is serialized without a copy.
std::string to_json_text(const emit_message& m)
{
    std::string out = R"({"command":"emit")";
    if (m.id) out.append(R"(,"id":)").append(strict_dump(*m.id));
    if (m.stream) out.append(R"(,"stream":)").append(strict_dump(*m.stream));
    if (!m.anchors.empty()) out.append(R"(,"anchors":)").append(strict_dump(m.anchors));
    if (m.task) out.append(R"(,"task":)").append(std::to_string(*m.task));
    out.append(R"(,"tuple":)").append(strict_dump(m.tuple));
    out.append(m.need_task_ids ? R"(,"need_task_ids":true})" : R"(,"need_task_ids":false})");
    return out;
}

std::string to_json_text(const component_message& message)
{
    if (const auto* emit = std::get_if<emit_message>(&message)) return to_json_text(*emit);
    if (std::holds_alternative<sync_message>(message)) return R"({"command":"sync"})";
    json out = std::visit(
        [](const auto& m) -> json {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, log_message>) {
                return {{"command", "log"}, {"msg", as_text(m.msg)}, {"level", static_cast<int>(m.level)}};
            } else if constexpr (std::is_same_v<T, error_message>) {
                return {{"command", "error"}, {"msg", as_text(m.msg)}};
            } else if constexpr (std::is_same_v<T, metrics_message>) {
                return {{"command", "metrics"}, {"name", m.name}, {"params", m.params}};
            } else if constexpr (std::is_same_v<T, pid_message>) {
                return {{"pid", m.pid}};
            } else if constexpr (std::is_same_v<T, ack_message>) {
                return {{"command", "ack"}, {"id", m.id}};
            } else if constexpr (std::is_same_v<T, fail_message>) {
                return {{"command", "fail"}, {"id", m.id}};
            } else {
                return json(); // emit and sync are written above
            }
        },
        message);
    return strict_dump(out);
}

component_parse_result parse_component_message(std::string_view text)
{
    component_parse_result out;
    json value = parse_json(text, out.error);
    if (!out.error.empty()) return out;
    if (!value.is_object()) {
        out.error = "message is not a JSON object";
        return out;
    }
    auto command = value.find("command");
    if (command == value.end()) {
        // Only the handshake reply has no command.
        auto pid = value.find("pid");
        if (pid != value.end() && !pid->is_number_integer()) {
            out.error = "\"pid\" is not a number";
            return out;
        }
        out.message = pid_message{pid == value.end() ? -1 : pid->get<std::int64_t>()};
        return out;
    }
    if (!command->is_string()) {
        out.error = "\"command\" is not a string";
        return out;
    }
    // Storm reads every field of every message, so a wrong type fails any command.
    const json msg = value.value("msg", json());
    const json stream = value.value("stream", json());
    const json task = value.value("task", json());
    const json need = value.value("need_task_ids", json());
    const json tuple = value.value("tuple", json());
    const json anchors = value.value("anchors", json());
    if (!msg.is_null() && !msg.is_string()) out.error = "\"msg\" is not a string";
    if (!stream.is_null() && !stream.is_string()) out.error = "\"stream\" is not a string";
    if (!task.is_null() && !task.is_number_integer()) out.error = "\"task\" is not an integer";
    if (!need.is_null() && !need.is_boolean()) out.error = "\"need_task_ids\" is not a boolean";
    if (!tuple.is_null() && !tuple.is_array()) out.error = "\"tuple\" is not an array";
    if (!anchors.is_null() && !anchors.is_string() && !anchors.is_array()) out.error = "\"anchors\" is not a list";
    if (!out.error.empty()) return out;

    std::string name = command->get<std::string>();
    if (name == "sync") {
        out.message = sync_message{};
    } else if (name == "emit") {
        emit_message e;
        e.stream = stream.is_string() ? stream.get<std::string>() : "default";
        e.tuple = tuple;
        const json id = value.value("id", json());
        if (!id.is_null()) e.id = id.is_string() ? id.get<std::string>() : id.dump();
        if (anchors.is_string()) e.anchors.push_back(anchors.get<std::string>());
        if (anchors.is_array()) {
            for (const auto& a : anchors) {
                if (!a.is_string()) {
                    out.error = "\"anchors\" holds a non-string";
                    return out;
                }
                e.anchors.push_back(a.get<std::string>());
            }
        }
        if (task.is_number_integer() && task.get<std::int64_t>() != 0) e.task = task.get<std::int64_t>();
        e.need_task_ids = need.is_boolean() ? need.get<bool>() : true;
        out.message = std::move(e);
    } else if (name == "log") {
        const json level = value.value("level", json());
        int l = level.is_number_integer() ? level.get<int>() : 2;
        out.message = log_message{msg.is_string() ? msg.get<std::string>() : "",
                                  static_cast<log_level>(l >= 0 && l <= 4 ? l : 2)};
    } else if (name == "error") {
        out.message = error_message{msg.is_string() ? msg.get<std::string>() : ""};
    } else if (name == "metrics") {
        const json metric = value.value("name", json());
        out.message = metrics_message{metric.is_string() ? metric.get<std::string>() : "", value.value("params", json())};
    } else if (name == "ack" || name == "fail") {
        const json id = value.value("id", json());
        std::string text_id = id.is_string() ? id.get<std::string>() : id.dump();
        if (name == "ack") {
            out.message = ack_message{text_id};
        } else {
            out.message = fail_message{text_id};
        }
    } else {
        out.error = "Unknown command received: " + name;
    }
    return out;
}

} // namespace kspout::multilang
