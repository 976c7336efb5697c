// The spout on a real broker whose log changes under it: compaction leaves offset gaps, retention
// moves the log start past the committed offset, a topic appears and gains partitions.
#include "tests/integration/group_driver.hpp"
#include "tests/integration/kafka_broker.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// Record i of [first, first + count) goes to partition 0 with key "k<i % keys>" and a value of
// about `value_bytes` bytes.
void produce_keyed(const std::string& bootstrap, const std::string& topic, int first, int count, int keys,
                   std::size_t value_bytes)
{
    std::string input;
    const std::string padding(value_bytes, 'x');
    for (int i = first; i < first + count; ++i)
        input += "k" + std::to_string(i % keys) + "\tv" + std::to_string(i) + "-" + padding + "\n";
    auto r = run_process({"kcat", "-b", bootstrap, "-P", "-t", topic, "-p", "0", "-K", "\t"}, input, 60s);
    ASSERT_TRUE(r.ok()) << "kcat produce failed: " << r.describe() << "\n" << r.err;
}

// The offsets of partition 0 as kafka-python reads it from its log start to its end.
std::vector<std::int64_t> offsets_read_by_python(const std::string& bootstrap, const std::string& topic)
{
    auto r = run_process({KSPOUT_PYTHON, "-c",
                          "import sys\n"
                          "from kafka import KafkaConsumer, TopicPartition\n"
                          "tp = TopicPartition(sys.argv[2], 0)\n"
                          "c = KafkaConsumer(bootstrap_servers=sys.argv[1].split(','), enable_auto_commit=False,\n"
                          "                  consumer_timeout_ms=20000)\n"
                          "c.assign([tp]); c.seek_to_beginning(tp)\n"
                          "end = c.end_offsets([tp])[tp]\n"
                          "while c.position(tp) < end:\n"
                          "    for r in c.poll(timeout_ms=1000, max_records=10000).get(tp, []): print(r.offset)\n"
                          "c.close()\n",
                          bootstrap, topic},
                         {}, 60s);
    EXPECT_TRUE(r.ok()) << r.describe() << "\n" << r.err;
    std::vector<std::int64_t> out;
    std::istringstream lines(r.out);
    for (std::int64_t o; lines >> o;) out.push_back(o);
    return out;
}

// One static task reading partition 0 of `topic` for `group`: acks everything it emits until
// `want` tuples came, then until the group's commit reaches `commit_target`. Returns the offsets
// emitted, in order.
std::vector<std::int64_t> consume_and_commit(const std::string& bootstrap, const std::string& topic,
                                             const std::string& group, std::size_t want, std::int64_t commit_target,
                                             const std::string& reset = "earliest")
{
    temp_dir pid_dir;
    auto conf = static_spout_conf(bootstrap, topic, group);
    conf["kafka.auto.offset.reset"] = reset;
    spout_task task(pid_dir, {conf});
    task.storm().open();
    task.storm().activate();
    std::vector<std::int64_t> emitted;
    for (auto deadline = clock::now() + 60s; emitted.size() < want && clock::now() < deadline;) {
        for (const auto& e : task.next_until(want - emitted.size(), 1s)) {
            emitted.push_back(parse_emit_id(e).second);
            task.storm().ack(*e.id);
        }
    }
    EXPECT_EQ(emitted.size(), want);
    bool reached = false;
    for (auto deadline = clock::now() + 30s; !reached && clock::now() < deadline;) {
        EXPECT_TRUE(task.next_until(1, 100ms).empty()) << "emitted again after everything was acked";
        reached = committed_offsets(bootstrap, group, topic, 1)[0] == commit_target;
    }
    EXPECT_TRUE(reached) << "committed " << committed_offsets(bootstrap, group, topic, 1)[0] << ", want "
                         << commit_target;
    EXPECT_TRUE(exits_zero_after_stdin_closes(task));
    return emitted;
}

TEST(RealSpoutLog, ACompactedTopicIsReadAcrossItsOffsetGapsAndCommittedToTheEnd)
{
    kafka_broker& broker = shared_kafka_broker();
    const std::string topic = "compacted";
    broker.create_topic(topic, 1,
                        {{"cleanup.policy", "compact"},
                         {"segment.bytes", "1048576"},
                         {"min.cleanable.dirty.ratio", "0.01"}});
    // About 3 MB over 50 keys: the log rolls, and the cleaner keeps one record per key in the
    // rolled segments.
    constexpr int written = 3000;
    produce_keyed(broker.bootstrap(), topic, 0, written, 50, 1000);
    // The cleaner works in passes: wait until two reads in a row agree on a compacted log, so
    // that the spout reads the same log as kafka-python did.
    std::vector<std::int64_t> survivors;
    for (auto deadline = clock::now() + 90s; clock::now() < deadline;) {
        auto read = offsets_read_by_python(broker.bootstrap(), topic);
        bool settled = read == survivors && !read.empty() && read.size() < static_cast<std::size_t>(written);
        survivors = std::move(read);
        if (settled) break;
    }
    ASSERT_LT(survivors.size(), static_cast<std::size_t>(written)) << "the log was never compacted";
    ASSERT_EQ(survivors.back(), written - 1) << "the active segment is never compacted";

    auto emitted = consume_and_commit(broker.bootstrap(), topic, "g-compacted", survivors.size(), written);
    EXPECT_EQ(emitted, survivors) << "the spout read other records than kafka-python";
}

