// kafka-bolt against real Kafka brokers: acked records read back by kcat and kafka-python; idempotence or its fallback.
#include "tests/integration/bolt_harness.hpp"
#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/kafka_broker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using multilang::json;

TEST(RealKafkaBolt, EveryAckedTupleIsInTheTopicForBothPeers)
{
    kafka_broker& broker = shared_kafka_broker();
    broker.create_topic("bolt-copies", 3);
    temp_dir pid_dir;
    bolt_task_options options;
    options.conf = bolt_conf(broker.bootstrap(), "bolt-copies");
    options.conf["kafka.bolt.fields"] = "partition,key,value,headers,timestamp";
    options.conf["kafka.bolt.compression"] = "gzip";
    bolt_task task(pid_dir, std::move(options));
    task.storm().open();

    std::vector<std::string> ids;
    for (int i = 0; i < 30; ++i) {
        multilang::bolt_tuple t;
        t.id = "t" + std::to_string(i);
        t.component = "words";
        t.stream = "default";
        t.task = 3;
        t.values = json::array({i % 3, "key-" + std::to_string(i), "value-" + std::to_string(i),
                                json{{"n", std::to_string(i)}}, 1700000000000 + i});
        task.storm().execute(t);
        ids.push_back(t.id);
    }
    auto out = task.read_until_settled(ids);
    EXPECT_EQ(out.acked.size(), 30u);
    bool idempotent = false;
    for (const auto& l : out.logs) idempotent |= l.msg.find("idempotent producer: id ") != std::string::npos;
    EXPECT_TRUE(idempotent) << "the 4.x broker gave no producer id";
    EXPECT_TRUE(out.failed.empty());

    for (const auto& [peer, seen] : {std::pair{"kcat", consume_with_kcat(broker.bootstrap(), "bolt-copies")},
                                     std::pair{"kafka-python", consume_with_python(broker.bootstrap(), "bolt-copies", "auto")}}) {
        std::map<std::string, seen_record> by_key;
        for (const auto& r : seen) by_key[r.key.value_or("")] = r;
        ASSERT_EQ(by_key.size(), 30u) << peer;
        for (int i = 0; i < 30; ++i) {
            const auto& r = by_key["key-" + std::to_string(i)];
            EXPECT_EQ(r.value, "value-" + std::to_string(i)) << peer;
            EXPECT_EQ(r.partition, i % 3) << peer;
            EXPECT_EQ(r.timestamp, 1700000000000 + i) << peer;
            ASSERT_EQ(r.headers.size(), 1u) << peer;
            EXPECT_EQ(r.headers[0].second, std::to_string(i)) << peer;
        }
    }
    task.process().close_stdin();
    EXPECT_TRUE(exits_zero(task.process(), 30s));
}

// Before 0.11 there is no InitProducerId: the bolt notes it and writes without idempotence;
// 0.11 is the first broker that gives a producer id (InitProducerId v0).
class RealKafkaBoltOnOldBrokers : public ::testing::TestWithParam<std::pair<const char*, bool>> {};

TEST_P(RealKafkaBoltOnOldBrokers, IdempotentWhereTheBrokerCanBeAndWritesEitherWay)
{
    const auto [version, idempotent] = GetParam();
    kafka_broker_options broker_options;
    broker_options.version = version;
    kafka_broker broker(broker_options);
    broker.create_topic("old-copies", 2);
    temp_dir pid_dir;
    bolt_task_options options;
    options.conf = bolt_conf(broker.bootstrap(), "old-copies");
    options.conf["kafka.bolt.fields"] = "partition,key,value";
    bolt_task task(pid_dir, std::move(options));
    task.storm().open();
    std::vector<std::string> ids;
    for (int i = 0; i < 10; ++i) {
        multilang::bolt_tuple t;
        t.id = "t" + std::to_string(i);
        t.component = "words";
        t.stream = "default";
        t.task = 3;
        t.values = json::array({i % 2, "key-" + std::to_string(i), "value-" + std::to_string(i)});
        task.storm().execute(t);
        ids.push_back(t.id);
    }
    auto out = task.read_until_settled(ids);
    EXPECT_EQ(out.acked.size(), 10u);
    std::string logs;
    for (const auto& l : out.logs) logs += l.msg + "\n";
    if (idempotent) {
        EXPECT_NE(logs.find("idempotent producer: id "), std::string::npos) << logs;
    } else {
        EXPECT_NE(logs.find("has no InitProducerId (Kafka before 0.11): producing without idempotence"),
                  std::string::npos)
            << logs;
    }
    EXPECT_EQ(consume_with_kcat(broker.bootstrap(), "old-copies").size(), 10u);
    task.process().close_stdin();
    EXPECT_TRUE(exits_zero(task.process(), 30s));
}

INSTANTIATE_TEST_SUITE_P(Versions, RealKafkaBoltOnOldBrokers,
                         ::testing::Values(std::pair{"0.10.2.2", false}, std::pair{"0.11.0.3", true}),
                         [](const auto& test_param) {
                             std::string name = test_param.param.first;
                             std::replace(name.begin(), name.end(), '.', '_');
                             return "Kafka_" + name;
                         });

} // namespace
} // namespace kspout::testing
