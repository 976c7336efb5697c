// Starts a real Kafka broker from the fetched jars (KRaft for 4.x, ZooKeeper mode before), waits for Metadata, stops it.
#include "tests/integration/kafka_broker.hpp"

#include "protocol/io/cluster.hpp"
#include "tests/integration/child_jvm.hpp"
#include "tests/integration/process.hpp"

#include <boost/asio/io_context.hpp>

#include <array>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <vector>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

// Safety nets against a hung JVM, not expectations: a 4.x broker answers about 4 s after spawning.
constexpr auto start_limit = 90s;
constexpr auto stop_limit = 20s;
constexpr int start_attempts = 3;

// "4.4.0" -> {4, 4, 0}; "0.10.2.2" -> {0, 10, 2, 2}.
std::vector<int> version_parts(std::string_view version)
{
    std::vector<int> parts;
    std::string text(version);
    std::istringstream in(text);
    std::string part;
    while (std::getline(in, part, '.')) parts.push_back(std::atoi(part.c_str()));
    return parts;
}

bool at_least(std::string_view version, std::vector<int> wanted)
{
    return version_parts(version) >= wanted;
}

std::filesystem::path cache_root()
{
    if (const char* cache = std::getenv("KSPOUT_CACHE")) return cache;
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home != nullptr ? home : "/root") / ".cache" / "kafka-spout";
}

// A KRaft cluster id: 16 random bytes in URL-safe base64 without padding, as StorageTool prints.
std::string random_cluster_id()
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::random_device device;
    std::array<unsigned char, 16> bytes{};
    for (auto& b : bytes) b = static_cast<unsigned char>(device());
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40); // version 4, never a reserved id
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char b : bytes) {
        buffer = (buffer << 8) | b;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(alphabet[(buffer >> bits) & 0x3f]);
        }
    }
    if (bits > 0) out.push_back(alphabet[(buffer << (6 - bits)) & 0x3f]);
    return out;
}

void write_file(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out) throw kafka_broker_error("kafka broker: cannot write " + path.string());
}

// What our client assumes for a broker that does not answer ApiVersions (before 0.10).
std::string version_fallback(std::string_view version)
{
    if (!at_least(version, {0, 9})) return "0.8.2";
    if (!at_least(version, {0, 10})) return "0.9.0";
    return "0.10.0";
}

} // namespace

std::filesystem::path kafka_libs(std::string_view version)
{
    std::filesystem::path dir = cache_root() / "kafka" / std::string(version);
    if (!std::filesystem::exists(dir / "complete") || !std::filesystem::is_directory(dir / "libs"))
        throw kafka_broker_error("kafka broker: the jars of Kafka " + std::string(version) + " are not in " +
                                 dir.string() + "; run scripts/install-deps.sh (or scripts/fetch-peers.sh)");
    return dir / "libs";
}

kafka_broker::kafka_broker(kafka_broker_options options) : options_(std::move(options))
{
    version_ = options_.version;
    if (version_.empty()) {
        const char* configured = std::getenv("KSPOUT_KAFKA_VERSION");
        version_ = configured != nullptr && *configured != '\0' ? configured : std::string(default_kafka_version);
    }
    kraft_ = at_least(version_, {4});
    std::filesystem::path libs = kafka_libs(version_);
    java_ = options_.java.empty() ? find_java() : options_.java;
    const std::string& java = java_;
    if (java.empty()) throw kafka_broker_error("kafka broker: no java on PATH (install default-jre-headless)");
    if (!kraft_) zookeeper_ = std::make_unique<zookeeper_server>();

    for (int attempt = 1;; ++attempt) {
        std::filesystem::remove_all(root_ / "logs");
        std::filesystem::create_directories(root_ / "logs");
        port_ = free_loopback_port();
        controller_port_ = free_loopback_port();
        bootstrap_ = "127.0.0.1:" + std::to_string(port_);
        try {
            write_config();
            if (kraft_) format_storage(java, libs);
            std::string classpath = (libs / "*").string();
            std::vector<std::string> args = {
                java,
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData",
                "-Xshare:auto",
                "-Djava.awt.headless=true",
                "-Djava.net.preferIPv4Stack=true",
                "-Dlog4j2.configurationFile=" + (root_ / "log4j2.properties").string(),
                "-Dlog4j.configuration=file:" + (root_ / "log4j.properties").string(),
                "-cp",
                classpath,
                "kafka.Kafka",
                (root_ / "server.properties").string(),
            };
            auto spawned_at = std::chrono::steady_clock::now();
            pid_ = spawn_logged(args, root_ / "broker.log");
            wait_until_ready();
            start_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                                spawned_at);
            return;
        } catch (const kafka_broker_error&) {
            // Another process may have taken a port between our probe and the broker's bind: then
            // the JVM exits, and a new pair of ports is worth a try. A broker that runs but does
            // not answer would not answer the next time either.
            bool exited = pid_ < 0;
            stop();
            if (!exited || attempt == start_attempts) throw;
        }
    }
}

