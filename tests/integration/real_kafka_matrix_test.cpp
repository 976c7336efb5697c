// The compatibility matrix for one broker version (KSPOUT_KAFKA_VERSION): metadata, every message format and codec, offsets, the spout.
#include "tests/integration/real_kafka_matrix_fixture.hpp"

namespace kspout::io::consumer_testing {
namespace {

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
    constexpr std::int64_t per_partition = 40;
    for (int magic : formats_of(version())) {
        const std::string topic = "format-v" + std::to_string(magic);
        auto expected = produce_every_codec(topic, magic, per_partition);
        ASSERT_FALSE(HasFatalFailure());
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
    expect_static_spout_commits_the_end("spout-static", "g-static", spout_settings());
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