TEST(RealSpoutLog, ACommittedOffsetBelowTheLogStartIsResetPerAutoOffsetReset)
{
    kafka_broker& broker = shared_kafka_broker();
    const std::string topic = "retained";
    broker.create_topic(topic, 1, {{"segment.bytes", "1048576"}, {"retention.bytes", "1048576"}});
    produce_keyed(broker.bootstrap(), topic, 0, 100, 100, 10);
    for (const char* group : {"g-retained-earliest", "g-retained-latest"})
        consume_and_commit(broker.bootstrap(), topic, group, 100, 100);

    // About 3 MB more: retention deletes the oldest segments, and the log start passes 100.
    produce_keyed(broker.bootstrap(), topic, 100, 3000, 100, 1000);
    std::int64_t start = 0;
    for (auto deadline = clock::now() + 60s; start <= 100 && clock::now() < deadline;)
        start = beginning_offsets(broker.bootstrap(), topic, 1)[0];
    ASSERT_GT(start, 100) << "retention never moved the log start";
    const std::int64_t end = 3100;
    ASSERT_EQ(end_offsets(broker.bootstrap(), topic, 1)[0], end);

    // earliest: from the new log start to the end, each offset once.
    auto emitted = consume_and_commit(broker.bootstrap(), topic, "g-retained-earliest",
                                      static_cast<std::size_t>(end - start), end);
    ASSERT_FALSE(emitted.empty());
    EXPECT_EQ(emitted.front(), start);
    EXPECT_EQ(emitted.back(), end - 1);
    EXPECT_EQ(std::set<std::int64_t>(emitted.begin(), emitted.end()).size(), emitted.size());

    // latest: none of the records there when it started; the ones written after, all of them.
    temp_dir pid_dir;
    auto conf = static_spout_conf(broker.bootstrap(), topic, "g-retained-latest");
    conf["kafka.auto.offset.reset"] = "latest";
    spout_task task(pid_dir, {conf});
    task.storm().open();
    task.storm().activate();
    bool moved = false;
    for (auto deadline = clock::now() + 30s; !moved && clock::now() < deadline;) {
        EXPECT_TRUE(task.next_until(1, 100ms).empty()) << "a record from before the reset was emitted";
        moved = committed_offsets(broker.bootstrap(), "g-retained-latest", topic, 1)[0] == end;
    }
    ASSERT_TRUE(moved) << "the reset to the end was never committed";
    produce_keyed(broker.bootstrap(), topic, 3100, 5, 100, 10);
    std::vector<std::int64_t> fresh;
    for (const auto& e : task.next_until(5, 30s)) {
        fresh.push_back(parse_emit_id(e).second);
        task.storm().ack(*e.id);
    }
    EXPECT_EQ(fresh, (std::vector<std::int64_t>{end, end + 1, end + 2, end + 3, end + 4}));
    EXPECT_TRUE(exits_zero_after_stdin_closes(task));
}

TEST(RealSpoutLog, ATopicCreatedAndGrownWhileTheGroupRunsIsConsumedInFull)
{
    kafka_broker& broker = shared_kafka_broker();
    zookeeper_server zk;
    const std::string topic = "late";
    constexpr int final_partitions = 6;
    group_driver d(broker.bootstrap(), zk, topic, "g-late", final_partitions);
    for (std::int64_t t : {1, 2}) d.add(t, {1, 2});
    for (int r = 0; r < 20; ++r) {
        d.round();
        ASSERT_FALSE(::testing::Test::HasFatalFailure());
    }

    broker.create_topic(topic, 2);
    produce_with_kcat(broker.bootstrap(), topic, 100);
    auto ends = end_offsets(broker.bootstrap(), topic, 2);
    EXPECT_TRUE(d.drive_to_end(ends, 60s)) << "acked " << d.acked_count() << " of 100; " << d.errors();

    broker.add_partitions(topic, final_partitions);
    produce_with_kcat(broker.bootstrap(), topic, 300, 100);
    ends = end_offsets(broker.bootstrap(), topic, final_partitions);
    std::int64_t total = 0;
    for (const auto& [p, end] : ends) {
        EXPECT_GT(end, 0) << "partition " << p << " got no records; the test proves nothing about it";
        total += end;
    }
    ASSERT_EQ(total, 400);
    EXPECT_TRUE(d.drive_to_end(ends, 90s)) << "acked " << d.acked_count() << " of 400; " << d.errors();
    expect_every_offset_acked(d, ends);
    EXPECT_TRUE(d.regressions().empty()) << d.regressions().front();
    for (auto* m : d.members()) d.leave(*m);
}

} // namespace
} // namespace kspout::testing
