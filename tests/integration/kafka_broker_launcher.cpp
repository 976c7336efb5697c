// kspout-kafka-broker: a real Kafka broker (the test fixture) driven over stdin, for the benchmarks.
//
// usage: kspout-kafka-broker [--tls] [--production-jvm] [VERSION]
// --production-jvm runs the broker's JVM as Kafka's start scripts do, not tuned for a quick start.
// Prints "bootstrap HOST:PORT" once the broker answers; with --tls (4.x) then also
// "tls HOST:PORT CA CERT KEY KEY_PASSWORD": a listener asking for a client certificate, and the
// test CA and a client certificate with its encrypted key for it. Then it reads commands, one per line, and
// answers each with "ok" or "error: WHY":
//   topic NAME PARTITIONS [KEY=VALUE]...   creates a topic (replication factor 1) with those configs
//   cpu                                     answers "ok SECONDS": the CPU the broker has used so far
// The broker is stopped, and its files removed, when stdin ends.
#include "tests/integration/kafka_broker.hpp"

#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string run_command(const kspout::testing::kafka_broker& broker, const std::string& line)
{
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    if (words.empty()) return "error: empty command";
    if (words[0] == "cpu" && words.size() == 1) return "ok " + std::to_string(broker.cpu_seconds());
    if (words[0] != "topic" || words.size() < 3) return "error: usage: topic NAME PARTITIONS [KEY=VALUE]... | cpu";
    std::map<std::string, std::string> configs;
    for (std::size_t i = 3; i < words.size(); ++i) {
        auto eq = words[i].find('=');
        if (eq == std::string::npos) return "error: a topic config is KEY=VALUE, not '" + words[i] + "'";
        configs[words[i].substr(0, eq)] = words[i].substr(eq + 1);
    }
    try {
        broker.create_topic(words[1], std::stoi(words[2]), configs);
    } catch (const std::exception& e) {
        std::string why = e.what();
        return "error: " + why.substr(0, why.find('\n'));
    }
    return "ok";
}

} // namespace

int main(int argc, char** argv)
{
    kspout::testing::kafka_broker_options options;
    std::vector<std::string> args(argv + 1, argv + argc);
    while (!args.empty() && (args[0] == "--tls" || args[0] == "--production-jvm")) {
        (args[0] == "--tls" ? options.tls_listeners : options.production_jvm) = true;
        args.erase(args.begin());
    }
    if (args.size() > 1 || (!args.empty() && args[0].starts_with("-"))) {
        std::cerr << "usage: kspout-kafka-broker [--tls] [--production-jvm] [VERSION]\n";
        return 2;
    }
    if (!args.empty()) options.version = args[0];
    try {
        kspout::testing::kafka_broker broker(options);
        std::cout << "bootstrap " << broker.bootstrap() << std::endl;
        if (const auto* certs = broker.certificates()) {
            std::cout << "tls " << broker.tls_bootstrap(kspout::testing::tls_listener::good) << " "
                      << certs->ca.string() << " " << certs->client.certificate.string() << " "
                      << certs->client.key.string() << " " << certs->client_key_password << std::endl;
        }
        for (std::string line; std::getline(std::cin, line);) std::cout << run_command(broker, line) << std::endl;
    } catch (const std::exception& e) {
        std::cerr << "kspout-kafka-broker: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