kafka_broker::~kafka_broker()
{
    stop();
}

void kafka_broker::write_config()
{
    std::map<std::string, std::string> p;
    const std::string listener = "PLAINTEXT://" + bootstrap_;
    if (kraft_) {
        const std::string controller = "127.0.0.1:" + std::to_string(controller_port_);
        p["process.roles"] = "broker,controller";
        p["node.id"] = "1";
        p["controller.quorum.voters"] = "1@" + controller;
        p["controller.listener.names"] = "CONTROLLER";
        p["listeners"] = listener + ",CONTROLLER://" + controller;
        p["listener.security.protocol.map"] = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT";
        p["inter.broker.listener.name"] = "PLAINTEXT";
        p["share.coordinator.state.topic.replication.factor"] = "1";
        p["share.coordinator.state.topic.min.isr"] = "1";
    } else {
        p["broker.id"] = "1";
        p["zookeeper.connect"] = zookeeper_->connect_string("/kafka");
        p["zookeeper.connection.timeout.ms"] = "30000";
        if (at_least(version_, {0, 9})) {
            p["listeners"] = listener;
        } else {
            p["host.name"] = "127.0.0.1";
            p["port"] = std::to_string(port_);
        }
    }
    p["advertised.listeners"] = listener;
    p["log.dirs"] = (root_ / "logs").string();
    p["num.partitions"] = std::to_string(options_.default_partitions);
    p["auto.create.topics.enable"] = options_.auto_create_topics ? "true" : "false";
    p["offsets.topic.replication.factor"] = "1";
    p["offsets.topic.num.partitions"] = "1"; // one coordinator partition loads fastest
    p["transaction.state.log.replication.factor"] = "1";
    p["transaction.state.log.min.isr"] = "1";
    p["transaction.state.log.num.partitions"] = "1";
    p["group.initial.rebalance.delay.ms"] = "0";
    p["log.flush.interval.messages"] = "9223372036854775807";
    p["num.io.threads"] = "2";
    p["num.network.threads"] = "2";
    p["num.recovery.threads.per.data.dir"] = "1";
    for (const auto& [key, value] : options_.properties) p[key] = value;

    std::ostringstream text;
    for (const auto& [key, value] : p) text << key << "=" << value << "\n";
    write_file(root_ / "server.properties", text.str());
    // Warnings and errors to stdout, which is the log file (Log4j 2 for 4.x, Log4j 1 before).
    write_file(root_ / "log4j2.properties",
               "rootLogger.level = WARN\n"
               "rootLogger.appenderRef.out.ref = out\n"
               "appender.out.type = Console\n"
               "appender.out.name = out\n"
               "appender.out.layout.type = PatternLayout\n"
               "appender.out.layout.pattern = [%d] %p %m (%c)%n\n");
    write_file(root_ / "log4j.properties",
               "log4j.rootLogger=WARN, out\n"
               "log4j.appender.out=org.apache.log4j.ConsoleAppender\n"
               "log4j.appender.out.layout=org.apache.log4j.PatternLayout\n"
               "log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n\n");
}

void kafka_broker::format_storage(const std::string& java, const std::filesystem::path& libs)
{
    process_result format = run_process({java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                                         "-Xshare:auto",
                                         "-Dlog4j2.configurationFile=" + (root_ / "log4j2.properties").string(),
                                         "-cp", (libs / "*").string(), "kafka.tools.StorageTool", "format", "-t",
                                         random_cluster_id(), "-c", (root_ / "server.properties").string()},
                                        {}, 60s);
    if (!format.ok())
        throw kafka_broker_error("kafka broker: StorageTool format failed: " + format.describe() + "\n" + format.out);
}

io::cluster_options kafka_broker::client_options() const
{
    io::cluster_options o;
    o.bootstrap_servers = {bootstrap_};
    o.broker.connect_timeout = 1s;
    o.broker.api_versions_timeout = 2s;
    o.broker.reconnect_backoff = 50ms;
    o.broker.reconnect_backoff_max = 200ms;
    o.broker.broker_version_fallback = version_fallback(version_);
    o.request_timeout = 2s;
    return o;
}

