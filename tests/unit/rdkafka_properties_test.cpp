// The rdkafka engine's configuration: our options mapped to librdkafka's names, unsafe pass-throughs refused.
#include "protocol/rdkafka/rdkafka_properties.hpp"

#include <gtest/gtest.h>

#include <map>

namespace kspout::rdkafka {
namespace {

std::map<std::string, std::string> as_map(const std::vector<property>& properties)
{
    std::map<std::string, std::string> out;
    for (const auto& p : properties) out[p.name] = p.value; // a later one wins, as in librdkafka
    return out;
}

io::consumer_options consumer(const std::string& group = "g")
{
    io::consumer_options o;
    o.topic = "t";
    o.group_id = group;
    return o;
}

TEST(RdkafkaProperties, OurOptionsBecomeLibrdkafkasNames)
{
    io::cluster_options cluster;
    cluster.bootstrap_servers = {"a:9092", "b:9093"};
    cluster.broker.client_id = "task-7";
    auto c = consumer("group-1");
    c.auto_offset_reset = io::offset_reset::earliest;
    c.isolation = messages::isolation_level::read_committed;
    c.fetch_max_wait = std::chrono::milliseconds(250);
    c.queued_max_bytes = 4 * 1024 * 1024;
    auto p = as_map(consumer_properties(cluster, c, {}));
    EXPECT_EQ(p["bootstrap.servers"], "a:9092,b:9093");
    EXPECT_EQ(p["client.id"], "task-7");
    EXPECT_EQ(p["group.id"], "group-1");
    EXPECT_EQ(p["auto.offset.reset"], "earliest");
    EXPECT_EQ(p["isolation.level"], "read_committed");
    EXPECT_EQ(p["fetch.wait.max.ms"], "250");
    EXPECT_EQ(p["queued.max.messages.kbytes"], "4096");
    EXPECT_EQ(p["enable.auto.commit"], "false");
    EXPECT_EQ(p["enable.auto.offset.store"], "false");
    EXPECT_EQ(p["security.protocol"], "plaintext");
    EXPECT_FALSE(p.contains("ssl.ca.location"));
    EXPECT_FALSE(p.contains("sasl.username"));
}

TEST(RdkafkaProperties, TlsAndSaslSettingsAreCarriedOver)
{
    io::cluster_options cluster;
    cluster.bootstrap_servers = {"a:9093"};
    cluster.broker.security = io::security_protocol::sasl_ssl;
    cluster.broker.tls.ca_location = "ca.pem";
    cluster.broker.tls.verify_hostname = false;
    cluster.broker.sasl.mechanism = "SCRAM-SHA-512";
    cluster.broker.sasl.username = "spout";
    cluster.broker.sasl.password = "pw";
    auto p = as_map(consumer_properties(cluster, consumer(), {}));
    EXPECT_EQ(p["security.protocol"], "sasl_ssl");
    EXPECT_EQ(p["ssl.ca.location"], "ca.pem");
    EXPECT_EQ(p["ssl.endpoint.identification.algorithm"], "none");
    EXPECT_EQ(p["sasl.mechanisms"], "SCRAM-SHA-512");
    EXPECT_EQ(p["sasl.username"], "spout");
    EXPECT_EQ(p["sasl.password"], "pw");
    EXPECT_TRUE(is_secret_property("sasl.password"));
    EXPECT_TRUE(is_secret_property("ssl.key.password"));
    EXPECT_TRUE(is_secret_property("sasl.oauthbearer.client.secret"));
    EXPECT_FALSE(is_secret_property("sasl.username"));
}

TEST(RdkafkaProperties, PassThroughsComeLastAndTuneAnything)
{
    io::cluster_options cluster;
    cluster.bootstrap_servers = {"a:9092"};
    auto list = consumer_properties(cluster, consumer(), {{"debug", "fetch"}, {"fetch.wait.max.ms", "5"},
                                                          {"enable.auto.commit", "false"}, {"group.id", "g"}});
    ASSERT_GE(list.size(), 4u);
    EXPECT_EQ(list[list.size() - 4].name, "debug");
    EXPECT_EQ(as_map(list)["fetch.wait.max.ms"], "5");
}

TEST(RdkafkaProperties, PropertiesThatBreakAckBeforeCommitAreRefused)
{
    io::cluster_options cluster;
    cluster.bootstrap_servers = {"a:9092"};
    auto refused = [&](property p) {
        try {
            consumer_properties(cluster, consumer("mine"), {p});
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(refused({"enable.auto.commit", "true"}).find("kafka.rdkafka.enable.auto.commit"), std::string::npos);
    EXPECT_NE(refused({"auto.commit.enable", "TRUE"}).find("refused"), std::string::npos);
    EXPECT_NE(refused({"enable.auto.offset.store", "1"}).find("enable.auto.offset.store"), std::string::npos);
    EXPECT_NE(refused({"group.id", "other"}).find("kafka.group.id (\"mine\")"), std::string::npos);
    EXPECT_EQ(refused({"group.id", "mine"}), "");
    EXPECT_EQ(refused({"enable.auto.commit", "false"}), "");
}

TEST(RdkafkaProperties, TheProducerMatchesOursAndRefusesTransactions)
{
    io::cluster_options cluster;
    cluster.bootstrap_servers = {"a:9092"};
    io::producer_options o;
    o.acks = -1;
    o.compression = records::compression::zstd;
    o.idempotence = true;
    o.delivery_timeout = std::chrono::seconds(90);
    auto p = as_map(producer_properties(cluster, o, {}));
    EXPECT_EQ(p["acks"], "-1");
    EXPECT_EQ(p["compression.codec"], "zstd");
    EXPECT_EQ(p["enable.idempotence"], "true");
    EXPECT_EQ(p["message.timeout.ms"], "90000");
    EXPECT_EQ(p["partitioner"], "murmur2_random") << "keys must land where the Java client and ours put them";
    EXPECT_EQ(p["message.send.max.retries"], "2147483647");
    EXPECT_THROW(producer_properties(cluster, o, {{"transactional.id", "x"}}), std::invalid_argument);
}

// Our bound on buffered bytes must bind before librdkafka's (whole KiB), so a full buffer holds
// tuples back instead of librdkafka refusing a record; and librdkafka takes no linger.ms that is
// not below message.timeout.ms.
TEST(RdkafkaProperties, TheProducerBufferRoundsUpAndLingerStaysBelowTheDeliveryTimeout)
{
    io::cluster_options cluster;
    io::producer_options o;
    o.max_buffered_bytes = 3000;
    o.linger = std::chrono::seconds(60);
    o.delivery_timeout = std::chrono::seconds(25);
    auto p = as_map(producer_properties(cluster, o, {}));
    EXPECT_EQ(p["queue.buffering.max.kbytes"], "3");
    EXPECT_EQ(p["linger.ms"], "24999");
    o.max_buffered_bytes = 4096;
    o.linger = std::chrono::milliseconds(5);
    p = as_map(producer_properties(cluster, o, {}));
    EXPECT_EQ(p["queue.buffering.max.kbytes"], "4");
    EXPECT_EQ(p["linger.ms"], "5");
}

} // namespace
} // namespace kspout::rdkafka
