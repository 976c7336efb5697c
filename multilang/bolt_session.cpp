// bolt_session: handshake with pid file, tuple dispatch, heartbeat syncs, and the bolt's messages out.
#include "multilang/bolt_session.hpp"

#include "multilang/session_common.hpp"

namespace kspout::multilang {

std::shared_ptr<bolt_session> bolt_session::create(std::shared_ptr<channel> ch, handlers h, std::int64_t pid)
{
    return std::shared_ptr<bolt_session>(new bolt_session(std::move(ch), std::move(h), pid));
}

bolt_session::bolt_session(std::shared_ptr<channel> ch, handlers h, std::int64_t pid)
    : channel_(std::move(ch)), handlers_(std::move(h)), pid_(pid)
{
}

void bolt_session::start()
{
    channel_->start(
        [weak = weak_from_this()](std::string text) {
            if (auto self = weak.lock()) self->on_message(std::move(text));
        },
        [weak = weak_from_this()](std::error_code ec, std::string_view unfinished) {
            auto self = weak.lock();
            if (!self || self->failed_) return;
            if (auto error = input_closed_error(ec, unfinished)) {
                self->protocol_error(*error);
            } else if (self->handlers_.on_end_of_input) {
                self->handlers_.on_end_of_input();
            }
        });
}

void bolt_session::on_message(std::string text)
{
    if (failed_) return;
    if (!handshake_done_) {
        on_handshake_message(text);
        return;
    }
    parse_result parsed = parse_storm_message(text);
    if (!parsed.message) {
        protocol_error(parsed.error);
        return;
    }
    if (std::holds_alternative<task_ids>(*parsed.message)) return; // answers to need_task_ids; unused
    auto* tuple = std::get_if<bolt_tuple>(&*parsed.message);
    if (!tuple) {
        protocol_error("a bolt received a command: " + text.substr(0, 200));
        return;
    }
    if (tuple->is_heartbeat()) {
        ++heartbeats_;
        send(sync_message{});
        return;
    }
    if (handlers_.on_tuple) handlers_.on_tuple(*tuple, *this);
}

void bolt_session::on_handshake_message(const std::string& text)
{
    if (auto refusal = accept_handshake(text, pid_, handlers_.on_handshake)) {
        protocol_error(*refusal);
        return;
    }
    handshake_done_ = true;
    send(pid_message{pid_});
}

void bolt_session::emit(std::vector<std::string> anchors, std::string stream, json tuple)
{
    emit_message message;
    if (!stream.empty()) message.stream = std::move(stream);
    message.tuple = std::move(tuple);
    message.anchors = std::move(anchors);
    message.need_task_ids = false;
    send(message);
}

void bolt_session::ack(std::string id)
{
    send(ack_message{std::move(id)});
}

void bolt_session::fail(std::string id)
{
    send(fail_message{std::move(id)});
}

void bolt_session::log(std::string msg, log_level level)
{
    send(log_message{std::move(msg), level});
}

void bolt_session::error(std::string msg)
{
    send(error_message{std::move(msg)});
}

void bolt_session::metrics(std::string name, json params)
{
    send(metrics_message{std::move(name), std::move(params)});
}

void bolt_session::send(const component_message& message)
{
    if (failed_) return;
    channel_->send(to_json_text(message));
}

void bolt_session::protocol_error(const std::string& what)
{
    if (failed_) return;
    failed_ = true;
    channel_->stop_reading();
    if (handlers_.on_protocol_error) handlers_.on_protocol_error(what);
}

} // namespace kspout::multilang
