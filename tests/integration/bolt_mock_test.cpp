// kafka-bolt against the mock cluster: acks after delivery, fails on delivery errors and bad tuples, EOF, pacing.
#include "protocol/wire/api_key.hpp"
#include "tests/integration/bolt_harness.hpp"
#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/mock_cluster.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <set>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using multilang::bolt_output;
using multilang::json;

// Kafka error codes the mock injects.
constexpr int message_too_large = 10;
constexpr int request_timed_out = 7;

class BoltMockTest : public ::testing::Test {
protected:
    temp_dir pid_dir;
    mock_cluster mock{1};

    std::unique_ptr<bolt_task> start(json extra = json::object(), bolt_task_options options = {})
    {
        options.conf = bolt_conf(mock.bootstrap(), "copies");
        for (auto& [key, value] : extra.items()) options.conf[key] = value;
        auto task = std::make_unique<bolt_task>(pid_dir, std::move(options));
        task->storm().open();
        return task;
    }

    // Sends count spout tuples "t<i>" with key-i / value-i on partition i % partitions.
    std::vector<std::string> send(bolt_task& task, int count, int partitions, int first = 0)
    {
        std::vector<std::string> ids;
        for (int i = first; i < first + count; ++i) {
            ids.push_back("t" + std::to_string(i));
            task.storm().execute(
                spout_tuple(ids.back(), i % partitions, i, "key-" + std::to_string(i), "value-" + std::to_string(i)));
        }
        return ids;
    }

    static bool contains(const std::vector<std::string>& list, const std::string& item)
    {
        return std::find(list.begin(), list.end(), item) != list.end();
    }

    static std::string joined_logs(const bolt_output& out)
    {
        std::string all;
        for (const auto& l : out.logs) all += l.msg + "\n";
        return all;
    }
};

TEST_F(BoltMockTest, EveryTupleIsAckedOnceItsRecordIsReadable)
{
    mock.create_topic("copies", 3);
    auto task = start();
    auto ids = send(*task, 60, 3);
    auto out = task->read_until_settled(ids);
    EXPECT_TRUE(out.failed.empty()) << joined_logs(out);
    EXPECT_EQ(std::set<std::string>(out.acked.begin(), out.acked.end()).size(), 60u);
    EXPECT_EQ(out.acked.size(), 60u); // once each

    // Acked means the broker has it: a peer reads every record, in its tuple's partition.
    std::map<std::string, seen_record> by_key;
    for (auto& r : consume_with_kcat(mock, "copies")) by_key[r.key.value_or("")] = r;
    ASSERT_EQ(by_key.size(), 60u);
    for (int i = 0; i < 60; ++i) {
        const auto& r = by_key["key-" + std::to_string(i)];
        EXPECT_EQ(r.value, "value-" + std::to_string(i));
        EXPECT_EQ(r.partition, i % 3);
    }
    task->process().close_stdin();
    EXPECT_TRUE(exits_zero(task->process(), 30s));
}

