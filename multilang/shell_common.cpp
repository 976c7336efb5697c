// context_or_throw, shell_handshake, the emit and metric checks and answer_emit, shared by both hosts.
#include "multilang/shell_common.hpp"

#include "protocol/text/excerpt.hpp"

namespace kspout::multilang {

topology_context context_or_throw(const json& context)
{
    std::string error;
    auto parsed = parse_context(context, error);
    if (!parsed) throw shell_error("bad topology context: " + error);
    return *parsed;
}

std::int64_t shell_handshake(shell_process& process, const std::string& pid_dir, const json& conf,
                             const json& context, std::chrono::milliseconds timeout)
{
    json handshake_message = {{"pidDir", pid_dir}, {"conf", conf}, {"context", context}};
    process.write_message(handshake_message.dump());
    std::string text = process.read_message(timeout);
    auto parsed = parse_component_message(text);
    if (!parsed.message) throw shell_error("bad handshake reply: " + parsed.error);
    const auto* pid = std::get_if<pid_message>(&*parsed.message);
    if (!pid) throw shell_error("handshake reply is not {\"pid\": N}: " + text::excerpt(text));
    return pid->pid;
}

void check_emit(const topology_context& context, const emit_message& emit)
{
    if (emit.tuple.is_null()) throw shell_error("emit without a tuple");
    std::string stream = emit.stream.value_or("default");
    if (context.stream_output_fields.empty()) return; // Storm before 0.10 declares nothing here
    auto it = context.stream_output_fields.find(stream);
    if (it == context.stream_output_fields.end()) throw shell_error("Unknown stream ID: " + stream);
    if (it->second.size() != emit.tuple.size()) {
        throw shell_error("Tuple created with wrong number of fields. Expected " + std::to_string(it->second.size()) +
                          " fields but got " + std::to_string(emit.tuple.size()) + " fields");
    }
}

void check_metric(const std::set<std::string>& registered, const metrics_message& metrics)
{
    if (metrics.name.empty() || !registered.contains(metrics.name)) {
        throw shell_error("metric \"" + metrics.name + "\" is not registered");
    }
}

bool answer_emit(shell_process& process, const shell_options& options, const emit_message& emit)
{
    std::vector<std::int64_t> tasks;
    if (options.on_emit) tasks = options.on_emit(emit);
    if (emit.task || !emit.need_task_ids) return false;
    if (!options.on_emit && options.task_ids_for) tasks = options.task_ids_for(emit);
    process.write_message(json(tasks).dump());
    return true;
}

} // namespace kspout::multilang
