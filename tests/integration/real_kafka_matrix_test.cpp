// The compatibility matrix for one broker version (KSPOUT_KAFKA_VERSION): metadata, every message format and codec, offsets, the spout.
#include "tests/integration/group_driver.hpp"
#include "tests/integration/io_consumer_fixture.hpp"
#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/kafka_broker.hpp"

#include "protocol/io/producer.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <set>

namespace kspout::io::consumer_testing {
namespace {

using testing::kafka_broker;
using testing::kafka_version_at_least;
using testing::shared_kafka_broker;

constexpr std::int64_t base_time = 1700000000000;

const char* name(records::compression c)
{
    switch (c) {
    case records::compression::none: return "none";
    case records::compression::gzip: return "gzip";
    case records::compression::snappy: return "snappy";
    case records::compression::lz4: return "lz4";
    case records::compression::zstd: return "zstd";
    }
    return "?";
}

// The message formats (magic values) a broker version stores: v1 came with 0.10, v2 with 0.11;
// from 3.0 message.format.version is ignored and everything is stored as v2.
std::vector<int> formats_of(const std::string& version)
{
    if (kafka_version_at_least(version, {3})) return {2};
    if (kafka_version_at_least(version, {0, 11})) return {0, 1, 2};
    if (kafka_version_at_least(version, {0, 10})) return {0, 1};
    return {0};
}

// The topic config that makes a broker store `magic` (none for its own newest format).
std::map<std::string, std::string> format_config(const std::string& version, int magic)
{
    if (magic == formats_of(version).back()) return {};
    return {{"message.format.version", magic == 0 ? "0.9.0" : "0.10.0"}};
}

// zstd needs Kafka 2.1 and record batches (v2); gzip, snappy and lz4 go back to 0.8.2.
std::vector<records::compression> codecs_of(const std::string& version, int magic)
{
    std::vector<records::compression> out = {records::compression::none, records::compression::gzip,
                                             records::compression::snappy, records::compression::lz4};
    if (magic == 2 && kafka_version_at_least(version, {2, 1})) out.push_back(records::compression::zstd);
    return out;
}

class Matrix : public ConsumerFixtureBase {
protected:
    kafka_broker& broker = shared_kafka_broker();
    std::string bootstrap() const override { return broker.bootstrap(); }
    cluster_options fast_cluster_options() override { return broker.client_options(); }
    const std::string& version() const { return broker.version(); }

    // Produces with our producer; returns what was sent, each record's delivery filled in.
    std::vector<testing::sent_record> produce_ours(const std::string& topic, std::vector<testing::sent_record> sent,
                                                   records::compression codec = records::compression::none)
    {
        io::producer_options options;
        options.compression = codec;
        options.batch_size = 600; // several batches per partition
        options.request_timeout = 10s;
        options.delivery_timeout = 30s;
        auto producer = io::producer::create(shared_cluster(), options);
        testing::produce_all(*producer, topic, sent);
        EXPECT_FALSE(testing::flush_and_wait(ioc, *producer));
        producer->stop();
        return sent;
    }

    // Keyed records "key-i" -> "value-i", i from 0, spread over the partitions by key.
    std::map<std::int32_t, std::int64_t> produce_numbered(const std::string& topic, int count)
    {
        std::vector<testing::sent_record> sent(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) {
            sent[static_cast<std::size_t>(i)].key = "key-" + std::to_string(i);
            sent[static_cast<std::size_t>(i)].value = "value-" + std::to_string(i);
        }
        std::map<std::int32_t, std::int64_t> ends;
        for (const auto& r : produce_ours(topic, std::move(sent))) {
            EXPECT_FALSE(r.ec) << r.ec.message();
            ends[r.delivered_partition] = std::max(ends[r.delivered_partition], r.delivered_offset + 1);
        }
        return ends;
    }

    // What the spout needs to talk to this broker: before 0.10, the fallback table and no probe.
    multilang::json spout_settings() const
    {
        auto options = broker.client_options();
        multilang::json conf = {{"kafka.broker.version.fallback", options.broker.broker_version_fallback}};
        if (!kafka_version_at_least(version(), {0, 10})) conf["kafka.api.version.request"] = false;
        return conf;
    }

