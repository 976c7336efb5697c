// SimpleConsumer against a real Kafka broker: kcat and kafka-python produce in every codec, offsets, ListOffsets by time.
#include "tests/integration/io_consumer_fixture.hpp"
#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/kafka_broker.hpp"

#include "protocol/messages/list_offsets.hpp"

namespace kspout::io::consumer_testing {
namespace {

using testing::kafka_broker;
using testing::shared_kafka_broker;

const std::vector<std::string> codecs = {"none", "gzip", "snappy", "lz4", "zstd"};

class RealConsumer : public ConsumerFixtureBase {
protected:
    kafka_broker& broker = shared_kafka_broker();
    std::string bootstrap() const override { return broker.bootstrap(); }
};

TEST_F(RealConsumer, ReadsWhatKcatProducedInEveryCodec)
{
    broker.create_topic("kcat-codecs", static_cast<int>(codecs.size()));
    for (std::size_t p = 0; p < codecs.size(); ++p)
        produce("kcat-codecs", static_cast<std::int32_t>(p), 60, codecs[p], 7);

    auto consumer = make_consumer(options_for("kcat-codecs"));
    consumer->assign_all();
    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, produced_count("kcat-codecs")))
        << got.count() << " of " << produced_count("kcat-codecs");
    expect_exactly_once(got, "kcat-codecs");
    for (std::int32_t p = 0; p < static_cast<std::int32_t>(codecs.size()); ++p) {
        EXPECT_EQ(consumer->position(p), 60);
        EXPECT_EQ(consumer->high_watermark(p), 60);
    }
    EXPECT_TRUE(errors.empty());
}

// kafka-python's producer, one partition per codec, keys and values derived from the offset.
TEST_F(RealConsumer, ReadsWhatKafkaPythonProducedInEveryCodec)
{
    const int per_partition = 50;
    broker.create_topic("python-codecs", static_cast<int>(codecs.size()));
    for (std::size_t p = 0; p < codecs.size(); ++p) {
        std::string codec = codecs[p] == "none" ? "None" : "'" + codecs[p] + "'";
        std::string script = "from kafka import KafkaProducer\n"
                             "p = KafkaProducer(bootstrap_servers='" + bootstrap() + "', compression_type=" + codec +
                             ", linger_ms=50, batch_size=2000)\n"
                             "for i in range(" + std::to_string(per_partition) + "):\n"
                             "    p.send('python-codecs', key=b'py-%d' % i, value=(b'value %d ' % i) * (1 + i % 9),\n"
                             "           headers=[('codec', b'" + codecs[p] + "')], partition=" + std::to_string(p) + ")\n"
                             "p.flush()\n"
                             "p.close()\n";
        auto run = testing::run_process({KSPOUT_PYTHON, "-c", script}, {}, 60s);
        ASSERT_TRUE(run.ok()) << codecs[p] << ": " << run.describe();
    }
    auto consumer = make_consumer(options_for("python-codecs"));
    consumer->assign_all();
    collector got;
    const std::size_t total = codecs.size() * per_partition;
    ASSERT_TRUE(consume_until(*consumer, got, total)) << got.count() << " of " << total;
    ASSERT_EQ(got.count(), total);
    for (const auto& m : got.messages) {
        SCOPED_TRACE("partition " + std::to_string(m.partition) + " offset " + std::to_string(m.offset));
        auto i = static_cast<int>(m.offset);
        std::string value;
        for (int r = 0; r < 1 + i % 9; ++r) value += "value " + std::to_string(i) + " ";
        EXPECT_EQ(got.seen.at({m.partition, m.offset}), 1);
        EXPECT_EQ(m.key, "py-" + std::to_string(i));
        EXPECT_EQ(m.value, value);
        ASSERT_EQ(m.headers.size(), 1u);
        EXPECT_EQ(m.headers[0].second, codecs.at(static_cast<std::size_t>(m.partition)));
    }
}

