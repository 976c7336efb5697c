// kafka-bolt: the executable Storm runs as a ShellBolt. stdout carries multilang messages only.
#include "spout/bolt/kafka_bolt.hpp"
#include "spout/component_main.hpp"

int main(int argc, char** argv)
{
    using namespace kspout::spout;
    return run_component(argc, argv, "kafka-bolt", [](auto executor, auto channel, auto flags, auto config_file,
                                                      auto pid, auto on_exit) {
        return bolt::kafka_bolt::create(executor, channel, std::move(flags), std::move(config_file), pid,
                                        std::move(on_exit));
    });
}
