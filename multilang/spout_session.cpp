// spout_session: handshake with pid file, the command queue, and unknown commands answered with sync.
#include "multilang/spout_session.hpp"

#include "protocol/text/excerpt.hpp"

#include <boost/asio/post.hpp>

namespace kspout::multilang {

std::shared_ptr<spout_session> spout_session::create(std::shared_ptr<channel> ch, handlers h, std::int64_t pid)
{
    return std::shared_ptr<spout_session>(new spout_session(std::move(ch), std::move(h), pid));
}

spout_session::spout_session(std::shared_ptr<channel> ch, handlers h, std::int64_t pid)
    : core_(std::move(ch), pid), handlers_(std::move(h))
{
}

void spout_session::start()
{
    core_.start(weak_from_this(),
                {.on_handshake = handlers_.on_handshake,
                 .on_message = [this](storm_message&& message, const std::string& text) {
                     on_message(std::move(message), text);
                 },
                 .on_end_of_input = handlers_.on_end_of_input,
                 .on_protocol_error =
                     [this](const std::string& what) {
                         waiting_.clear();
                         if (handlers_.on_protocol_error) handlers_.on_protocol_error(what);
                     }});
}

void spout_session::on_message(storm_message&& message, const std::string& text)
{
    if (std::holds_alternative<bolt_tuple>(message)) {
        core_.protocol_error("a spout received a bolt tuple: " + text::excerpt(text));
        return;
    }
    waiting_.push_back(std::move(message));
    if (!busy_) run_next_command();
}

void spout_session::run_next_command()
{
    if (core_.failed() || waiting_.empty()) return;
    busy_ = true;
    send_held();
    storm_message message = std::move(waiting_.front());
    waiting_.pop_front();
    auto done = [weak = weak_from_this(), called = std::make_shared<bool>(false)] {
        if (*called) return;
        *called = true;
        if (auto self = weak.lock()) self->finish_command();
    };
    if (auto* unknown = std::get_if<unknown_command>(&message)) {
        log("unknown command \"" + text::excerpt(unknown->name, 64) + "\" from Storm; answered with sync", log_level::warn);
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
    if (core_.failed()) return;
    core_.send(sync_message{});
    busy_ = false;
    // Later commands run on a fresh stack so a long queue cannot recurse deeply.
    if (!waiting_.empty()) {
        boost::asio::post(core_.output()->executor(), [weak = weak_from_this()] {
            if (auto self = weak.lock(); self && !self->busy_) self->run_next_command();
        });
    }
}

void spout_session::emit(emit_message message)
{
    core_.send(message);
}

void spout_session::log(std::string msg, log_level level)
{
    send_or_hold(log_message{std::move(msg), level});
}

void spout_session::error(std::string msg)
{
    send_or_hold(error_message{std::move(msg)});
}

void spout_session::send_or_hold(component_message message)
{
    if (busy_) return core_.send(message);
    if (held_.size() < held_messages_cap) {
        held_.push_back(std::move(message));
    } else {
        ++dropped_;
    }
}

void spout_session::send_held()
{
    for (const auto& message : held_) core_.send(message);
    held_.clear();
    if (dropped_ > 0) {
        core_.send(log_message{std::to_string(dropped_) + " more log and error lines written while Storm sent no "
                               "command were dropped",
                               log_level::warn});
        dropped_ = 0;
    }
}

void spout_session::metrics(std::string name, json params)
{
    core_.send(metrics_message{std::move(name), std::move(params)});
}

} // namespace kspout::multilang
