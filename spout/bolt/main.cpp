// kafka-bolt: the executable Storm runs as a ShellBolt. stdout carries multilang messages only.
#include "spout/bolt/kafka_bolt.hpp"
#include "spout/config_file.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <unistd.h>

int main(int argc, char** argv)
{
    using namespace kspout::spout;
    // A write to a stdout nobody reads must fail with EPIPE rather than kill the process.
    std::signal(SIGPIPE, SIG_IGN);
    std::string error;
    auto startup = read_startup_args(argc, argv, error);
    if (!startup) {
        std::fprintf(stderr, "kafka-bolt: %s\n", error.c_str());
        return 2;
    }

    boost::asio::io_context ioc;
    int exit_code = 0;
    auto channel = kspout::multilang::channel::create(ioc.get_executor(), STDIN_FILENO, STDOUT_FILENO);
    auto bolt = bolt::kafka_bolt::create(ioc.get_executor(), channel, std::move(startup->flags),
                                         std::move(startup->config_file), ::getpid(), [&](int code) {
                                             exit_code = code;
                                             ioc.stop();
                                         });
    // SIGTERM (Storm's Process.destroy, the supervisor's kill) is a clean leave, like stdin EOF.
    boost::asio::signal_set signals(ioc, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec) bolt->stop_on_signal();
    });
    bolt->start();
    ioc.run();
    return exit_code;
}
