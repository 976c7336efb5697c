// kafka-spout: the executable Storm runs as a ShellSpout. stdout carries multilang messages only.
#include "spout/component_main.hpp"
#include "spout/kafka_spout.hpp"

#include <unistd.h>

int main(int argc, char** argv)
{
    using namespace kspout::spout;
    return run_component(argc, argv, "kafka-spout", [](auto executor, auto channel, auto flags, auto config_file,
                                                       auto pid, auto on_exit) {
        return kafka_spout::create(executor, channel, STDOUT_FILENO, std::move(flags), std::move(config_file), pid,
                                   std::move(on_exit));
    });
}
