// Test fixture: a real Apache Kafka broker (jars fetched by scripts/fetch-peers.sh) on free loopback ports.
#pragma once

#include "protocol/io/cluster.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/temp_dir.hpp"
#include "tests/integration/tls_certificates.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace kspout::testing {

// The broker could not be started or did not answer, or its jars or Java are missing.
class kafka_broker_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Where scripts/fetch-*.sh keep the fetched peers (broker jars, the Python peers' venv):
// $KSPOUT_CACHE, else $HOME/.cache/kafka-spout.
std::filesystem::path peer_cache_root();

// The version the real-kafka tests run unless KSPOUT_KAFKA_VERSION names another fetched one.
inline constexpr std::string_view default_kafka_version = "4.4.0";

struct kafka_broker_options {
    std::string version;                  // empty: KSPOUT_KAFKA_VERSION, else default_kafka_version
    std::string java;                     // empty: JAVA_HOME or PATH
    bool auto_create_topics = false;
    int default_partitions = 1;
    std::map<std::string, std::string> properties; // extra server.properties entries, winning over ours
    // KRaft only: TLS listeners beside PLAINTEXT, with certificates made at start (see tls_listener).
    bool tls_listeners = false;
    // SASL_PLAINTEXT listeners, and with tls_listeners a SASL_SSL one, for the user sasl_user with
    // sasl_password, by PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, and for unsecured OAUTHBEARER
    // tokens (alg "none") with a sub and an exp (see sasl_listener). Before 4.0 (ZooKeeper mode,
    // from 0.10): the plaintext one only, with PLAIN, and SCRAM from 0.10.2.
    bool sasl_listeners = false;
    // The JVM as Kafka's start scripts run it (the full JIT, G1) rather than tuned for a quick
    // start: for benchmarks, where the broker's own CPU is part of what is measured.
    bool production_jvm = false;
};

inline constexpr std::string_view sasl_user = "kspout-alice";
inline constexpr std::string_view sasl_password = "kspout-alice-sasl-secret";

enum class sasl_listener {
    plaintext,      // SASL_PLAINTEXT, with OAUTHBEARER too on 4.x
    tls,            // 4.x: SASL_SSL with the broker certificate, no client certificate asked for; no SCRAM-SHA-256
    short_sessions, // 4.x: SASL_PLAINTEXT like `plaintext`, but sessions last short_sasl_session (KIP-368)
};

// How long a session on the short_sessions listener lasts before the client must log in again
// (the broker's connections.max.reauth.ms there).
inline constexpr std::chrono::milliseconds short_sasl_session{3000};

// The TLS listeners of a broker started with tls_listeners, each requiring a client certificate
// signed by the test CA.
enum class tls_listener {
    good,       // the broker certificate for 127.0.0.1 and localhost
    expired,    // an expired certificate for the same names
    other_name, // a certificate for other.example only
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
    // "127.0.0.1:<port>" of a TLS listener (tls_listeners only).
    std::string tls_bootstrap(tls_listener which) const;
    // "127.0.0.1:<port>" of a SASL listener (sasl_listeners only).
    std::string sasl_bootstrap(sasl_listener which) const;
    // The certificates the TLS listeners use; null without tls_listeners.
    const tls_certificates* certificates() const { return certificates_.get(); }
    const std::string& version() const { return version_; }
    bool kraft() const { return kraft_; }
    // In ZooKeeper mode, the connect string of the broker's ZooKeeper with its chroot; empty for KRaft.
    std::string zookeeper_connect() const;
    // From spawning the JVM (after formatting the log dir) to the first Metadata answer.
    std::chrono::milliseconds start_time() const { return start_time_; }

    // Creates a topic with replication factor 1 and returns once its leaders are known: with
    // kafka-python's admin client (CreateTopics), or before 0.10.1 with Kafka's TopicCommand over
    // ZooKeeper. Throws kafka_broker_error with the tool's output on failure.
    void create_topic(std::string_view name, int partitions,
                      const std::map<std::string, std::string>& configs = {}) const;

    // Grows a topic to `total` partitions (CreatePartitions, Kafka 1.0 or later) and returns once
    // every partition has a leader. Throws kafka_broker_error with the tool's output on failure.
    void add_partitions(std::string_view name, int total) const;

    // Our client's settings for this broker: short timeouts, and before 0.10 the version table
    // it assumes for a broker that does not answer ApiVersions.
    io::cluster_options client_options() const;

    void stop(); // idempotent
    // What the JVM printed (stdout and stderr, warnings and up), for failure messages.
    std::string log() const;
    // User and system CPU the broker's JVM has used so far: a benchmark shows what each client's
    // traffic costs the broker.
    double cpu_seconds() const;

private:
    void write_config();
    std::filesystem::path jaas_file() const; // empty: none
    void add_scram_user_over_zookeeper() const;
    void format_storage(const std::string& java, const std::filesystem::path& libs);
    void wait_until_ready();
    void wait_for_leaders(std::string_view topic, int partitions) const;
    process_result run_topic_command(std::string_view name, int partitions,
                                      const std::map<std::string, std::string>& configs) const;

    kafka_broker_options options_;
    std::string version_;
    std::string java_;
    bool kraft_ = true;
    temp_dir root_;
    std::unique_ptr<zookeeper_server> zookeeper_;
    std::uint16_t port_ = 0;
    std::uint16_t controller_port_ = 0;
    std::map<tls_listener, std::uint16_t> tls_ports_;
    std::map<sasl_listener, std::uint16_t> sasl_ports_;
    std::unique_ptr<tls_certificates> certificates_;
    std::string bootstrap_;
    pid_t pid_ = -1;
    std::chrono::milliseconds start_time_{0};
};

struct kafka_cluster_options {
    std::string version; // empty: as kafka_broker; must be 4.x (KRaft)
    std::string java;    // empty: JAVA_HOME or PATH
    int nodes = 3;
    std::map<std::string, std::string> properties; // extra server.properties entries, winning over ours
};

// Several KRaft nodes, each broker and controller (a quorum of all of them), each in a JVM of its
// own with a private log dir, so that a node can be SIGKILLed, shut down cleanly and started again
// while the others keep the quorum. Replicated topics default to replication factor 3 and
// min.insync.replicas 2; a fenced broker loses its leaderships after about 3 s. Node ids are 1..n.
class kafka_cluster {
public:
    explicit kafka_cluster(kafka_cluster_options options = {}); // throws kafka_broker_error
    ~kafka_cluster(); // SIGTERM to every node at once, then SIGKILL after a bounded wait
    kafka_cluster(const kafka_cluster&) = delete;
    kafka_cluster& operator=(const kafka_cluster&) = delete;

    // Every node's PLAINTEXT listener, comma separated.
    const std::string& bootstrap() const { return bootstrap_; }
    std::string bootstrap_of(int id) const;
    const std::string& version() const { return version_; }
    int size() const { return static_cast<int>(nodes_.size()); }
    // From spawning the JVMs (after formatting) until every node is in the metadata.
    std::chrono::milliseconds start_time() const { return start_time_; }
    bool running(int id) const;

    // Creates a topic and returns once every partition has a leader and a full ISR.
    void create_topic(std::string_view name, int partitions, int replication_factor,
                      const std::map<std::string, std::string>& configs = {}) const;

    // The node leading each partition (-1: none) and each partition's in-sync replicas, as the
    // metadata of a running node says.
    std::map<std::int32_t, std::int32_t> leaders(std::string_view topic) const;
    std::map<std::int32_t, std::vector<std::int32_t>> in_sync(std::string_view topic) const;
    // The node leading most partitions of the topic.
    int busiest_leader(std::string_view topic) const;

    void kill(int node);      // SIGKILL, reaped
    // SIGTERM: a controlled shutdown that moves the node's leaderships first. Throws
    // kafka_broker_error when the node did not exit within the limit (it is SIGKILLed then).
    void shut_down(int node);
    // Starts a stopped node again on its ports and log dir; returns once it is in the metadata.
    void restart(int node);

    // Returns once no partition of the topic is led by `node` and every one has a leader.
    void wait_for_leaders_off(std::string_view topic, int id) const;
    // Returns once every partition of the topic has `replicas` in-sync replicas.
    void wait_for_in_sync(std::string_view topic, int replicas) const;

    // What every node's JVM printed (warnings and up), for failure messages.
    std::string log() const;

private:
    struct node {
        int id = 0;
        std::uint16_t port = 0;
        std::uint16_t controller_port = 0;
        std::filesystem::path dir;
        pid_t pid = -1;
    };

    void spawn(node& n);
    std::vector<int> registered_nodes(int asking) const; // the brokers in that node's metadata, or empty
    template <typename Condition>
    void wait_until(Condition condition, std::chrono::milliseconds limit, const std::string& what) const;

    kafka_cluster_options options_;
    std::string version_;
    std::string java_;
    std::filesystem::path libs_;
    temp_dir root_;
    std::vector<node> nodes_;
    std::string bootstrap_;
    std::chrono::milliseconds start_time_{0};
};

// Base64url without padding (RFC 7515 section 2): KRaft cluster ids and JWS tokens use it.
std::string base64url(std::string_view bytes);

// Whether a version ("0.10.2.2", "4.4.0") is at least `wanted` ({0, 10, 1}).
bool kafka_version_at_least(std::string_view version, std::vector<int> wanted);

// The folder of a fetched version's jars. Throws kafka_broker_error telling to run
// scripts/install-deps.sh when they are not there.
std::filesystem::path kafka_libs(std::string_view version);

// The broker every test of one test binary shares: started on first use, stopped when the binary
// exits (a GoogleTest environment). Throws kafka_broker_error when it cannot start.
kafka_broker& shared_kafka_broker();

// The options the shared broker starts with; call before its first use (a test binary whose
// tests need TLS listeners, say).
void configure_shared_kafka_broker(kafka_broker_options options);

} // namespace kspout::testing
