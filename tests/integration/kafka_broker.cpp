// Starts a real Kafka broker from the fetched jars (KRaft for 4.x, ZooKeeper mode before), waits for Metadata, stops it.
#include "tests/integration/kafka_broker.hpp"

#include "protocol/io/cluster.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/wire/api_key.hpp"
#include "tests/integration/child_jvm.hpp"
#include "tests/integration/process.hpp"

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <sys/wait.h>

namespace kspout::testing {

std::string base64url(std::string_view bytes)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
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

// A KRaft cluster id: 16 random bytes in URL-safe base64 without padding, as StorageTool prints.
std::string random_cluster_id()
{
    std::random_device device;
    std::array<unsigned char, 16> bytes{};
    for (auto& b : bytes) b = static_cast<unsigned char>(device());
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40); // version 4, never a reserved id
    return base64url(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
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

// Warnings and errors to stdout, which is the log file (Log4j 2 for 4.x, Log4j 1 before).
void write_log_configs(const std::filesystem::path& dir)
{
    write_file(dir / "log4j2.properties",
               "rootLogger.level = WARN\n"
               "rootLogger.appenderRef.out.ref = out\n"
               "appender.out.type = Console\n"
               "appender.out.name = out\n"
               "appender.out.layout.type = PatternLayout\n"
               "appender.out.layout.pattern = [%d] %p %m (%c)%n\n");
    write_file(dir / "log4j.properties",
               "log4j.rootLogger=WARN, out\n"
               "log4j.appender.out=org.apache.log4j.ConsoleAppender\n"
               "log4j.appender.out.layout=org.apache.log4j.PatternLayout\n"
               "log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n\n");
}

void write_properties(const std::filesystem::path& path, const std::map<std::string, std::string>& p)
{
    std::ostringstream text;
    for (const auto& [key, value] : p) text << key << "=" << value << "\n";
    write_file(path, text.str());
}

// The broker JVM for the server.properties in `dir`, with the log configs written there.
// `jaas`: a JAAS file for the broker's SASL listeners (ZooKeeper mode; KRaft nodes take theirs
// from server.properties), or empty. Tests want a quick start (C1 only, the serial collector);
// `production_jvm` runs it as Kafka's own start scripts do (the full JIT, G1), for benchmarks.
std::vector<std::string> broker_command(const std::string& java, const std::filesystem::path& libs,
                                        const std::filesystem::path& dir, const std::filesystem::path& jaas = {},
                                        bool production_jvm = false)
{
    std::vector<std::string> command = {java, "-Xmx512m"};
    if (production_jvm) {
        command.insert(command.end(), {"-Xms512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                                       "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent"});
    } else {
        command.insert(command.end(), {"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"});
    }
    command.insert(command.end(), {
            "-XX:-UsePerfData",
            "-Xshare:auto",
            "-Djava.awt.headless=true",
            "-Djava.net.preferIPv4Stack=true",
            "-Dlog4j2.configurationFile=" + (dir / "log4j2.properties").string(),
            "-Dlog4j.configuration=file:" + (dir / "log4j.properties").string()});
    if (!jaas.empty()) command.push_back("-Djava.security.auth.login.config=" + jaas.string());
    command.insert(command.end(), {"-cp", (libs / "*").string(), "kafka.Kafka", (dir / "server.properties").string()});
    return command;
}

// KRaft StorageTool, formatting the log dir of the server.properties in `dir`.
std::vector<std::string> format_command(const std::string& java, const std::filesystem::path& libs,
                                        const std::filesystem::path& dir, const std::string& cluster_id)
{
    return {java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            "-Dlog4j2.configurationFile=" + (dir / "log4j2.properties").string(), "-cp", (libs / "*").string(),
            "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", (dir / "server.properties").string()};
}

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

std::filesystem::path peer_cache_root()
{
    if (const char* cache = std::getenv("KSPOUT_CACHE")) return cache;
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home != nullptr ? home : "/root") / ".cache" / "kafka-spout";
}

bool kafka_version_at_least(std::string_view version, std::vector<int> wanted)
{
    return at_least(version, std::move(wanted));
}

std::filesystem::path kafka_libs(std::string_view version)
{
    std::filesystem::path dir = peer_cache_root() / "kafka" / std::string(version);
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
    if (options_.sasl_listeners && !at_least(version_, {0, 10})) {
        throw kafka_broker_error("kafka broker: SASL PLAIN and SCRAM need Kafka 0.10 or later (this is " + version_ + ")");
    }
    if (options_.tls_listeners) {
        if (!kraft_) throw kafka_broker_error("kafka broker: TLS listeners need a KRaft (4.x) broker");
        try {
            certificates_ = std::make_unique<tls_certificates>(root_ / "tls");
        } catch (const std::runtime_error& e) {
            throw kafka_broker_error(std::string("kafka broker: cannot make the TLS certificates: ") + e.what());
        }
    }

    for (int attempt = 1;; ++attempt) {
        std::filesystem::remove_all(root_ / "logs");
        std::filesystem::create_directories(root_ / "logs");
        port_ = free_loopback_port();
        controller_port_ = free_loopback_port();
        bootstrap_ = "127.0.0.1:" + std::to_string(port_);
        tls_ports_.clear();
        if (options_.tls_listeners) {
            for (auto which : {tls_listener::good, tls_listener::expired, tls_listener::other_name}) {
                tls_ports_[which] = free_loopback_port();
            }
        }
        sasl_ports_.clear();
        if (options_.sasl_listeners) {
            sasl_ports_[sasl_listener::plaintext] = free_loopback_port();
            if (kraft_) sasl_ports_[sasl_listener::short_sessions] = free_loopback_port();
            if (options_.tls_listeners) sasl_ports_[sasl_listener::tls] = free_loopback_port();
        }
        try {
            write_config();
            if (kraft_) format_storage(java, libs);
            auto spawned_at = std::chrono::steady_clock::now();
            pid_ = spawn_logged(broker_command(java, libs, root_.path(), jaas_file(), options_.production_jvm), root_ / "broker.log");
            wait_until_ready();
            if (options_.sasl_listeners && !kraft_) add_scram_user_over_zookeeper();
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

std::string kafka_broker::tls_bootstrap(tls_listener which) const
{
    auto it = tls_ports_.find(which);
    if (it == tls_ports_.end()) throw kafka_broker_error("kafka broker: started without TLS listeners");
    return "127.0.0.1:" + std::to_string(it->second);
}

std::string kafka_broker::sasl_bootstrap(sasl_listener which) const
{
    auto it = sasl_ports_.find(which);
    if (it == sasl_ports_.end()) throw kafka_broker_error("kafka broker: started without that SASL listener");
    return "127.0.0.1:" + std::to_string(it->second);
}

namespace {

struct tls_listener_spec {
    tls_listener which;
    const char* name;
    const char* config_prefix; // listener.name.<the name in lower case>.
    std::filesystem::path tls_certificates::*keystore;
};

constexpr tls_listener_spec tls_listener_specs[] = {
    {tls_listener::good, "SSL", "listener.name.ssl.", &tls_certificates::broker_keystore},
    {tls_listener::expired, "EXPIRED", "listener.name.expired.", &tls_certificates::expired_keystore},
    {tls_listener::other_name, "OTHERNAME", "listener.name.othername.", &tls_certificates::other_name_keystore},
};

// Each TLS listener's server.properties: its own keystore, the test CA as truststore, client
// certificates required.
void add_tls_listeners(std::map<std::string, std::string>& p, std::string& listeners, std::string& protocol_map,
                       const tls_certificates& certs, const std::map<tls_listener, std::uint16_t>& ports)
{
    for (const auto& spec : tls_listener_specs) {
        std::string name = spec.name;
        std::string prefix = spec.config_prefix;
        listeners += "," + name + "://127.0.0.1:" + std::to_string(ports.at(spec.which));
        protocol_map += "," + name + ":SSL";
        p[prefix + "ssl.keystore.type"] = "PKCS12";
        p[prefix + "ssl.keystore.location"] = (certs.*spec.keystore).string();
        p[prefix + "ssl.keystore.password"] = certs.keystore_password;
        p[prefix + "ssl.key.password"] = certs.keystore_password;
        p[prefix + "ssl.truststore.type"] = "PEM";
        p[prefix + "ssl.truststore.location"] = certs.ca.string();
        p[prefix + "ssl.client.auth"] = "required";
    }
}

// The SASL listeners: PLAIN with one user, SCRAM-SHA-256 and -512 with the credentials
// format_storage stored for the same user, OAUTHBEARER with Kafka's unsecured token validator
// (the default without a server callback handler: alg "none", a sub and an unexpired exp);
// SASL_SSL with the broker certificate, and without SCRAM-SHA-256 and OAUTHBEARER; the
// short-sessions one with connections.max.reauth.ms for every mechanism.
void add_sasl_listeners(std::map<std::string, std::string>& p, std::string& listeners, std::string& protocol_map,
                        const tls_certificates* certs, const std::map<sasl_listener, std::uint16_t>& ports)
{
    const std::string jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required user_" +
                             std::string(sasl_user) + "=\"" + std::string(sasl_password) + "\";";
    if (ports.empty()) return;
    const std::string mechanisms = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER";
    const std::string scram_jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
    // unsecuredLoginStringClaim_sub is the broker's own token, should it ever log in here.
    const std::string oauth_jaas = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
                                   "unsecuredLoginStringClaim_sub=\"admin\";";
    p["sasl.enabled.mechanisms"] = mechanisms;
    for (const auto& [which, port] : ports) {
        const bool tls = which == sasl_listener::tls;
        const std::string name = tls ? "SASLSSL" : which == sasl_listener::short_sessions ? "SASLSHORT" : "SASL";
        std::string prefix = "listener.name." + name + ".";
        std::transform(prefix.begin(), prefix.end(), prefix.begin(), [](unsigned char c) { return std::tolower(c); });
        listeners += "," + name + "://127.0.0.1:" + std::to_string(port);
        protocol_map += "," + name + (tls ? ":SASL_SSL" : ":SASL_PLAINTEXT");
        // SASL_SSL leaves some out, for a test of a mechanism the broker does not offer.
        p[prefix + "sasl.enabled.mechanisms"] = tls ? "PLAIN,SCRAM-SHA-512" : mechanisms;
        p[prefix + "plain.sasl.jaas.config"] = jaas;
        p[prefix + "scram-sha-256.sasl.jaas.config"] = scram_jaas;
        p[prefix + "scram-sha-512.sasl.jaas.config"] = scram_jaas;
        if (!tls) p[prefix + "oauthbearer.sasl.jaas.config"] = oauth_jaas;
        if (which == sasl_listener::short_sessions) {
            for (const char* mechanism : {"plain", "scram-sha-256", "scram-sha-512", "oauthbearer"}) {
                p[prefix + mechanism + ".connections.max.reauth.ms"] = std::to_string(short_sasl_session.count());
            }
        }
        if (tls) {
            p[prefix + "ssl.keystore.type"] = "PKCS12";
            p[prefix + "ssl.keystore.location"] = certs->broker_keystore.string();
            p[prefix + "ssl.keystore.password"] = certs->keystore_password;
            p[prefix + "ssl.key.password"] = certs->keystore_password;
        }
    }
}

// ZooKeeper mode (before 4.0): one SASL_PLAINTEXT listener named after its protocol (brokers
// before 0.10.2 know no other names) with PLAIN, and from 0.10.2 SCRAM-SHA-256 and -512 (the
// credentials: add_scram_user_over_zookeeper). The login modules come from a JAAS file, as
// brokers before 1.0 read them from nowhere else; each module registers its mechanism's server.
void add_zookeeper_mode_sasl_listener(std::map<std::string, std::string>& p, std::string& listeners,
                                      const std::string& version, std::uint16_t port,
                                      const std::filesystem::path& jaas_file)
{
    const bool scram = at_least(version, {0, 10, 2});
    listeners += ",SASL_PLAINTEXT://127.0.0.1:" + std::to_string(port);
    p["sasl.enabled.mechanisms"] = scram ? "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512" : "PLAIN";
    std::string jaas = "KafkaServer {\n  org.apache.kafka.common.security.plain.PlainLoginModule required user_" +
                       std::string(sasl_user) + "=\"" + std::string(sasl_password) + "\";\n";
    if (scram) jaas += "  org.apache.kafka.common.security.scram.ScramLoginModule required;\n";
    write_file(jaas_file, jaas + "};\n");
}

// KIP-848 groups take their timing from the broker (45 s sessions, 5 s heartbeats by default):
// within a test's patience, a dead member's partitions move after 6 s and assignments travel
// in half a second, like the tests' classic groups (6 s sessions, 300 ms heartbeats).
void add_kip848_group_timing(std::map<std::string, std::string>& p)
{
    p["group.consumer.min.session.timeout.ms"] = "3000";
    p["group.consumer.session.timeout.ms"] = "6000";
    p["group.consumer.min.heartbeat.interval.ms"] = "300";
    p["group.consumer.heartbeat.interval.ms"] = "500";
}

// Sized for two cores and a memory-limited test machine. Each partition's offset and time indexes
// are sparse files mapped at their full size (10 MB each by default): with a thousand partitions,
// the broker's lookups fault in zeroed pages faster than the page cache keeps them, and requests
// took seconds (the rebalance bench's 1024-partition runs). 1 MB still indexes a 512 MB segment.
void add_small_host_settings(std::map<std::string, std::string>& p)
{
    p["num.io.threads"] = "2";
    p["num.network.threads"] = "2";
    p["num.recovery.threads.per.data.dir"] = "1";
    p["log.index.size.max.bytes"] = "1048576";
}

} // namespace

void kafka_broker::write_config()
{
    std::map<std::string, std::string> p;
    std::string listener = "PLAINTEXT://" + bootstrap_;
    if (kraft_) {
        const std::string controller = "127.0.0.1:" + std::to_string(controller_port_);
        std::string protocol_map = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT";
        if (certificates_) add_tls_listeners(p, listener, protocol_map, *certificates_, tls_ports_);
        add_sasl_listeners(p, listener, protocol_map, certificates_.get(), sasl_ports_);
        p["process.roles"] = "broker,controller";
        p["node.id"] = "1";
        p["controller.quorum.voters"] = "1@" + controller;
        p["controller.listener.names"] = "CONTROLLER";
        p["listeners"] = listener + ",CONTROLLER://" + controller;
        p["listener.security.protocol.map"] = protocol_map;
        p["inter.broker.listener.name"] = "PLAINTEXT";
        p["share.coordinator.state.topic.replication.factor"] = "1";
        p["share.coordinator.state.topic.min.isr"] = "1";
        add_kip848_group_timing(p);
    } else {
        p["broker.id"] = "1";
        p["zookeeper.connect"] = zookeeper_->connect_string("/kafka");
        p["zookeeper.connection.timeout.ms"] = "30000";
        if (options_.sasl_listeners) {
            add_zookeeper_mode_sasl_listener(p, listener, version_, sasl_ports_.at(sasl_listener::plaintext),
                                             jaas_file());
        }
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
    add_small_host_settings(p);
    // Retention and compaction act within a test's patience (the defaults: first check after
    // 30 s, then every 5 min; the cleaner idles 15 s). Older brokers ignore keys they lack.
    // Records keep their place however old their timestamps (tests write 2023 ones), unless a
    // topic sets its own retention.
    p["log.retention.hours"] = "1000000";
    p["log.initial.task.delay.ms"] = "0";
    p["log.retention.check.interval.ms"] = "200";
    p["log.cleaner.backoff.ms"] = "200";
    for (const auto& [key, value] : options_.properties) p[key] = value;

    write_properties(root_ / "server.properties", p);
    write_log_configs(root_.path());
}

void kafka_broker::format_storage(const std::string& java, const std::filesystem::path& libs)
{
    auto command = format_command(java, libs, root_.path(), random_cluster_id());
    if (options_.sasl_listeners) {
        // The SCRAM credentials of the SASL user, stored by Kafka's own tool.
        for (const char* mechanism : {"SCRAM-SHA-256", "SCRAM-SHA-512"}) {
            command.push_back("--add-scram");
            command.push_back(std::string(mechanism) + "=[name=" + std::string(sasl_user) +
                              ",password=" + std::string(sasl_password) + "]");
        }
    }
    process_result format = run_process(command, {}, 60s);
    if (!format.ok())
        throw kafka_broker_error("kafka broker: StorageTool format failed: " + format.describe() + "\n" + format.out);
}

std::filesystem::path kafka_broker::jaas_file() const
{
    if (kraft_ || !options_.sasl_listeners) return {};
    return root_ / "kafka_server_jaas.conf";
}

// The SCRAM credentials of the SASL user, stored in ZooKeeper by Kafka's own ConfigCommand once
// the broker has made its chroot; the broker learns of them through a change notification, so
// this returns once kafka-python logs in with SCRAM-SHA-512.
void kafka_broker::add_scram_user_over_zookeeper() const
{
    if (!at_least(version_, {0, 10, 2})) return;
    const std::string password(sasl_password);
    process_result added = run_process(
        {java_, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
         "-Dlog4j.configuration=file:" + (root_ / "log4j.properties").string(), "-cp",
         (kafka_libs(version_) / "*").string(), "kafka.admin.ConfigCommand", "--zookeeper",
         zookeeper_->connect_string("/kafka"), "--alter", "--entity-type", "users", "--entity-name",
         std::string(sasl_user), "--add-config",
         "SCRAM-SHA-256=[password=" + password + "],SCRAM-SHA-512=[password=" + password + "]"},
        {}, 60s);
    if (!added.ok())
        throw kafka_broker_error("kafka broker: ConfigCommand could not add the SCRAM user: " + added.describe());
    nlohmann::json config = {{"security_protocol", "SASL_PLAINTEXT"},
                             {"sasl_mechanism", "SCRAM-SHA-512"},
                             {"sasl_plain_username", std::string(sasl_user)},
                             {"sasl_plain_password", password}};
    auto deadline = std::chrono::steady_clock::now() + 30s;
    for (;;) {
        process_result login = run_process({"env", "KSPOUT_PEER_CONFIG=" + config.dump(), KSPOUT_PYTHON,
                                            KSPOUT_SOURCE_DIR "/tests/integration/secure_peer.py", "login",
                                            sasl_bootstrap(sasl_listener::plaintext), "-", "0"},
                                           {}, 60s);
        if (login.ok()) return;
        if (std::chrono::steady_clock::now() >= deadline)
            throw kafka_broker_error("kafka broker: the SCRAM user could not log in 30 s after ConfigCommand: " +
                                     login.describe() + "\n" + login.out);
    }
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
    bool probe_topic_created = false;
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
        if (result && !*result && !at_least(version_, {0, 9}) && !probe_topic_created) {
            // A 0.8 controller sends brokers their metadata only with some partition's state: on
            // a cluster without topics, Metadata lists no broker at all. One topic fixes that.
            process_result created = run_topic_command("kspout-ready", 1, {});
            if (!created.ok())
                throw kafka_broker_error("kafka broker: creating the first topic failed: " + created.describe() +
                                         "\n" + created.out);
            probe_topic_created = true;
        }
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
                                         "create", bootstrap_, std::string(name), std::to_string(partitions), "1"};
        for (const auto& [key, value] : configs) args.push_back(key + "=" + value);
        created = run_process(args, {}, 60s);
    } else {
        created = run_topic_command(name, partitions, configs);
    }
    if (!created.ok())
        throw kafka_broker_error("kafka broker: creating topic " + std::string(name) + " failed: " +
                                 created.describe() + "\n" + created.out);
    wait_for_leaders(name, partitions);
}

std::string kafka_broker::zookeeper_connect() const
{
    return zookeeper_ ? zookeeper_->connect_string("/kafka") : std::string();
}

void kafka_broker::add_partitions(std::string_view name, int total) const
{
    if (!at_least(version_, {1, 0}))
        throw kafka_broker_error("kafka broker: no CreatePartitions before Kafka 1.0 (this is " + version_ + ")");
    process_result added = run_process({KSPOUT_PYTHON, KSPOUT_SOURCE_DIR "/tests/integration/kafka_admin.py",
                                        "add-partitions", bootstrap_, std::string(name), std::to_string(total)},
                                       {}, 60s);
    if (!added.ok())
        throw kafka_broker_error("kafka broker: adding partitions to " + std::string(name) + " failed: " +
                                 added.describe() + "\n" + added.out);
    wait_for_leaders(name, total);
}

// No CreateTopics before 0.10.1: Kafka's own TopicCommand writes the assignment to ZooKeeper.
process_result kafka_broker::run_topic_command(std::string_view name, int partitions,
                                               const std::map<std::string, std::string>& configs) const
{
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
    return run_process(args, {}, 60s);
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
    return read_file(root_ / "broker.log");
}

double kafka_broker::cpu_seconds() const
{
    return pid_ > 0 ? process_cpu_seconds(pid_) : 0;
}

// ---- kafka_cluster ----

namespace {

// True once the child has exited, without reaping it (the owner reaps it when stopping it).
bool has_exited(pid_t pid)
{
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

// One Metadata request to the broker on 127.0.0.1:port (no topics for an empty list); nullopt
// when it does not answer within a few seconds.
std::optional<messages::metadata_response> metadata_from(std::uint16_t port, const std::vector<std::string>& topics)
{
    boost::asio::io_context ioc;
    io::broker_options options;
    options.connect_timeout = 1s;
    options.api_versions_timeout = 2s;
    auto b = io::broker::create(ioc.get_executor(), io::broker_address{-1, "127.0.0.1", port}, options);
    messages::metadata_request request;
    request.topics = topics;
    request.allow_auto_topic_creation = false;
    std::optional<std::error_code> done;
    io::response<messages::metadata_response> answer;
    b->request<messages::metadata_request, messages::metadata_response>(
        wire::api_key::metadata, std::move(request), 2s,
        [&](std::error_code ec, io::response<messages::metadata_response> r) {
            done = ec;
            answer = std::move(r);
        });
    auto deadline = std::chrono::steady_clock::now() + 3s;
    while (!done && std::chrono::steady_clock::now() < deadline) ioc.run_for(20ms);
    b->shut_down();
    ioc.restart();
    ioc.run_for(10ms);
    if (!done || *done) return std::nullopt;
    return std::move(answer.body);
}

} // namespace

kafka_cluster::kafka_cluster(kafka_cluster_options options) : options_(std::move(options))
{
    version_ = options_.version;
    if (version_.empty()) {
        const char* configured = std::getenv("KSPOUT_KAFKA_VERSION");
        version_ = configured != nullptr && *configured != '\0' ? configured : std::string(default_kafka_version);
    }
    if (!at_least(version_, {4}))
        throw kafka_broker_error("kafka cluster: Kafka " + version_ + " has no KRaft combined mode here; use 4.x");
    if (options_.nodes < 1) throw kafka_broker_error("kafka cluster: needs at least one node");
    libs_ = kafka_libs(version_);
    java_ = options_.java.empty() ? find_java() : options_.java;
    if (java_.empty()) throw kafka_broker_error("kafka cluster: no java on PATH (install default-jre-headless)");

    std::set<std::uint16_t> taken;
    auto fresh_port = [&] {
        for (;;) {
            std::uint16_t port = free_loopback_port();
            if (taken.insert(port).second) return port;
        }
    };
    std::string voters;
    for (int id = 1; id <= options_.nodes; ++id) {
        node n;
        n.id = id;
        n.port = fresh_port();
        n.controller_port = fresh_port();
        n.dir = root_ / ("node" + std::to_string(id));
        voters += (voters.empty() ? "" : ",") + std::to_string(id) + "@127.0.0.1:" + std::to_string(n.controller_port);
        bootstrap_ += (bootstrap_.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(n.port);
        nodes_.push_back(std::move(n));
    }
    const std::string replicas = std::to_string(std::min(3, options_.nodes));
    const std::string min_isr = std::to_string(std::min(2, options_.nodes));
    for (const node& n : nodes_) {
        std::filesystem::create_directories(n.dir / "logs");
        const std::string listener = "PLAINTEXT://127.0.0.1:" + std::to_string(n.port);
        std::map<std::string, std::string> p;
        p["process.roles"] = "broker,controller";
        p["node.id"] = std::to_string(n.id);
        p["controller.quorum.voters"] = voters;
        p["controller.listener.names"] = "CONTROLLER";
        p["listeners"] = listener + ",CONTROLLER://127.0.0.1:" + std::to_string(n.controller_port);
        p["advertised.listeners"] = listener;
        p["listener.security.protocol.map"] = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT";
        p["inter.broker.listener.name"] = "PLAINTEXT";
        p["log.dirs"] = (n.dir / "logs").string();
        p["num.partitions"] = "1";
        p["default.replication.factor"] = replicas;
        p["min.insync.replicas"] = min_isr;
        p["auto.create.topics.enable"] = "false";
        p["offsets.topic.replication.factor"] = replicas;
        p["offsets.topic.num.partitions"] = "1";
        p["transaction.state.log.replication.factor"] = replicas;
        p["transaction.state.log.min.isr"] = min_isr;
        p["transaction.state.log.num.partitions"] = "1";
        p["share.coordinator.state.topic.replication.factor"] = replicas;
        p["share.coordinator.state.topic.min.isr"] = min_isr;
        add_kip848_group_timing(p);
        p["group.initial.rebalance.delay.ms"] = "0";
        // A killed broker is fenced, and loses its leaderships, after 3 s without a heartbeat.
        p["broker.session.timeout.ms"] = "3000";
        p["broker.heartbeat.interval.ms"] = "500";
        add_small_host_settings(p);
        for (const auto& [key, value] : options_.properties) p[key] = value;
        write_properties(n.dir / "server.properties", p);
        write_log_configs(n.dir);
    }

    // Format every log dir with one cluster id, the formats running side by side.
    const std::string cluster_id = random_cluster_id();
    std::vector<pid_t> formats;
    for (const node& n : nodes_) formats.push_back(spawn_logged(format_command(java_, libs_, n.dir, cluster_id),
                                                                n.dir / "format.log"));
    std::string format_failures;
    for (std::size_t i = 0; i < formats.size(); ++i) {
        int status = 0;
        bool exited = false;
        for (auto deadline = std::chrono::steady_clock::now() + 60s;
             !(exited = child_exited(formats[i], &status)) && std::chrono::steady_clock::now() < deadline;)
            std::this_thread::sleep_for(20ms); // the pause between polls for its exit
        if (!exited) stop_child(formats[i], 1s);
        if (!exited || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            format_failures += "node " + std::to_string(nodes_[i].id) + ":\n" + read_file(nodes_[i].dir / "format.log");
    }
    if (!format_failures.empty()) throw kafka_broker_error("kafka cluster: StorageTool format failed\n" + format_failures);

    auto spawned_at = std::chrono::steady_clock::now();
    try {
        for (node& n : nodes_) spawn(n);
        wait_until([&] { return static_cast<int>(registered_nodes(1).size()) == size(); }, start_limit,
                   "every node registered");
    } catch (...) {
        for (node& n : nodes_) {
            if (n.pid > 0) stop_child(n.pid, 1s);
            n.pid = -1;
        }
        throw;
    }
    start_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - spawned_at);
}

kafka_cluster::~kafka_cluster()
{
    // All at once: a node stopping alone would wait for a quorum that is stopping too.
    for (const node& n : nodes_) {
        if (n.pid > 0) ::kill(n.pid, SIGTERM);
    }
    for (node& n : nodes_) {
        if (n.pid > 0) stop_child(n.pid, 10s);
        n.pid = -1;
    }
}

std::string kafka_cluster::bootstrap_of(int id) const
{
    return "127.0.0.1:" + std::to_string(nodes_.at(static_cast<std::size_t>(id - 1)).port);
}

bool kafka_cluster::running(int id) const
{
    return nodes_.at(static_cast<std::size_t>(id - 1)).pid > 0;
}

void kafka_cluster::spawn(node& n)
{
    n.pid = spawn_logged(broker_command(java_, libs_, n.dir), n.dir / "broker.log");
}

std::vector<int> kafka_cluster::registered_nodes(int asking) const
{
    const node& n = nodes_.at(static_cast<std::size_t>(asking - 1));
    if (n.pid <= 0) return {};
    auto answer = metadata_from(n.port, {});
    std::vector<int> out;
    if (answer) {
        for (const auto& b : answer->brokers) out.push_back(b.node_id);
    }
    std::sort(out.begin(), out.end());
    return out;
}

template <typename Condition>
void kafka_cluster::wait_until(Condition condition, std::chrono::milliseconds limit, const std::string& what) const
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        for (const node& n : nodes_) {
            if (n.pid > 0 && has_exited(n.pid))
                throw kafka_broker_error("kafka cluster: node " + std::to_string(n.id) + " exited while waiting for " +
                                         what + "; output:\n" + log());
        }
        if (std::chrono::steady_clock::now() >= deadline)
            throw kafka_broker_error("kafka cluster: " + what + " did not happen within " +
                                     std::to_string(limit.count()) + " ms; output:\n" + log());
        std::this_thread::sleep_for(100ms); // the pause between polls of the condition
    }
}

namespace {

// The topic's partitions in the metadata of the first running node that answers.
std::optional<messages::metadata_topic> topic_from(const std::vector<std::uint16_t>& ports, std::string_view topic)
{
    for (auto port : ports) {
        auto answer = metadata_from(port, {std::string(topic)});
        if (!answer) continue;
        for (auto& t : answer->topics) {
            if (t.name == topic && t.error_code == 0) return std::move(t);
        }
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace

std::map<std::int32_t, std::int32_t> kafka_cluster::leaders(std::string_view topic) const
{
    std::vector<std::uint16_t> ports;
    for (const node& n : nodes_) {
        if (n.pid > 0) ports.push_back(n.port);
    }
    std::map<std::int32_t, std::int32_t> out;
    if (auto t = topic_from(ports, topic)) {
        for (const auto& p : t->partitions) out[p.partition_index] = p.leader_id;
    }
    return out;
}

std::map<std::int32_t, std::vector<std::int32_t>> kafka_cluster::in_sync(std::string_view topic) const
{
    std::vector<std::uint16_t> ports;
    for (const node& n : nodes_) {
        if (n.pid > 0) ports.push_back(n.port);
    }
    std::map<std::int32_t, std::vector<std::int32_t>> out;
    if (auto t = topic_from(ports, topic)) {
        for (const auto& p : t->partitions) out[p.partition_index] = p.isr_nodes;
    }
    return out;
}

int kafka_cluster::busiest_leader(std::string_view topic) const
{
    std::map<std::int32_t, int> led;
    for (const auto& [partition, leader] : leaders(topic)) {
        if (leader >= 0) ++led[leader];
    }
    int busiest = -1;
    int most = 0;
    for (const auto& [leader, count] : led) {
        if (count > most) {
            busiest = leader;
            most = count;
        }
    }
    return busiest;
}

void kafka_cluster::create_topic(std::string_view name, int partitions, int replication_factor,
                                 const std::map<std::string, std::string>& configs) const
{
    std::vector<std::string> args = {KSPOUT_PYTHON,     KSPOUT_SOURCE_DIR "/tests/integration/kafka_admin.py",
                                     "create",          bootstrap_,
                                     std::string(name), std::to_string(partitions),
                                     std::to_string(replication_factor)};
    for (const auto& [key, value] : configs) args.push_back(key + "=" + value);
    process_result created = run_process(args, {}, 60s);
    if (!created.ok())
        throw kafka_broker_error("kafka cluster: creating topic " + std::string(name) + " failed: " +
                                 created.describe() + "\n" + created.out);
    wait_until(
        [&] {
            auto leading = leaders(name);
            auto isr = in_sync(name);
            if (static_cast<int>(leading.size()) != partitions || static_cast<int>(isr.size()) != partitions)
                return false;
            for (const auto& [p, leader] : leading) {
                if (leader < 0 || static_cast<int>(isr[p].size()) < replication_factor) return false;
            }
            return true;
        },
        30s, "leaders and full ISRs for topic " + std::string(name));
}

void kafka_cluster::kill(int id)
{
    node& n = nodes_.at(static_cast<std::size_t>(id - 1));
    if (n.pid <= 0) return;
    ::kill(n.pid, SIGKILL);
    reap_within(n.pid, stop_limit);
    n.pid = -1;
}

void kafka_cluster::shut_down(int id)
{
    node& n = nodes_.at(static_cast<std::size_t>(id - 1));
    if (n.pid <= 0) return;
    ::kill(n.pid, SIGTERM);
    bool clean = reap_within(n.pid, 30s);
    if (!clean) {
        ::kill(n.pid, SIGKILL);
        reap_within(n.pid, stop_limit);
    }
    n.pid = -1;
    if (!clean)
        throw kafka_broker_error("kafka cluster: node " + std::to_string(id) +
                                 " did not finish its controlled shutdown within 30 s; output:\n" + log());
}

void kafka_cluster::restart(int id)
{
    node& n = nodes_.at(static_cast<std::size_t>(id - 1));
    if (n.pid > 0) throw kafka_broker_error("kafka cluster: node " + std::to_string(id) + " is running");
    spawn(n);
    wait_until(
        [&] {
            for (const node& other : nodes_) {
                if (other.pid <= 0) continue;
                auto ids = registered_nodes(other.id);
                if (std::find(ids.begin(), ids.end(), id) == ids.end()) return false;
            }
            return true;
        },
        start_limit, "node " + std::to_string(id) + " registered again");
}

void kafka_cluster::wait_for_leaders_off(std::string_view topic, int id) const
{
    wait_until(
        [&] {
            auto leading = leaders(topic);
            if (leading.empty()) return false;
            for (const auto& [p, leader] : leading) {
                if (leader < 0 || leader == id) return false;
            }
            return true;
        },
        30s, "leaders of " + std::string(topic) + " off node " + std::to_string(id));
}

void kafka_cluster::wait_for_in_sync(std::string_view topic, int replicas) const
{
    wait_until(
        [&] {
            auto isr = in_sync(topic);
            if (isr.empty()) return false;
            for (const auto& [p, nodes] : isr) {
                if (static_cast<int>(nodes.size()) < replicas) return false;
            }
            return true;
        },
        60s, std::to_string(replicas) + " in-sync replicas for every partition of " + std::string(topic));
}

std::string kafka_cluster::log() const
{
    std::string out;
    for (const node& n : nodes_) out += "--- node " + std::to_string(n.id) + " ---\n" + read_file(n.dir / "broker.log");
    return out;
}

} // namespace kspout::testing
