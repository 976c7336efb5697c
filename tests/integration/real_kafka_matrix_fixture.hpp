// The matrix fixture: the shared broker of one version (KSPOUT_KAFKA_VERSION), its formats and codecs, producing and the spout's settings.
#pragma once

#include "tests/integration/group_driver.hpp"
#include "tests/integration/io_consumer_fixture.hpp"
#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/kafka_broker.hpp"

#include "protocol/io/producer.hpp"
#include "protocol/records/compression.hpp"

#include <gtest/gtest.h>

#include <set>

namespace kspout::io::consumer_testing {

using testing::kafka_broker;
using testing::kafka_version_at_least;
using testing::shared_kafka_broker;

constexpr std::int64_t base_time = 1700000000000;

inline std::string name(records::compression c)
{
    return std::string(records::to_string(c));
}

// The message formats (magic values) a broker version stores: v1 came with 0.10, v2 with 0.11;
// from 3.0 message.format.version is ignored and everything is stored as v2.
inline std::vector<int> formats_of(const std::string& version)
{
    if (kafka_version_at_least(version, {3})) return {2};
    if (kafka_version_at_least(version, {0, 11})) return {0, 1, 2};
    if (kafka_version_at_least(version, {0, 10})) return {0, 1};
    return {0};
}

// The topic config that makes a broker store `magic` (none for its own newest format).
inline std::map<std::string, std::string> format_config(const std::string& version, int magic)
{
    if (magic == formats_of(version).back()) return {};
    return {{"message.format.version", magic == 0 ? "0.9.0" : "0.10.0"}};
}

// zstd needs Kafka 2.1 and record batches (v2); gzip, snappy and lz4 go back to 0.8.2.
inline std::vector<records::compression> codecs_of(const std::string& version, int magic)
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

    // A topic stored in format `magic`, one partition per codec the format has, `count` records in
    // each (timestamps from base_time; headers in v2). Returns them by partition and offset.
    std::map<std::pair<std::int32_t, std::int64_t>, testing::sent_record>
    produce_every_codec(const std::string& topic, int magic, std::int64_t count)
    {
        std::map<std::pair<std::int32_t, std::int64_t>, testing::sent_record> out;
        const auto codecs = codecs_of(version(), magic);
        create(topic, static_cast<int>(codecs.size()), format_config(version(), magic));
        if (::testing::Test::HasFatalFailure()) return out;
        for (std::size_t p = 0; p < codecs.size(); ++p) {
            SCOPED_TRACE(topic + " codec " + name(codecs[p]));
            std::vector<testing::sent_record> sent(static_cast<std::size_t>(count));
            for (std::int64_t i = 0; i < count; ++i) {
                auto& r = sent[static_cast<std::size_t>(i)];
                r.partition = static_cast<std::int32_t>(p);
                r.key = "k" + std::to_string(i);
                r.value = "format v" + std::to_string(magic) + " " + name(codecs[p]) + " record " + std::to_string(i) +
                          std::string(static_cast<std::size_t>(20 + i % 17), 'x');
                r.timestamp = base_time + i;
                if (magic == 2) r.headers = {{"codec", name(codecs[p])}, {"none", std::nullopt}};
            }
            for (auto& r : produce_ours(topic, std::move(sent), codecs[p])) {
                EXPECT_FALSE(r.ec) << r.ec.message();
                EXPECT_EQ(r.deliveries, 1);
                EXPECT_EQ(r.delivered_partition, static_cast<std::int32_t>(p));
                out.emplace(std::pair{r.delivered_partition, r.delivered_offset}, std::move(r));
            }
        }
        return out;
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

    // One static spout task reads 150 records of a new topic, acks each, and commits the ends.
    void expect_static_spout_commits_the_end(const std::string& topic, const std::string& group,
                                             const multilang::json& settings)
    {
        create(topic, 3);
        auto ends = produce_numbered(topic, 150);
        ASSERT_FALSE(::testing::Test::HasFailure());
        auto conf = testing::static_spout_conf(bootstrap(), topic, group);
        for (const auto& [key, value] : settings.items()) conf[key] = value;
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
        auto options = options_for(topic);
        options.group_id = group;
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

    void create(const std::string& topic, int partitions, const std::map<std::string, std::string>& configs = {})
    {
        try {
            broker.create_topic(topic, partitions, configs);
        } catch (const std::exception& e) {
            FAIL() << e.what();
        }
    }
};

} // namespace kspout::io::consumer_testing
