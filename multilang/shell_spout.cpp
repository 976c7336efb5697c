// shell_spout: Storm's ShellSpout command loop and the JsonSerializer/TupleImpl checks it runs.
#include "multilang/shell_spout.hpp"

#include "multilang/shell_common.hpp"
#include "protocol/text/excerpt.hpp"

namespace kspout::multilang {

shell_spout::shell_spout(const shell_command& command, shell_spout_options options)
    : options_(std::move(options)), process_(command)
{
    context_ = context_or_throw(options_.context);
}

std::int64_t shell_spout::open()
{
    return shell_handshake(process_, options_.pid_dir, options_.conf, options_.context, options_.handshake_timeout);
}

spout_reply shell_spout::send_command(const std::string& name, const json& id)
{
    process_.write_message(json{{"command", name}, {"id", id}}.dump());
    if (options_.on_stderr) {
        if (auto err = process_.drain_stderr(); !err.empty()) options_.on_stderr(err);
    }
    spout_reply reply;
    for (;;) {
        // Each message restarts the clock, as Storm's heartbeat check does.
        std::string text = process_.read_message(options_.timeout);
        auto parsed = parse_component_message(text);
        if (!parsed.message) throw shell_error(parsed.error);
        auto& message = *parsed.message;
        if (std::holds_alternative<sync_message>(message)) return reply;
        if (auto* emit = std::get_if<emit_message>(&message)) {
            check_emit(context_, *emit);
            answer_emit(process_, options_, *emit);
            reply.emits.push_back(std::move(*emit));
        } else if (take_diagnostic(message, reply, options_.registered_metrics)) {
            continue;
        } else if (std::holds_alternative<pid_message>(message)) {
            throw shell_error("message without a command: " + text::excerpt(text));
        } else if (std::holds_alternative<ack_message>(message)) {
            throw shell_error("Unknown command received: ack");
        } else {
            throw shell_error("Unknown command received: fail");
        }
    }
}

} // namespace kspout::multilang
