// kafka-spout: the executable Storm runs as a ShellSpout. stdout carries multilang messages only.
#include "spout/config_file.hpp"
#include "spout/kafka_spout.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <unistd.h>

int main(int argc, char** argv)
{
    using namespace kspout::spout;
    // A write to a stdout nobody reads must fail with EPIPE, so the spout can commit and leave,
    // rather than kill the process on the spot.
    std::signal(SIGPIPE, SIG_IGN);
    std::string error;
    auto startup = read_startup_args(argc, argv, error);
    if (!startup) {
        std::fprintf(stderr, "kafka-spout: %s\n", error.c_str());
        return 2;
    }

    boost::asio::io_context ioc;
    int exit_code = 0;
    auto channel = kspout::multilang::channel::create(ioc.get_executor(), STDIN_FILENO, STDOUT_FILENO);
    auto spout = kafka_spout::create(ioc.get_executor(), channel, STDOUT_FILENO, std::move(startup->flags),
                                     std::move(startup->config_file), ::getpid(),
                                     [&](int code) {
                                         exit_code = code;
                                         ioc.stop();
                                     });
    // SIGTERM (Storm's Process.destroy, the supervisor's kill) is a clean leave, like stdin EOF.
    boost::asio::signal_set signals(ioc, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec) spout->stop_on_signal();
    });
    spout->start();
    ioc.run();
    return exit_code;
}
