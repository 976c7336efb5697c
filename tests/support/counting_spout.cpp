// A tiny spout on spout_session for host-side tests: emits numbered tuples, can misbehave on request.
#include "multilang/spout_session.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <unistd.h>

using namespace kspout::multilang;

int main()
{
    boost::asio::io_context ioc;
    auto ch = channel::create(ioc.get_executor(), STDIN_FILENO, STDOUT_FILENO);
    int exit_code = 0;
    int per_next = 1;
    std::string misbehave; // "ack", "stream", "arity", "silence", "bad_json", "need_ids", "stderr"
    std::int64_t counter = 0;
    std::shared_ptr<spout_session> session;

    spout_session::handlers h;
    h.on_handshake = [&](const handshake& hs) -> std::optional<std::string> {
        per_next = hs.conf.value("test.emit.per.next", 1);
        misbehave = hs.conf.value("test.misbehave", std::string());
        return std::nullopt;
    };
    h.on_next = [&](spout_session::done_callback done) {
        if (misbehave == "silence") return; // never syncs
        if (misbehave == "bad_json") {
            ch->send("{\"command\":");
            return done();
        }
        if (misbehave == "ack") {
            ch->send(R"({"command":"ack","id":"1"})");
            return done();
        }
        if (misbehave == "stderr") std::fprintf(stderr, "diagnostics on stderr\n");
        for (int i = 0; i < per_next; ++i) {
            emit_message e;
            e.id = std::to_string(++counter);
            e.tuple = json::array({counter});
            if (misbehave == "stream") e.stream = "undeclared";
            if (misbehave == "arity") e.tuple.push_back("extra");
            e.need_task_ids = misbehave == "need_ids";
            session->emit(e);
        }
        done();
    };
    h.on_ack = [&](const json& id, spout_session::done_callback done) {
        session->log("acked " + id.dump());
        done();
    };
    h.on_fail = [&](const json& id, spout_session::done_callback done) {
        session->log("failed " + id.dump(), log_level::warn);
        done();
    };
    h.on_end_of_input = [&] { ioc.stop(); };
    h.on_protocol_error = [&](const std::string& what) {
        std::fprintf(stderr, "counting_spout: %s\n", what.c_str());
        exit_code = 1;
        ioc.stop();
    };
    session = spout_session::create(ch, h, ::getpid());
    session->start();
    ioc.run();
    return exit_code;
}
