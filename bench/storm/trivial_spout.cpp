// The floor of the Storm benchmark: a ShellSpout on our multilang library that emits constant
// tuples with ids, kafka-spout's fields and batch, and does nothing on ack or fail.
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
    int batch = 100;
    const std::string value(100, 'x');
    std::int64_t counter = 0;
    std::shared_ptr<spout_session> session;

    spout_session::handlers h;
    h.on_handshake = [&](const handshake& hs) -> std::optional<std::string> {
        batch = hs.conf.value("kafka.spout.batch.size", 100);
        return std::nullopt;
    };
    h.on_next = [&](spout_session::done_callback done) {
        for (int i = 0; i < batch; ++i) {
            emit_message e;
            e.id = "bench:0:" + std::to_string(++counter);
            e.tuple = json::array({"bench", 0, counter, "key", value});
            session->emit(std::move(e));
        }
        done();
    };
    h.on_ack = [](const json&, spout_session::done_callback done) { done(); };
    h.on_fail = [](const json&, spout_session::done_callback done) { done(); };
    h.on_end_of_input = [&] { ioc.stop(); };
    h.on_protocol_error = [&](const std::string& what) {
        std::fprintf(stderr, "trivial_spout: %s\n", what.c_str());
        exit_code = 1;
        ioc.stop();
    };
    session = spout_session::create(ch, h, ::getpid());
    session->start();
    ioc.run();
    return exit_code;
}