TEST_F(BoltMockTest, LingerEndsOnceStormCanSendNoMoreTuples)
{
    // ShellBolt sends topology.shellbolt.max.pending tuples, then waits for acks: a ten-minute
    // linger must not hold them. The harness reads each message within 10 s, so the acks must
    // come from the early send, not from the linger running out.
    mock.create_topic("copies", 3);
    auto task = start({{"kafka.bolt.linger.ms", 600'000},
                       {"kafka.bolt.delivery.timeout.ms", 900'000},
                       {"topology.message.timeout.secs", 1000},
                       {"topology.shellbolt.max.pending", 6}});
    auto ids = send(*task, 6, 3);
    auto out = task->read_until_settled(ids);
    EXPECT_EQ(out.acked.size(), 6u) << joined_logs(out);
    EXPECT_TRUE(out.failed.empty());
}

TEST_F(BoltMockTest, ADeliveryErrorFailsTheTupleWithALogLine)
{
    mock.create_topic("copies", 1);
    auto task = start();
    auto first = send(*task, 1, 1);
    ASSERT_TRUE(task->read_until_settled(first).failed.empty()); // connected and warm

    mock.push_errors(wire::api_key::produce, message_too_large, 1);
    auto ids = send(*task, 1, 1, 1);
    auto out = task->read_until_settled(ids);
    ASSERT_EQ(out.failed, ids);
    EXPECT_TRUE(out.acked.empty());
    auto logs = joined_logs(out);
    EXPECT_NE(logs.find("failing tuple t1: its record to copies-0 was not written"), std::string::npos) << logs;

    // The fault is gone: Storm's replay of it goes through.
    auto replay = send(*task, 1, 1, 1);
    EXPECT_EQ(task->read_until_settled(replay).acked, replay);
    EXPECT_EQ(consume_with_kcat(mock, "copies").size(), 2u);
}

TEST_F(BoltMockTest, ADeliveryTimeoutPastStormsMessageTimeoutIsWarnedAbout)
{
    mock.create_topic("copies", 1);
    auto task = start({{"kafka.bolt.delivery.timeout.ms", 30000}});
    auto out = task->storm().heartbeat();
    auto logs = joined_logs(out);
    EXPECT_NE(logs.find("kafka.bolt.delivery.timeout.ms (30000) is not below topology.message.timeout.secs (30 s)"),
              std::string::npos)
        << logs;
}

TEST_F(BoltMockTest, RetriesGiveUpAtTheDeliveryTimeout)
{
    mock.create_topic("copies", 1);
    auto task = start({{"kafka.bolt.delivery.timeout.ms", 400}});
    mock.push_errors(wire::api_key::produce, request_timed_out, 1000);
    auto ids = send(*task, 3, 1);
    auto out = task->read_until_settled(ids);
    EXPECT_EQ(out.failed.size(), 3u);
    EXPECT_TRUE(out.acked.empty());
    EXPECT_NE(joined_logs(out).find("was not written"), std::string::npos) << joined_logs(out);
}

TEST_F(BoltMockTest, BadTuplesAreFailedWithAClearLogLine)
{
    mock.create_topic("copies", 1);
    auto task = start();
    auto short_tuple = spout_tuple("short", 0, 0, "k", "v");
    short_tuple.values.erase(4);
    auto bad_partition = spout_tuple("bad", 0, 0, "k", "v");
    bad_partition.values[1] = "zero";
    task->storm().execute(short_tuple);
    task->storm().execute(bad_partition);
    auto good = send(*task, 1, 1);
    auto out = task->read_until_settled({"short", "bad", good[0]});
    EXPECT_EQ(out.failed, (std::vector<std::string>{"short", "bad"}));
    EXPECT_EQ(out.acked, good);
    auto logs = joined_logs(out);
    EXPECT_NE(logs.find("failing tuple short from kafka on default: the tuple has 4 values, kafka.bolt.fields names 5"),
              std::string::npos)
        << logs;
    EXPECT_NE(logs.find(R"(failing tuple bad from kafka on default: field "partition" (position 1): expected a )"
                        R"(partition number or null, got "zero")"),
              std::string::npos)
        << logs;
    EXPECT_EQ(consume_with_kcat(mock, "copies").size(), 1u);
}

TEST_F(BoltMockTest, BadTuplesGoToTheErrorStreamWhenOneIsSet)
{
    mock.create_topic("copies", 1);
    bolt_task_options options;
    options.output_fields = {{"bad-tuples", {"reason", "tuple"}}};
    auto task = start({{"kafka.bolt.error.stream", "bad-tuples"}}, std::move(options));
    auto bad = spout_tuple("bad", 0, 0, "k", "v");
    bad.values[3] = 17;
    task->storm().execute(bad);
    auto out = task->read_until_settled({"bad"});
    EXPECT_EQ(out.acked, std::vector<std::string>{"bad"});
    ASSERT_EQ(out.emits.size(), 1u);
    EXPECT_EQ(out.emits[0].stream, "bad-tuples");
    EXPECT_EQ(out.emits[0].anchors, std::vector<std::string>{"bad"});
    EXPECT_EQ(out.emits[0].tuple[0], R"(field "key" (position 3): expected a string or null, got 17)");
    EXPECT_EQ(out.emits[0].tuple[1], bad.values);
}

TEST_F(BoltMockTest, StdinEofFlushesAcksWhatTheBrokerHasAndExitsZero)
{
    mock.create_topic("copies", 2);
    // A long linger: the records are still in the bolt when Storm goes away.
    auto task = start({{"kafka.bolt.linger.ms", 60000}});
    auto ids = send(*task, 20, 2);
    task->process().close_stdin();
    auto out = task->read_until_settled(ids);
    EXPECT_EQ(out.acked.size(), 20u) << joined_logs(out);
    EXPECT_TRUE(exits_zero(task->process(), 30s));
    EXPECT_EQ(consume_with_kcat(mock, "copies").size(), 20u);
}

TEST_F(BoltMockTest, SigtermFlushesLikeEof)
{
    mock.create_topic("copies", 1);
    auto task = start({{"kafka.bolt.linger.ms", 60000}});
    auto ids = send(*task, 5, 1);
    task->storm().heartbeat(); // every tuple was read before the signal
    task->process().signal(SIGTERM);
    auto out = task->read_until_settled(ids);
    EXPECT_EQ(out.acked.size(), 5u) << joined_logs(out);
    EXPECT_TRUE(exits_zero(task->process(), 30s));
}

TEST_F(BoltMockTest, WhatTheBrokerNeverConfirmsIsNotAckedAtExit)
{
    mock.create_topic("copies", 1);
    auto task = start({{"kafka.bolt.close.timeout.ms", 200}});
    auto first = send(*task, 1, 1);
    ASSERT_EQ(task->read_until_settled(first).acked, first);
    mock.broker_down(-1);
    auto ids = send(*task, 3, 1, 1);
    task->storm().heartbeat();
    task->process().close_stdin();
    auto out = task->storm().read_until([](const bolt_output& o) {
        return joined_logs(o).find("still in flight") != std::string::npos;
    });
    EXPECT_TRUE(out.acked.empty()) << joined_logs(out);
    EXPECT_TRUE(exits_zero(task->process(), 30s));
}

TEST_F(BoltMockTest, AtTheBoundTheBoltStillAnswersHeartbeats)
{
    mock.create_topic("copies", 1);
    bolt_task_options options;
    options.timeout = 2s; // the bolt lets a heartbeat through every 500 ms while paused
    auto task = start({{"kafka.bolt.max.in.flight", 2}}, std::move(options));
    auto first = send(*task, 1, 1);
    ASSERT_EQ(task->read_until_settled(first).acked, first);

    mock.broker_down(-1);
    auto ids = send(*task, 20, 1, 1);
    // Nothing can be delivered, the bolt holds its bound, and each heartbeat still gets its sync
    // within the host's 2 s silence limit (read_until throws past it).
    for (int i = 0; i < 4; ++i) {
        auto out = task->storm().heartbeat();
        EXPECT_EQ(out.syncs, 1u);
        EXPECT_TRUE(out.acked.empty());
        EXPECT_TRUE(out.failed.empty());
    }
    mock.broker_up(-1);
    // Delivered once the broker is back (librdkafka may take a reconnect backoff or two), each
    // tuple once; meanwhile the host heartbeats every second, as ShellBolt does.
    bolt_output out;
    auto add = [&out](const bolt_output& more) {
        out.acked.insert(out.acked.end(), more.acked.begin(), more.acked.end());
        out.failed.insert(out.failed.end(), more.failed.begin(), more.failed.end());
        out.logs.insert(out.logs.end(), more.logs.begin(), more.logs.end());
    };
    auto settled = [&] { return out.acked.size() + out.failed.size() >= ids.size(); };
    for (int beats = 0; beats < 60 && !settled(); ++beats) {
        add(task->storm().read_for(1s));
        if (!settled()) add(task->storm().heartbeat());
    }
    EXPECT_EQ(out.acked.size(), 20u) << joined_logs(out);
    std::map<std::string, int> per_key;
    for (auto& r : consume_with_kcat(mock, "copies")) ++per_key[r.key.value_or("")];
    EXPECT_EQ(per_key.size(), 21u);
    for (auto& [key, n] : per_key) EXPECT_EQ(n, 1) << key;
}

TEST_F(BoltMockTest, AFullProducerBufferHoldsTuplesBackInsteadOfFailingThem)
{
    mock.create_topic("copies", 1);
    // Room for about three of these records at a time; the bolt has thirty in hand.
    auto task = start({{"kafka.bolt.buffer.max.bytes", 3000}, {"kafka.bolt.linger.ms", 20}});
    std::vector<std::string> ids;
    for (int i = 0; i < 30; ++i) {
        ids.push_back("t" + std::to_string(i));
        task->storm().execute(spout_tuple(ids.back(), 0, i, "key-" + std::to_string(i), std::string(600, 'v')));
    }
    auto out = task->read_until_settled(ids);
    EXPECT_TRUE(out.failed.empty()) << joined_logs(out);
    EXPECT_EQ(out.acked.size(), 30u);
    EXPECT_EQ(consume_with_kcat(mock, "copies").size(), 30u);
}

} // namespace
} // namespace kspout::testing
