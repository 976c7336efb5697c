// bench_settings: the rebalance bench's options, parsed.
#include "bench/rebalance/bench_settings.hpp"

#include "tests/integration/kafka_broker.hpp"

#include <cstdlib>
#include <iostream>
#include <sstream>

namespace kspout::bench {

namespace {

std::vector<int> numbers(const std::string& list)
{
    std::vector<int> out;
    std::istringstream in(list);
    for (std::string part; std::getline(in, part, ',');)
        if (!part.empty())
            out.push_back(std::stoi(part));
    return out;
}

void apply(settings& s, const std::string& key, const std::string& value, const std::string& arg)
{
    if (key == "--modes") {
        s.modes.clear();
        std::istringstream in(value);
        for (std::string part; std::getline(in, part, ',');) {
            auto mode = testing::parse_member_mode(part);
            if (!mode) {
                std::cerr << "unknown mode " << part << " (zookeeper, classic, cooperative, kip848)\n";
                std::exit(2);
            }
            s.modes.push_back(*mode);
        }
    } else if (key == "--sizes") {
        s.sizes = numbers(value);
    } else if (key == "--runs") {
        s.runs = std::stoi(value);
    } else if (key == "--partitions") {
        s.partitions = std::stoi(value);
    } else if (key == "--session-timeout-ms") {
        s.session_timeout = std::chrono::milliseconds(std::stoi(value));
    } else if (key == "--tick-ms") {
        s.tick = std::chrono::milliseconds(std::stoi(value));
    } else if (key == "--static") {
        s.static_rows = value != "0";
    } else if (key == "--scale") {
        s.scale = numbers(value);
    } else if (key == "--scale-partitions") {
        s.scale_partitions = std::stoi(value);
    } else if (key == "--peer-sizes") {
        s.peer_sizes = numbers(value);
    } else if (key == "--peer-python") {
        s.peer_python = value;
    } else if (key == "--scale-tick-ms") {
        s.scale_tick = std::chrono::milliseconds(std::stoi(value));
    } else {
        std::cerr << "unknown option " << arg << "\n";
        std::exit(2);
    }
}

} // namespace

std::string default_peer_python()
{
    return (testing::peer_cache_root() / "python-peers" / "bin" / "python").string();
}

settings parse_settings(int argc, char** argv)
{
    settings s;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto eq = arg.find('=');
        std::string key = arg.substr(0, eq);
        std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
        try {
            apply(s, key, value, arg);
        } catch (const std::exception&) { // std::stoi's
            std::cerr << "bad value in " << arg << "\n";
            std::exit(2);
        }
    }
    return s;
}

} // namespace kspout::bench
