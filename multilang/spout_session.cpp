// spout_session: handshake with pid file, the command queue, and unknown commands answered with sync.
#include "multilang/spout_session.hpp"

#include "multilang/session_common.hpp"

#include <boost/asio/post.hpp>

namespace kspout::multilang {

std::shared_ptr<spout_session> spout_session::create(std::shared_ptr<channel> ch, handlers h, std::int64_t pid)
{
    return std::shared_ptr<spout_session>(new spout_session(std::move(ch), std::move(h), pid));
}

spout_session::spout_session(std::shared_ptr<channel> ch, handlers h, std::int64_t pid)
    : channel_(std::move(ch)), handlers_(std::move(h)), pid_(pid)
{
}

void spout_session::start()
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

void spout_session::on_message(std::string text)
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
    if (std::holds_alternative<bolt_tuple>(*parsed.message)) {
        protocol_error("a spout received a bolt tuple: " + text.substr(0, 200));
        return;
    }
    waiting_.push_back(std::move(*parsed.message));
    if (!busy_) run_next_command();
}

void spout_session::on_handshake_message(const std::string& text)
{
    if (auto refusal = accept_handshake(text, pid_, handlers_.on_handshake)) {
        protocol_error(*refusal);
        return;
    }
    handshake_done_ = true;
    channel_->send(to_json_text(pid_message{pid_}));
}

void spout_session::run_next_command()
{
    if (failed_ || waiting_.empty()) return;
    busy_ = true;
    storm_message message = std::move(waiting_.front());
    waiting_.pop_front();
    auto done = [weak = weak_from_this(), called = std::make_shared<bool>(false)] {
        if (*called) return;
        *called = true;
        if (auto self = weak.lock()) self->finish_command();
    };
    if (auto* unknown = std::get_if<unknown_command>(&message)) {
        log("unknown command \"" + unknown->name + "\" from Storm; answered with sync", log_level::warn);
        done();
        return;
    }
    const auto& command = std::get<spout_command>(message);
    auto call = [&](const auto& handler, auto&&... args) {
        if (handler) {
            handler(args..., done);
        } else {
            done();
        }
    };
    switch (command.kind) {
    case spout_command_kind::next: call(handlers_.on_next); break;
    case spout_command_kind::ack: call(handlers_.on_ack, command.id); break;
    case spout_command_kind::fail: call(handlers_.on_fail, command.id); break;
    case spout_command_kind::activate: call(handlers_.on_activate); break;
    case spout_command_kind::deactivate: call(handlers_.on_deactivate); break;
    }
}

void spout_session::finish_command()
{
    if (failed_) return;
    channel_->send(to_json_text(sync_message{}));
    busy_ = false;
    // Later commands run on a fresh stack so a long queue cannot recurse deeply.
    if (!waiting_.empty()) {
        boost::asio::post(channel_->executor(), [weak = weak_from_this()] {
            if (auto self = weak.lock(); self && !self->busy_) self->run_next_command();
        });
    }
}

void spout_session::emit(emit_message message)
{
    if (failed_) return;
    channel_->send(to_json_text(message));
}

void spout_session::log(std::string msg, log_level level)
{
    if (failed_) return;
    channel_->send(to_json_text(log_message{std::move(msg), level}));
}

void spout_session::error(std::string msg)
{
    if (failed_) return;
    channel_->send(to_json_text(error_message{std::move(msg)}));
}

void spout_session::metrics(std::string name, json params)
{
    if (failed_) return;
    channel_->send(to_json_text(metrics_message{std::move(name), std::move(params)}));
}

void spout_session::protocol_error(const std::string& what)
{
    if (failed_) return;
    failed_ = true;
    channel_->stop_reading();
    waiting_.clear();
    if (handlers_.on_protocol_error) handlers_.on_protocol_error(what);
}

} // namespace kspout::multilang