// A real broker answers a fetch with every batch that fits its size (a megabyte here: the whole
// partition); the consumer decodes them only as far as its buffer bound, and the rest as poll()
// drains it.
TEST_F(RealConsumer, AFetchOfManyBatchesIsDecodedOnlyAsFarAsTheBufferBound)
{
    constexpr std::size_t queued_max = 25;
    constexpr int batch = 10;
    constexpr std::size_t bound = queued_max - 1 + batch;
    constexpr int per_partition = 400;
    broker.create_topic("decoded-as-drained", 2);
    produce("decoded-as-drained", 0, per_partition, "lz4", batch);
    produce("decoded-as-drained", 1, per_partition, "none", batch);

    auto options = options_for("decoded-as-drained");
    options.queued_max_messages = queued_max;
    auto consumer = make_consumer(options);
    buffer_peaks peaks{*consumer, 2, {}};
    consumer->assign_all();
    ASSERT_TRUE(testing::run_until(ioc, [&] {
        peaks.sample();
        return consumer->buffered_messages(0) >= queued_max && consumer->buffered_messages(1) >= queued_max;
    }));
    // Neither partition is fetched again while the rest of its last fetch waits to be read.
    ASSERT_TRUE(testing::run_until(ioc, [&] { return !consumer->fetching(); }));
    ioc.poll();
    EXPECT_FALSE(consumer->fetching());
    peaks.sample();
    for (std::int32_t p = 0; p < 2; ++p) {
        EXPECT_LE(peaks.peak[p], bound) << "partition " << p;
        EXPECT_LT(static_cast<std::int64_t>(consumer->buffered_messages(p)), per_partition);
        EXPECT_EQ(consumer->position(p), 0);
        EXPECT_EQ(consumer->high_watermark(p), per_partition);
    }

    collector got;
    ASSERT_TRUE(testing::run_until(ioc, [&] {
        peaks.sample();
        got.add(consumer->poll(7));
        return got.count() >= produced_count("decoded-as-drained");
    }));
    for (std::int32_t p = 0; p < 2; ++p) EXPECT_LE(peaks.peak[p], bound) << "partition " << p;
    ASSERT_TRUE(more_fetch_rounds(*consumer, 2));
    poll_all(*consumer, got);
    expect_exactly_once(got, "decoded-as-drained");
    EXPECT_TRUE(errors.empty());
}

TEST_F(RealConsumer, KafkaPythonReadsBackWhatWeCommitAndWeStartFromWhatItCommits)
{
    broker.create_topic("offsets", 3);
    for (std::int32_t p = 0; p < 3; ++p) produce("offsets", p, 12);

    auto options = options_for("offsets");
    options.group_id = "ours-group";
    auto ours = make_consumer(options);
    ASSERT_FALSE(commit(*ours, {{0, 5}, {1, 7}, {2, 0}}));
    EXPECT_EQ(python_committed("ours-group", "offsets", {0, 1, 2}), "0=5\n1=7\n2=0\n");
    ASSERT_FALSE(commit(*ours, {{0, 9}}));
    EXPECT_EQ(python_committed("ours-group", "offsets", {0, 1, 2}), "0=9\n1=7\n2=0\n");
    EXPECT_EQ(committed(*ours, {0, 1, 2}), (std::map<std::int32_t, std::int64_t>{{0, 9}, {1, 7}, {2, 0}}));
    EXPECT_EQ(python_committed("another-group", "offsets", {0}), "0=none\n");

    python_commit("py-group", "offsets", {{0, 3}, {1, 9}});
    options.group_id = "py-group";
    auto theirs = make_consumer(options);
    EXPECT_EQ(committed(*theirs, {0, 1, 2}), (std::map<std::int32_t, std::int64_t>{{0, 3}, {1, 9}, {2, -1}}));
    theirs->assign_all();
    collector got;
    ASSERT_TRUE(consume_until(*theirs, got, 9 + 3 + 12));
    expect_exactly_once(got, "offsets", {{0, 3}, {1, 9}, {2, 0}});
}

