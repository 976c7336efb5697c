// Transactions on a real broker, written by Kafka's own Java producer: read_committed skips aborted records, the spout commits past control records.
#include "tests/integration/child_jvm.hpp"
#include "tests/integration/io_consumer_fixture.hpp"
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/spout_harness.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace kspout::io::consumer_testing {
namespace {

using testing::kafka_broker;
using testing::shared_kafka_broker;

// Five committed, four aborted, three committed, two aborted: 14 records and 4 control records
// (the transaction markers), so the log ends at offset 18.
const std::vector<std::string> plan = {"c:5", "a:4", "c:3", "a:2"};
constexpr std::int64_t log_end = 18;
const std::vector<std::int64_t> committed_records = {0, 1, 2, 3, 4, 11, 12, 13};
const std::vector<std::int64_t> aborted_records = {6, 7, 8, 9, 15, 16};

// The Java peer, compiled once per test binary against the broker's own client jars.
std::string peer_classpath(const kafka_broker& broker)
{
    static testing::temp_dir classes;
    static std::string classpath;
    if (classpath.empty()) {
        const std::string libs = (testing::kafka_libs(broker.version()) / "*").string();
        auto javac = testing::run_process({"javac", "-nowarn", "-cp", libs, "-d", classes.path().string(),
                                           KSPOUT_SOURCE_DIR "/tests/peers/java/TransactionalProducer.java"},
                                          {}, 120s);
        if (!javac.ok()) throw std::runtime_error("javac TransactionalProducer.java: " + javac.describe() + "\n" + javac.out);
        classpath = classes.path().string() + ":" + libs;
    }
    return classpath;
}

// Writes the plan's transactions to partition 0 of a new topic.
void write_transactions(const kafka_broker& broker, const std::string& topic)
{
    broker.create_topic(topic, 1);
    std::vector<std::string> args = {testing::find_java(), "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                                     "-cp", peer_classpath(broker), "TransactionalProducer", broker.bootstrap(),
                                     topic, "0"};
    args.insert(args.end(), plan.begin(), plan.end());
    auto run = testing::run_process(args, {}, 120s);
    ASSERT_TRUE(run.ok()) << run.describe() << "\n" << run.out << run.err;
    ASSERT_NE(run.out.find("wrote 14"), std::string::npos) << run.out;
}

class RealTransactions : public ConsumerFixtureBase {
protected:
    kafka_broker& broker = shared_kafka_broker();
    std::string bootstrap() const override { return broker.bootstrap(); }

    // Reads partition 0 until the position reaches the end of the log; returns the offsets seen.
    std::vector<std::int64_t> read_all(const std::string& topic, messages::isolation_level isolation,
                                       collector& got)
    {
        auto options = options_for(topic);
        options.isolation = isolation;
        auto consumer = make_consumer(options);
        consumer->assign_all();
        EXPECT_TRUE(testing::run_until(ioc, [&] {
            poll_all(*consumer, got);
            return consumer->position(0).value_or(-1) >= log_end;
        })) << "position " << consumer->position(0).value_or(-1);
        EXPECT_TRUE(more_fetch_rounds(*consumer, 2)); // nothing more arrives
        poll_all(*consumer, got);
        EXPECT_EQ(consumer->position(0), log_end);
        std::vector<std::int64_t> offsets;
        for (const auto& m : got.messages) offsets.push_back(m.offset);
        return offsets;
    }
};

TEST_F(RealTransactions, ReadCommittedSkipsAbortedRecordsAndControlRecords)
{
    ASSERT_NO_FATAL_FAILURE(write_transactions(broker, "tx-committed"));
    collector got;
    EXPECT_EQ(read_all("tx-committed", messages::isolation_level::read_committed, got), committed_records);
    for (const auto& m : got.messages) {
        ASSERT_TRUE(m.value.has_value());
        EXPECT_EQ(m.value->substr(0, 10), "committed-") << "offset " << m.offset;
    }
    EXPECT_TRUE(errors.empty()) << errors.front().message;
}

TEST_F(RealTransactions, ReadUncommittedSeesAbortedRecordsButNoControlRecords)
{
    ASSERT_NO_FATAL_FAILURE(write_transactions(broker, "tx-uncommitted"));
    collector got;
    auto offsets = read_all("tx-uncommitted", messages::isolation_level::read_uncommitted, got);
    std::vector<std::int64_t> expected = committed_records;
    expected.insert(expected.end(), aborted_records.begin(), aborted_records.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(offsets, expected);
    std::size_t aborted = 0;
    for (const auto& m : got.messages) aborted += m.value && m.value->starts_with("aborted-");
    EXPECT_EQ(aborted, aborted_records.size());
    EXPECT_TRUE(errors.empty()) << errors.front().message;
}

// The spout over the plan's topic under an isolation level: every record that level shows is
// emitted once (only committed ones under read_committed) and acked; returns the group's committed
// offset once it stops moving toward `want_commit` (or reaches it).
std::int64_t spout_commit_after_acking_all(const std::string& isolation, std::int64_t want_commit)
{
    kafka_broker& broker = shared_kafka_broker();
    const std::string topic = "tx-spout-" + isolation + "-" + std::to_string(want_commit);
    write_transactions(broker, topic);
    if (::testing::Test::HasFatalFailure()) return -1;
    auto conf = testing::static_spout_conf(broker.bootstrap(), topic, "g-" + topic);
    conf["kafka.isolation.level"] = isolation;
    testing::temp_dir pid_dir;
    testing::spout_task task(pid_dir, {conf});
    task.storm().open();
    task.storm().activate();
    const bool committed_only = isolation == "read_committed";
    const std::size_t want = committed_records.size() + (committed_only ? 0 : aborted_records.size());
    auto emits = task.next_until(want, 30s);
    EXPECT_EQ(emits.size(), want);
    std::set<std::int64_t> seen;
    for (const auto& e : emits) {
        auto [p, o] = testing::parse_emit_id(e);
        EXPECT_TRUE(seen.insert(o).second) << "emitted twice: " << *e.id;
        if (committed_only) {
            EXPECT_EQ(e.tuple.at(4).get<std::string>().substr(0, 10), "committed-") << *e.id;
        }
        task.storm().ack(*e.id);
    }
    std::map<std::int32_t, std::int64_t> committed;
    for (auto deadline = std::chrono::steady_clock::now() + 15s;
         committed[0] != want_commit && std::chrono::steady_clock::now() < deadline;) {
        EXPECT_TRUE(task.next_until(1, 200ms).empty()) << "emitted more than the " << want << " records";
        committed = testing::committed_offsets(broker.bootstrap(), "g-" + topic, topic, 1);
    }
    EXPECT_TRUE(testing::exits_zero_after_stdin_closes(task));
    return committed[0];
}

// The markers between transactions (5, 10, 14 under read_uncommitted), the aborted records (6-9
// under read_committed) and the marker that ends the log never hold the commit back: once every
// record is acked it reaches the log end, so a topic whose last write was a marker shows no lag.
class RealTransactionsSpout : public ::testing::TestWithParam<std::string> {};

TEST_P(RealTransactionsSpout, CommitsPastEveryControlRecordToTheLogEnd)
{
    EXPECT_EQ(spout_commit_after_acking_all(GetParam(), log_end), log_end);
}

INSTANTIATE_TEST_SUITE_P(Isolation, RealTransactionsSpout, ::testing::Values("read_committed", "read_uncommitted"));

} // namespace
} // namespace kspout::io::consumer_testing