    void create(const std::string& topic, int partitions, const std::map<std::string, std::string>& configs = {})
    {
        try {
            broker.create_topic(topic, partitions, configs);
        } catch (const std::exception& e) {
            FAIL() << e.what();
        }
    }
};

TEST_F(Matrix, MetadataListsTheBrokerAndEveryPartition)
{
    create("meta", 3);
    auto c = shared_cluster();
    std::optional<std::error_code> refreshed;
    c->refresh_metadata({"meta"}, [&](std::error_code ec) { refreshed = ec; });
    ASSERT_TRUE(testing::run_until(ioc, [&] { return refreshed.has_value(); }));
    ASSERT_FALSE(*refreshed) << refreshed->message();
    const topic_metadata* t = c->topic("meta");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->error_code, 0);
    ASSERT_EQ(t->partitions.size(), 3u);
    for (const auto& p : t->partitions) EXPECT_EQ(p.leader, 1) << "partition " << p.partition;
    auto b = c->broker_by_id(1);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->address().host + ":" + std::to_string(b->address().port), bootstrap());
}

// One topic per stored format, one partition per codec: our producer writes (the broker converts
// to the topic's format), our consumer reads what the broker stored. v0 keeps no timestamp; only
// v2 keeps headers.
TEST_F(Matrix, ProduceAndFetchEveryFormatAndCodec)
{
    constexpr int per_partition = 40;
    for (int magic : formats_of(version())) {
        const std::string topic = "format-v" + std::to_string(magic);
        const auto codecs = codecs_of(version(), magic);
        create(topic, static_cast<int>(codecs.size()), format_config(version(), magic));
        ASSERT_FALSE(HasFatalFailure());
        std::map<std::pair<std::int32_t, std::int64_t>, testing::sent_record> expected;
        for (std::size_t p = 0; p < codecs.size(); ++p) {
            SCOPED_TRACE(topic + " codec " + name(codecs[p]));
            std::vector<testing::sent_record> sent(per_partition);
            for (int i = 0; i < per_partition; ++i) {
                auto& r = sent[static_cast<std::size_t>(i)];
                r.partition = static_cast<std::int32_t>(p);
                r.key = "k" + std::to_string(i);
                r.value = "format v" + std::to_string(magic) + " " + name(codecs[p]) + " record " + std::to_string(i) +
                          std::string(static_cast<std::size_t>(20 + i % 17), 'x');
                r.timestamp = base_time + i;
                if (magic == 2) r.headers = {{"codec", name(codecs[p])}, {"none", std::nullopt}};
            }
            for (auto& r : produce_ours(topic, std::move(sent), codecs[p])) {
                ASSERT_FALSE(r.ec) << r.ec.message();
                ASSERT_EQ(r.deliveries, 1);
                ASSERT_EQ(r.delivered_partition, static_cast<std::int32_t>(p));
                expected.emplace(std::pair{r.delivered_partition, r.delivered_offset}, std::move(r));
            }
        }
        auto consumer = make_consumer(options_for(topic));
        consumer->assign_all();
        collector got;
        ASSERT_TRUE(consume_until(*consumer, got, expected.size())) << topic << ": " << got.count() << " of "
                                                                     << expected.size();
        EXPECT_EQ(got.count(), expected.size());
        for (const auto& m : got.messages) {
            SCOPED_TRACE(topic + " partition " + std::to_string(m.partition) + " offset " + std::to_string(m.offset));
            auto it = expected.find({m.partition, m.offset});
            ASSERT_NE(it, expected.end());
            EXPECT_EQ(got.seen.at({m.partition, m.offset}), 1);
            EXPECT_EQ(m.key, it->second.key);
            EXPECT_EQ(m.value, it->second.value);
            EXPECT_EQ(m.headers, it->second.headers);
        }
        // Timestamps, from a second read that keeps them (the collector does not).
        auto again = make_consumer(options_for(topic));
        again->assign_all();
        std::size_t checked = 0;
        ASSERT_TRUE(testing::run_until(ioc, [&] {
            for (const auto& m : again->poll(100)) {
                std::int64_t want = magic == 0 ? -1 : *expected.at({m.partition, m.offset}).timestamp;
                EXPECT_EQ(m.timestamp, want) << topic << " partition " << m.partition << " offset " << m.offset;
                ++checked;
            }
            return checked >= expected.size();
        }));
        again->stop();
        consumer->stop();
    }
    EXPECT_TRUE(errors.empty()) << errors.front().message;
}

