// The rebalance bench's settings and their command line.
#pragma once

#include "tests/support/member_setup.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace kspout::bench {

using testing::member_mode;

// The venv scripts/fetch-python-peers.sh makes, with confluent-kafka (and its own librdkafka).
std::string default_peer_python();

struct settings {
    std::vector<member_mode> modes = {member_mode::zookeeper, member_mode::classic_eager,
                                      member_mode::classic_cooperative, member_mode::kip848};
    std::vector<int> sizes = {2, 3, 5, 9};
    int runs = 3;
    int partitions = 64;
    std::chrono::milliseconds session_timeout{2000};
    std::chrono::milliseconds tick{10};
    bool static_rows = true;
    std::vector<int> scale = {32, 64};
    int scale_partitions = 1024;
    std::chrono::milliseconds scale_tick{200};
    std::vector<int> peer_sizes = {3, 9};
    std::string peer_python = default_peer_python();
};

// Exits 2 with a message naming the option on a bad one.
settings parse_settings(int argc, char** argv);

} // namespace kspout::bench
