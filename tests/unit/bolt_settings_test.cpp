// kafka-bolt's settings: defaults, the keys it shares with the spout, a shared Storm conf, and every check.
#include "spout/bolt/bolt_settings.hpp"

#include "tests/unit/settings_test_util.hpp"

#include <gtest/gtest.h>

namespace kspout::spout::bolt {
namespace {

using nlohmann::json;
using test_util::flags;
using test_util::joined;
using namespace std::chrono_literals;

json minimal_conf()
{
    return {{"kafka.bootstrap.servers", "k1:9092"}, {"kafka.bolt.topic", "copies"}, {"topology.workers", 2}};
}

std::string single_error(const json& conf, const command_line& cl = {})
{
    auto r = load_bolt_settings(conf, cl);
    EXPECT_FALSE(r.value);
    EXPECT_EQ(r.errors.size(), 1u) << joined(r.errors);
    return r.errors.empty() ? std::string() : r.errors.front();
}

TEST(BoltSettings, BootstrapAndTopicAreEnough)
{
    auto r = load_bolt_settings(minimal_conf(), {});
    ASSERT_TRUE(r.value) << joined(r.errors);
    const auto& s = *r.value;
    EXPECT_EQ(s.cluster.bootstrap_servers, std::vector<std::string>{"k1:9092"});
    EXPECT_EQ(s.cluster.broker.client_id, "kafka-bolt");
    EXPECT_EQ(s.topic, "copies");
    EXPECT_EQ(s.fields.input, (std::vector<std::string>{"topic", "partition", "offset", "key", "value"}));
    EXPECT_EQ(s.fields.key, "key");
    EXPECT_EQ(s.fields.value, "value");
    EXPECT_EQ(s.fields.partition, "partition");
    EXPECT_EQ(s.fields.topic, "");
    EXPECT_EQ(s.producer.acks, -1);
    EXPECT_TRUE(s.producer.idempotence);
    EXPECT_EQ(s.producer.linger, 5ms);
    EXPECT_EQ(s.max_in_flight, 1000);
    EXPECT_EQ(s.value_format, value_encoding::string);
    EXPECT_EQ(s.subprocess_timeout, 30s);
    EXPECT_EQ(s.storm_max_pending, 100); // Storm's topology.shellbolt.max.pending
    EXPECT_LT(s.producer.delivery_timeout, s.message_timeout); // Storm's default: no replay while retrying
}

TEST(BoltSettings, TypedValuesFromEverySource)
{
    auto conf = minimal_conf();
    conf["kafka.bolt.acks"] = "1";
    conf["kafka.bolt.idempotence"] = false;
    conf["kafka.bolt.compression"] = "zstd";
    conf["topology.subprocess.timeout.secs"] = 12;
    conf["topology.message.timeout.secs"] = 90;
    conf["topology.shellbolt.max.pending"] = 250;
    command_line cl = flags({{"kafka.bolt.linger.ms", "50"}, {"kafka.bolt.value.format", "base64"}});
    cl.config_file = "bolt.json";
    auto r = load_bolt_settings(conf, cl, json{{"kafka.bolt.max.in.flight", 7}, {"kafka.bolt.linger.ms", 9}});
    ASSERT_TRUE(r.value) << joined(r.errors);
    EXPECT_EQ(r.value->producer.acks, 1);
    EXPECT_EQ(r.value->producer.compression, records::compression::zstd);
    EXPECT_EQ(r.value->producer.linger, 50ms); // the command line beats the file
    EXPECT_EQ(r.value->max_in_flight, 7);
    EXPECT_EQ(r.value->value_format, value_encoding::base64);
    EXPECT_EQ(r.value->subprocess_timeout, 12s);
    EXPECT_EQ(r.value->message_timeout, 90s);
    EXPECT_EQ(r.value->storm_max_pending, 250);
}

TEST(BoltSettings, TheSpoutsKeysInTheSharedStormConfAreLeftToIt)
{
    auto conf = minimal_conf();
    conf["kafka.topic"] = "events";
    conf["kafka.group.id"] = "readers";
    conf["kafka.spout.batch.size"] = 10;
    EXPECT_TRUE(load_bolt_settings(conf, {}).value);

    auto e = single_error(minimal_conf(), flags({{"kafka.group.id", "readers"}}));
    EXPECT_NE(e.find("unknown key kafka.group.id (from the command line)"), std::string::npos) << e;
    conf["kafka.bolt.lingr.ms"] = 3;
    e = single_error(conf);
    EXPECT_NE(e.find("unknown key kafka.bolt.lingr.ms (from the Storm conf)"), std::string::npos) << e;
}

TEST(BoltSettings, RequiredKeys)
{
    auto r = load_bolt_settings(json::object(), {});
    ASSERT_EQ(r.errors.size(), 2u) << joined(r.errors);
    EXPECT_NE(r.errors[0].find("kafka.bootstrap.servers is required"), std::string::npos) << r.errors[0];
    EXPECT_NE(r.errors[1].find("kafka.bolt.topic is required"), std::string::npos) << r.errors[1];

    // A topic field in the tuples stands in for the topic.
    auto conf = json{{"kafka.bootstrap.servers", "k1:9092"}, {"kafka.bolt.topic.field", "topic"}};
    EXPECT_TRUE(load_bolt_settings(conf, {}).value);
}

TEST(BoltSettings, BadValuesNameTheKeyAndWhatWasExpected)
{
    auto with = [](const char* key, json value) {
        auto conf = minimal_conf();
        conf[key] = std::move(value);
        return single_error(conf);
    };
    auto e = with("kafka.bolt.acks", "1");
    EXPECT_EQ(e, "kafka.bolt.idempotence needs kafka.bolt.acks all (set kafka.bolt.idempotence to false for acks 1)");
    e = with("kafka.bolt.acks", "0");
    EXPECT_NE(e.find("kafka.bolt.acks: bad value \"0\""), std::string::npos) << e;
    EXPECT_NE(e.find("expected one of all, 1"), std::string::npos) << e;
    e = with("kafka.bolt.topic", "no spaces");
    EXPECT_NE(e.find("expected a Kafka topic name"), std::string::npos) << e;
    e = with("kafka.bolt.max.in.flight", 0);
    EXPECT_NE(e.find("expected an integer from 1 to 1000000"), std::string::npos) << e;
    e = with("kafka.bolt.fields", "a,b,a");
    EXPECT_NE(e.find("\"a\" is listed twice"), std::string::npos) << e;
    e = with("kafka.bolt.value.format", "hex");
    EXPECT_NE(e.find("expected one of string, json, base64"), std::string::npos) << e;
    e = with("kafka.bootstrap.servers", "nohost");
    EXPECT_NE(e.find("\"nohost\" is not host:port"), std::string::npos) << e;
}

TEST(BoltSettings, PartsMustNameInputFieldsWhenGiven)
{
    // Defaults that the tuples lack are not taken (headers, timestamp); a name given is checked.
    auto conf = minimal_conf();
    conf["kafka.bolt.fields"] = "word,count";
    conf["kafka.bolt.value.field"] = "count";
    auto r = load_bolt_settings(conf, {});
    ASSERT_TRUE(r.value) << joined(r.errors);

    conf["kafka.bolt.key.field"] = "wrod";
    auto e = single_error(conf);
    EXPECT_EQ(e, "kafka.bolt.key.field: \"wrod\" is not one of kafka.bolt.fields (word,count)");

    conf.erase("kafka.bolt.key.field");
    conf.erase("kafka.bolt.value.field"); // the default "value" is not a field of word,count
    e = single_error(conf);
    EXPECT_EQ(e, "kafka.bolt.value.field: \"value\" is not one of kafka.bolt.fields (word,count)");
}

} // namespace
} // namespace kspout::spout::bolt