TEST_F(Matrix, OffsetsCommittedAreFetchedAndConsumedFrom)
{
    create("offsets", 2);
    auto ends = produce_numbered("offsets", 40);
    ASSERT_EQ(ends.size(), 2u);
    auto options = options_for("offsets");
    options.group_id = "matrix-group";
    auto first = make_consumer(options);
    ASSERT_FALSE(commit(*first, {{0, 3}, {1, 5}}));
    EXPECT_EQ(committed(*first, {0, 1}), (std::map<std::int32_t, std::int64_t>{{0, 3}, {1, 5}}));
    ASSERT_FALSE(commit(*first, {{0, 4}}));
    EXPECT_EQ(committed(*first, {0, 1}), (std::map<std::int32_t, std::int64_t>{{0, 4}, {1, 5}}));

    auto second = make_consumer(options);
    second->assign_all();
    collector got;
    const std::size_t rest = static_cast<std::size_t>(ends[0] - 4 + ends[1] - 5);
    ASSERT_TRUE(consume_until(*second, got, rest)) << got.count() << " of " << rest;
    EXPECT_EQ(got.count(), rest);
    for (const auto& m : got.messages) EXPECT_GE(m.offset, m.partition == 0 ? 4 : 5);
}

TEST_F(Matrix, StaticSpoutAcksEverythingAndCommitsTheEnd)
{
    create("spout-static", 3);
    auto ends = produce_numbered("spout-static", 150);
    ASSERT_FALSE(HasFailure());
    auto conf = testing::static_spout_conf(bootstrap(), "spout-static", "g-static");
    const multilang::json extra = spout_settings();
    for (const auto& [key, value] : extra.items()) conf[key] = value;
    testing::temp_dir pid_dir;
    testing::spout_task task(pid_dir, {conf});
    task.storm().open();
    task.storm().activate();
    auto emits = task.next_until(150, 60s);
    ASSERT_EQ(emits.size(), 150u) << task.process().drain_stderr();
    std::set<std::pair<std::int32_t, std::int64_t>> seen;
    for (const auto& e : emits) {
        EXPECT_TRUE(seen.insert(testing::parse_emit_id(e)).second) << "emitted twice: " << *e.id;
        task.storm().ack(*e.id);
    }
    auto options = options_for("spout-static");
    options.group_id = "g-static";
    auto reader = make_consumer(options);
    std::map<std::int32_t, std::int64_t> committed_now;
    for (auto deadline = std::chrono::steady_clock::now() + 30s;
         committed_now != ends && std::chrono::steady_clock::now() < deadline;) {
        EXPECT_TRUE(task.next_until(1, 100ms).empty()) << "emitted again after everything was acked";
        committed_now = committed(*reader, {0, 1, 2});
    }
    EXPECT_EQ(committed_now, ends);
    EXPECT_TRUE(testing::exits_zero_after_stdin_closes(task));
}

TEST_F(Matrix, BalancedSpoutsShareTheTopicAndCommitTheEnd)
{
    testing::zookeeper_server zk;
    create("spout-balanced", 4);
    auto ends = produce_numbered("spout-balanced", 300);
    ASSERT_FALSE(HasFailure());
    testing::group_driver d(bootstrap(), zk, "spout-balanced", "g-balanced", 4, spout_settings());
    const std::vector<std::int64_t> tasks{1, 2};
    for (auto t : tasks) d.add(t, tasks);
    EXPECT_TRUE(d.drive_to_end(ends, 60s)) << "acked " << d.acked_count() << " of 300; " << d.errors();
    testing::expect_every_offset_acked(d, ends);
    EXPECT_GT(d.failed_count(), 0u);
    EXPECT_GT(d.compared(), 0);
    for (auto* m : d.members()) {
        EXPECT_GT(m->emitted, 0u) << "task " << m->task << " got no partition";
        d.leave(*m);
    }
    EXPECT_TRUE(d.regressions().empty()) << d.regressions().front();
}

} // namespace
} // namespace kspout::io::consumer_testing
