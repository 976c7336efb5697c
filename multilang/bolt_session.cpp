// bolt_session: handshake with pid file, tuple dispatch, heartbeat syncs, and the bolt's messages out.
#include "multilang/bolt_session.hpp"

#include "protocol/text/excerpt.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <unistd.h>

namespace kspout::multilang {

std::shared_ptr<bolt_session> bolt_session::create(std::shared_ptr<channel> ch, handlers h, std::int64_t pid)
{
    return std::shared_ptr<bolt_session>(new bolt_session(std::move(ch), std::move(h), pid));
}

bolt_session::bolt_session(std::shared_ptr<channel> ch, handlers h, std::int64_t pid)
    : core_(std::move(ch), pid), handlers_(std::move(h))
{
}

void bolt_session::start()
{
    core_.start(weak_from_this(), {.on_handshake = handlers_.on_handshake,
                                   .on_message = [this](storm_message&& message, const std::string& text) {
                                       on_message(std::move(message), text);
                                   },
                                   .on_end_of_input = handlers_.on_end_of_input,
                                   .on_protocol_error = handlers_.on_protocol_error});
}

void bolt_session::on_message(storm_message&& message, const std::string& text)
{
    auto* tuple = std::get_if<bolt_tuple>(&message);
    if (!tuple) {
        core_.protocol_error("a bolt received a command: " + text::excerpt(text));
        return;
    }
    if (tuple->is_heartbeat()) {
        ++heartbeats_;
        core_.send(sync_message{});
        if (handlers_.on_heartbeat) handlers_.on_heartbeat();
        return;
    }
    if (handlers_.on_tuple) handlers_.on_tuple(*tuple, *this);
}

void bolt_session::emit(std::vector<std::string> anchors, std::string stream, json tuple)
{
    emit_message message;
    if (!stream.empty()) message.stream = std::move(stream);
    message.tuple = std::move(tuple);
    message.anchors = std::move(anchors);
    message.need_task_ids = false;
    core_.send(message);
}

void bolt_session::ack(std::string id)
{
    core_.send(ack_message{std::move(id)});
}

void bolt_session::fail(std::string id)
{
    core_.send(fail_message{std::move(id)});
}

void bolt_session::log(std::string msg, log_level level)
{
    core_.send(log_message{std::move(msg), level});
}

void bolt_session::error(std::string msg)
{
    core_.send(error_message{std::move(msg)});
}

void bolt_session::metrics(std::string name, json params)
{
    core_.send(metrics_message{std::move(name), std::move(params)});
}

int run_bolt(bolt_session::handlers h, const std::string& name)
{
    boost::asio::io_context ioc;
    int exit_code = 0;
    h.on_end_of_input = [&ioc, then = std::move(h.on_end_of_input)] {
        if (then) then();
        ioc.stop();
    };
    h.on_protocol_error = [&, then = std::move(h.on_protocol_error)](const std::string& what) {
        if (then) then(what);
        std::fprintf(stderr, "%s: %s\n", name.c_str(), what.c_str());
        exit_code = 1;
        ioc.stop();
    };
    auto session = bolt_session::create(channel::create(ioc.get_executor(), STDIN_FILENO, STDOUT_FILENO),
                                        std::move(h), ::getpid());
    session->start();
    ioc.run();
    return exit_code;
}

} // namespace kspout::multilang
