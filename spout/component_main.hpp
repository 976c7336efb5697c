// The main() of kafka-spout and kafka-bolt: startup arguments, the multilang channel on
// stdin/stdout, one io_context, SIGTERM and SIGINT as a clean leave. stdout carries multilang only.
#pragma once

#include "multilang/channel.hpp"
#include "spout/config_file.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <functional>
#include <unistd.h>

namespace kspout::spout {

// make(executor, channel, flags, config_file, pid, on_exit) creates the component, which has
// start() and stop_on_signal(); on_exit(code) ends the run with that exit code.
template <typename Make>
int run_component(int argc, char** argv, const char* name, Make make)
{
    // A write to a stdout nobody reads must fail with EPIPE, so the component can commit (or ack)
    // what it can and leave, rather than kill the process on the spot.
    std::signal(SIGPIPE, SIG_IGN);
    std::string error;
    auto startup = read_startup_args(argc, argv, error);
    if (!startup) {
        std::fprintf(stderr, "%s: %s\n", name, error.c_str());
        return 2;
    }

    boost::asio::io_context ioc;
    int exit_code = 0;
    auto channel = multilang::channel::create(ioc.get_executor(), STDIN_FILENO, STDOUT_FILENO);
    std::function<void(int)> on_exit = [&](int code) {
        exit_code = code;
        ioc.stop();
    };
    auto component = make(ioc.get_executor(), channel, std::move(startup->flags), std::move(startup->config_file),
                          ::getpid(), std::move(on_exit));
    // SIGTERM (Storm's Process.destroy, the supervisor's kill) is a clean leave, like stdin EOF.
    boost::asio::signal_set signals(ioc, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec) component->stop_on_signal();
    });
    component->start();
    ioc.run();
    return exit_code;
}

} // namespace kspout::spout