// kcat's answer to "which offset has timestamp ts" (-Q), for one partition.
std::int64_t kcat_offset_for_time(const std::string& bootstrap, const std::string& topic, std::int64_t ts)
{
    auto run = testing::run_process({"kcat", "-b", bootstrap, "-Q", "-t", topic + ":0:" + std::to_string(ts)});
    EXPECT_TRUE(run.ok()) << run.describe();
    auto at = run.out.find("offset ");
    if (at == std::string::npos) {
        ADD_FAILURE() << "kcat -Q printed: " << run.out;
        return -2;
    }
    return std::stoll(run.out.substr(at + 7));
}

TEST_F(RealConsumer, ListOffsetsByTimeAgreesWithKcat)
{
    broker.create_topic("by-time", 1);
    const std::int64_t base = 1700000000000;
    std::vector<testing::sent_record> sent(20);
    for (std::size_t i = 0; i < sent.size(); ++i) {
        sent[i].partition = 0;
        sent[i].value = "at " + std::to_string(i);
        sent[i].timestamp = base + 1000 * static_cast<std::int64_t>(i);
    }
    auto c = shared_cluster();
    io::producer_options po;
    po.batch_size = 200; // several batches, so the broker's time index has more than one entry
    auto producer = io::producer::create(c, po);
    testing::produce_all(*producer, "by-time", sent);
    ASSERT_FALSE(testing::flush_and_wait(ioc, *producer));
    producer->stop();

    std::optional<std::error_code> refreshed;
    c->refresh_metadata({"by-time"}, [&](std::error_code ec) { refreshed = ec; });
    ASSERT_TRUE(testing::run_until(ioc, [&] { return refreshed.has_value(); }));
    ASSERT_FALSE(*refreshed) << refreshed->message();
    auto leader = c->leader_for("by-time", 0);
    ASSERT_NE(leader, nullptr);

    // Between two records, exactly on one, before all, after all; earliest and latest.
    const std::vector<std::int64_t> times = {base + 5500, base + 7000, base - 1, base + 19001,
                                             messages::earliest_offset_timestamp,
                                             messages::latest_offset_timestamp};
    const std::vector<std::int64_t> expected = {6, 7, 0, -1, 0, 20};
    messages::list_offsets_request request;
    request.topics.push_back({"by-time", {}});
    for (std::size_t i = 0; i < times.size(); ++i) {
        messages::list_offsets_request one = request;
        one.topics[0].partitions.push_back({0, -1, times[i], 1});
        std::optional<std::error_code> done;
        response<messages::list_offsets_response> answer;
        leader->request<messages::list_offsets_request, messages::list_offsets_response>(
            wire::api_key::list_offsets, one, 5s, [&](std::error_code ec, response<messages::list_offsets_response> r) {
                done = ec;
                answer = std::move(r);
            });
        ASSERT_TRUE(testing::run_until(ioc, [&] { return done.has_value(); }));
        ASSERT_FALSE(*done) << done->message();
        SCOPED_TRACE("timestamp " + std::to_string(times[i]) + ", ListOffsets v" + std::to_string(answer.version));
        ASSERT_EQ(answer.body.topics.size(), 1u);
        ASSERT_EQ(answer.body.topics[0].partitions.size(), 1u);
        const auto& got = answer.body.topics[0].partitions[0];
        EXPECT_EQ(got.error_code, 0);
        EXPECT_EQ(got.offset, expected[i]);
        if (times[i] >= 0 && expected[i] >= 0) {
            EXPECT_EQ(got.timestamp, base + 1000 * expected[i]);
            EXPECT_EQ(kcat_offset_for_time(bootstrap(), "by-time", times[i]), expected[i]);
        }
    }
}

} // namespace
} // namespace kspout::io::consumer_testing