void kafka_broker::wait_until_ready()
{
    boost::asio::io_context ioc;
    auto cluster = io::cluster::create(ioc.get_executor(), client_options());
    auto deadline = std::chrono::steady_clock::now() + start_limit;
    std::string last_error = "no answer";
    for (;;) {
        int status = 0;
        if (child_exited(pid_, &status)) {
            pid_ = -1;
            cluster->shut_down();
            throw kafka_broker_error("kafka broker " + version_ + " on " + bootstrap_ +
                                     " exited during start (status " + std::to_string(status) + "); its output:\n" +
                                     log());
        }
        std::optional<std::error_code> result;
        cluster->refresh_metadata({}, [&](std::error_code ec) { result = ec; });
        ioc.restart();
        while (!result && std::chrono::steady_clock::now() < deadline) ioc.run_for(20ms);
        if (result && !*result && cluster->broker_by_id(1) != nullptr) break;
        if (result) last_error = *result ? result->message() : "the broker is not in its own metadata yet";
        if (std::chrono::steady_clock::now() >= deadline) {
            cluster->shut_down();
            throw kafka_broker_error("kafka broker " + version_ + " on " + bootstrap_ +
                                     " did not answer Metadata within the time limit (" + last_error +
                                     "); its output:\n" + log());
        }
        ioc.restart();
        ioc.run_for(100ms); // the pause between polls; the client's own reconnect backoff runs meanwhile
    }
    cluster->shut_down();
    ioc.restart();
    ioc.run_for(10ms);
}

void kafka_broker::create_topic(std::string_view name, int partitions,
                                const std::map<std::string, std::string>& configs) const
{
    process_result created;
    if (at_least(version_, {0, 10, 1})) {
        // CreateTopics, from kafka-python's admin client.
        std::vector<std::string> args = {KSPOUT_PYTHON, KSPOUT_SOURCE_DIR "/tests/integration/kafka_admin.py",
                                         "create", bootstrap_, std::string(name), std::to_string(partitions)};
        for (const auto& [key, value] : configs) args.push_back(key + "=" + value);
        created = run_process(args, {}, 60s);
    } else {
        // No CreateTopics before 0.10.1: Kafka's own TopicCommand writes the assignment to ZooKeeper.
        std::vector<std::string> args = {java_, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                                         "-Dlog4j.configuration=file:" + (root_ / "log4j.properties").string(),
                                         "-cp", (kafka_libs(version_) / "*").string(), "kafka.admin.TopicCommand",
                                         "--zookeeper", zookeeper_->connect_string("/kafka"), "--create", "--topic",
                                         std::string(name), "--partitions", std::to_string(partitions),
                                         "--replication-factor", "1"};
        for (const auto& [key, value] : configs) {
            args.push_back("--config");
            args.push_back(key + "=" + value);
        }
        created = run_process(args, {}, 60s);
    }
    if (!created.ok())
        throw kafka_broker_error("kafka broker: creating topic " + std::string(name) + " failed: " +
                                 created.describe() + "\n" + created.out);
    wait_for_leaders(name, partitions);
}

void kafka_broker::wait_for_leaders(std::string_view name, int partitions) const
{
    boost::asio::io_context ioc;
    auto cluster = io::cluster::create(ioc.get_executor(), client_options());
    const std::string topic(name);
    auto deadline = std::chrono::steady_clock::now() + 30s;
    auto all_led = [&] {
        const io::topic_metadata* t = cluster->topic(topic);
        if (t == nullptr || static_cast<int>(t->partitions.size()) != partitions) return false;
        for (const auto& p : t->partitions) {
            if (p.leader < 0) return false;
        }
        return true;
    };
    while (!all_led()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            cluster->shut_down();
            throw kafka_broker_error("kafka broker: topic " + topic + " has no leader for every partition after 30 s");
        }
        std::optional<std::error_code> result;
        cluster->refresh_metadata({topic}, [&](std::error_code ec) { result = ec; });
        ioc.restart();
        while (!result && std::chrono::steady_clock::now() < deadline) ioc.run_for(20ms);
        if (!all_led()) {
            ioc.restart();
            ioc.run_for(50ms); // the pause between polls
        }
    }
    cluster->shut_down();
    ioc.restart();
    ioc.run_for(10ms);
}

void kafka_broker::stop()
{
    if (pid_ > 0) stop_child(pid_, stop_limit);
    pid_ = -1;
}

std::string kafka_broker::log() const
{
    std::ifstream in(root_ / "broker.log");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace kspout::testing
