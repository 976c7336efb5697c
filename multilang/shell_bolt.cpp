// shell_bolt: Storm's ShellBolt message handling, pending-id checks and JsonSerializer checks.
#include "multilang/shell_bolt.hpp"

#include "multilang/shell_common.hpp"
#include "protocol/text/excerpt.hpp"

namespace kspout::multilang {
namespace {

constexpr std::string_view unknown_prefix = "Unknown command received: ";

json tuple_json(const bolt_tuple& t)
{
    return {{"id", t.id},
            {"comp", t.component ? json(*t.component) : json()},
            {"stream", t.stream},
            {"task", t.task},
            {"tuple", t.values}};
}

} // namespace

shell_bolt::shell_bolt(const shell_command& command, shell_bolt_options options)
    : options_(std::move(options)), process_(command)
{
    context_ = context_or_throw(options_.context);
}

std::int64_t shell_bolt::open()
{
    return shell_handshake(process_, options_.pid_dir, options_.conf, options_.context, options_.handshake_timeout);
}

std::string shell_bolt::random_id()
{
    return std::to_string(static_cast<std::int64_t>(random_()));
}

std::string shell_bolt::execute(bolt_tuple input)
{
    if (input.id.empty()) input.id = random_id();
    std::string id = input.id;
    process_.write_message(tuple_json(input).dump());
    pending_[id] = std::move(input);
    after_write();
    return id;
}

void shell_bolt::send_heartbeat()
{
    bolt_tuple beat;
    beat.id = random_id();
    beat.stream = "__heartbeat";
    beat.task = -1;
    process_.write_message(tuple_json(beat).dump());
    after_write();
}

void shell_bolt::after_write()
{
    if (!options_.on_stderr) return;
    if (auto err = process_.drain_stderr(); !err.empty()) options_.on_stderr(err);
}

bolt_output shell_bolt::read_until(const std::function<bool(const bolt_output&)>& done)
{
    bolt_output output;
    while (!done(output)) {
        std::string text;
        try {
            text = process_.read_message(options_.timeout);
        } catch (const shell_error& e) {
            // ShellBolt's timer sees silence whether or not anything is pending.
            if (std::string_view(e.what()).find("sent nothing within") != std::string_view::npos) {
                throw shell_error(std::string("subprocess heartbeat timeout: ") + e.what());
            }
            throw;
        }
        apply(text, output);
    }
    return output;
}

bolt_output shell_bolt::read_available()
{
    bolt_output output;
    while (auto text = process_.try_read_message(std::chrono::milliseconds(0))) apply(*text, output);
    return output;
}

bolt_output shell_bolt::process_tuple(bolt_tuple input)
{
    std::string id = execute(std::move(input));
    return read_until([&](const bolt_output&) { return !is_pending(id); });
}

bolt_output shell_bolt::read_for(std::chrono::milliseconds period)
{
    bolt_output output;
    const auto until = std::chrono::steady_clock::now() + period;
    for (auto now = std::chrono::steady_clock::now(); now < until; now = std::chrono::steady_clock::now()) {
        auto text = process_.try_read_message(std::chrono::duration_cast<std::chrono::milliseconds>(until - now));
        if (!text) break;
        apply(*text, output);
    }
    return output;
}

bolt_output shell_bolt::heartbeat()
{
    send_heartbeat();
    return read_until([](const bolt_output& out) { return out.syncs > 0; });
}

void shell_bolt::apply(const std::string& text, bolt_output& output)
{
    auto parsed = parse_component_message(text);
    ++output.messages;
    if (!parsed.message) {
        // messages.cpp reports an unknown name only after every field passed its type check,
        // which is the point where ShellBolt (unlike ShellSpout) ignores the message.
        if (parsed.error.starts_with(unknown_prefix)) {
            output.ignored.push_back(parsed.error.substr(unknown_prefix.size()));
            return;
        }
        throw shell_error(parsed.error);
    }
    auto& message = *parsed.message;
    if (std::holds_alternative<sync_message>(message)) {
        ++output.syncs;
    } else if (auto* emit = std::get_if<emit_message>(&message)) {
        for (const auto& anchor : emit->anchors) {
            if (!pending_.contains(anchor)) throw shell_error("Anchored onto " + anchor + " after ack/fail");
        }
        check_emit(context_, *emit);
        if (answer_emit(process_, options_, *emit)) after_write();
        output.emits.push_back(std::move(*emit));
    } else if (auto* ack = std::get_if<ack_message>(&message)) {
        if (pending_.erase(ack->id) == 0) {
            throw shell_error("Acked a non-existent or already acked/failed id: " + ack->id);
        }
        output.acked.push_back(std::move(ack->id));
    } else if (auto* fail = std::get_if<fail_message>(&message)) {
        if (pending_.erase(fail->id) == 0) {
            throw shell_error("Failed a non-existent or already acked/failed id: " + fail->id);
        }
        output.failed.push_back(std::move(fail->id));
    } else if (!take_diagnostic(message, output, options_.registered_metrics)) {
        throw shell_error("Command not found in bolt message: " + text::excerpt(text));
    }
}

} // namespace kspout::multilang
