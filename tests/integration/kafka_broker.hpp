// Test fixture: a real Apache Kafka broker (jars fetched by scripts/fetch-peers.sh) on free loopback ports.
#pragma once

#include "protocol/io/cluster.hpp"
#include "tests/integration/temp_dir.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace kspout::testing {

// The broker could not be started or did not answer, or its jars or Java are missing.
class kafka_broker_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The version the real-kafka tests run unless KSPOUT_KAFKA_VERSION names another fetched one.
inline constexpr std::string_view default_kafka_version = "4.4.0";

struct kafka_broker_options {
    std::string version;                  // empty: KSPOUT_KAFKA_VERSION, else default_kafka_version
    std::string java;                     // empty: JAVA_HOME or PATH
    bool auto_create_topics = false;
    int default_partitions = 1;
    std::map<std::string, std::string> properties; // extra server.properties entries, winning over ours
};

// One broker in a JVM of its own, with its log dir in a private temporary directory removed with
// the fixture. Kafka 4 and later run in KRaft combined mode (broker and controller in one node);
// older versions run in ZooKeeper mode against a private zookeeper_server the fixture starts.
// The constructor returns once the broker answers Metadata listing itself.
class kafka_broker {
public:
    explicit kafka_broker(kafka_broker_options options = {}); // throws kafka_broker_error
    ~kafka_broker(); // SIGTERM, then SIGKILL after a bounded wait
    kafka_broker(const kafka_broker&) = delete;
    kafka_broker& operator=(const kafka_broker&) = delete;

    // "127.0.0.1:<port>" of the PLAINTEXT listener.
    const std::string& bootstrap() const { return bootstrap_; }
    const std::string& version() const { return version_; }
    bool kraft() const { return kraft_; }
    // From spawning the JVM (after formatting the log dir) to the first Metadata answer.
    std::chrono::milliseconds start_time() const { return start_time_; }

    // Creates a topic with replication factor 1 and returns once its leaders are known: with
    // kafka-python's admin client (CreateTopics), or before 0.10.1 with Kafka's TopicCommand over
    // ZooKeeper. Throws kafka_broker_error with the tool's output on failure.
    void create_topic(std::string_view name, int partitions,
                      const std::map<std::string, std::string>& configs = {}) const;

    void stop(); // idempotent
    // What the JVM printed (stdout and stderr, warnings and up), for failure messages.
    std::string log() const;

private:
    void write_config();
    void format_storage(const std::string& java, const std::filesystem::path& libs);
    void wait_until_ready();
    void wait_for_leaders(std::string_view topic, int partitions) const;
    io::cluster_options client_options() const; // our client, with short timeouts, for this broker

    kafka_broker_options options_;
    std::string version_;
    std::string java_;
    bool kraft_ = true;
    temp_dir root_;
    std::unique_ptr<zookeeper_server> zookeeper_;
    std::uint16_t port_ = 0;
    std::uint16_t controller_port_ = 0;
    std::string bootstrap_;
    pid_t pid_ = -1;
    std::chrono::milliseconds start_time_{0};
};

// The folder of a fetched version's jars. Throws kafka_broker_error telling to run
// scripts/install-deps.sh when they are not there.
std::filesystem::path kafka_libs(std::string_view version);

// The broker every test of one test binary shares: started on first use, stopped when the binary
// exits (a GoogleTest environment). Throws kafka_broker_error when it cannot start.
kafka_broker& shared_kafka_broker();

} // namespace kspout::testing
