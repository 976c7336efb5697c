// SimpleConsumer under mock faults (outage, leader move, pushed errors, corrupt batch): nothing lost or repeated.
#include "tests/integration/io_consumer_fixture.hpp"

#include "protocol/messages/produce.hpp"
#include "protocol/records/records_writer.hpp"
#include "protocol/wire/broker_error.hpp"
#include "protocol/wire/error.hpp"

#include <algorithm>

namespace kspout::io::consumer_testing {
namespace {

class ConsumerFaults : public ConsumerFixture {
protected:
    std::int32_t leader_of(const std::string& topic, std::int32_t partition)
    {
        std::optional<std::error_code> done;
        shared_cluster()->refresh_metadata({topic}, [&](std::error_code ec) { done = ec; });
        EXPECT_TRUE(testing::run_until(ioc, [&] { return done.has_value(); }));
        const topic_metadata* meta = shared_cluster()->topic(topic);
        if (!meta) return -1;
        for (const auto& p : meta->partitions) {
            if (p.partition == partition) return p.leader;
        }
        return -1;
    }

    // A consumer that buffers little, so that it is mid-way when the fault strikes.
    std::shared_ptr<simple_consumer> slow_consumer(const std::string& topic)
    {
        auto options = options_for(topic);
        options.queued_max_messages = 5;
        auto consumer = make_consumer(options);
        consumer->assign_all();
        return consumer;
    }

    // Polls a few messages at a time until `total` have come.
    bool consume_slowly(simple_consumer& c, collector& got, std::size_t total)
    {
        return testing::run_until(ioc, [&] {
            got.add(c.poll(4));
            return got.count() >= total;
        });
    }
};

TEST_F(ConsumerFaults, BrokerDownThenUp)
{
    mock.create_topic("outage", 3);
    for (std::int32_t p = 0; p < 3; ++p) produce("outage", p, 40, "none", 5);
    auto consumer = slow_consumer("outage");
    collector got;
    ASSERT_TRUE(consume_slowly(*consumer, got, 20));
    std::int32_t leader = leader_of("outage", 0);
    ASSERT_GT(leader, 0);
    ASSERT_LT(got.count(0) + consumer->buffered_messages(0), 40u) << "partition 0 must still have data to fetch";

    mock.broker_down(leader);
    testing::run_until(ioc, [&] {
        got.add(consumer->poll(4));
        return log_count("fetch from broker " + std::to_string(leader) + " failed") >= 2;
    });
    mock.broker_up(leader);
    ASSERT_TRUE(consume_until(*consumer, got, 120)) << got.count();
    produce("outage", 0, 10); // the restarted broker serves new data from where we stood
    ASSERT_TRUE(consume_until(*consumer, got, 130)) << got.count();
    expect_exactly_once(got, "outage");
    EXPECT_GE(log_count("fetch from broker " + std::to_string(leader) + " failed"), 2u);
    EXPECT_TRUE(errors.empty());
}

TEST_F(ConsumerFaults, LeaderMovesMidConsumption)
{
    mock.create_topic("moving", 2);
    for (std::int32_t p = 0; p < 2; ++p) produce("moving", p, 40, "gzip", 5);
    auto consumer = slow_consumer("moving");
    collector got;
    ASSERT_TRUE(consume_slowly(*consumer, got, 20));
    std::int32_t old_leader = leader_of("moving", 0);
    ASSERT_GT(old_leader, 0);
    ASSERT_LT(got.count(0) + consumer->buffered_messages(0), 40u);

    mock.set_leader("moving", 0, old_leader % 3 + 1);
    ASSERT_TRUE(consume_until(*consumer, got, 80)) << got.count();
    produce("moving", 0, 10); // kcat writes to the new leader
    ASSERT_TRUE(consume_until(*consumer, got, 90)) << got.count();
    expect_exactly_once(got, "moving");
    EXPECT_GE(log_count("partition 0 offset"), 1u);
    EXPECT_GE(log_count("NOT_LEADER_OR_FOLLOWER; refreshing metadata"), 1u);
    EXPECT_TRUE(errors.empty());
}

class ConsumerPushedErrors : public ConsumerFaults, public ::testing::WithParamInterface<int> {};

TEST_P(ConsumerPushedErrors, FetchErrorsAreRetriedWithoutLossOrDuplicates)
{
    const int code = GetParam();
    const std::string name(wire::broker_error(static_cast<std::int16_t>(code)).name);
    mock.create_topic("pushed", 2);
    for (std::int32_t p = 0; p < 2; ++p) produce("pushed", p, 30, "snappy", 5);
    auto consumer = slow_consumer("pushed");
    collector got;
    ASSERT_TRUE(consume_slowly(*consumer, got, 10));
    mock.push_errors(wire::api_key::fetch, code, 3);
    ASSERT_TRUE(consume_until(*consumer, got, 60)) << got.count();
    produce("pushed", 1, 5);
    ASSERT_TRUE(consume_until(*consumer, got, 65)) << got.count();
    expect_exactly_once(got, "pushed");
    // Each of the three failed Fetch requests carried at least one partition.
    EXPECT_GE(log_count(name), 3u);
    EXPECT_TRUE(errors.empty());
}

INSTANTIATE_TEST_SUITE_P(Codes, ConsumerPushedErrors, ::testing::Values(6, 7),
                         [](const ::testing::TestParamInfo<int>& param) {
                             return std::string(wire::broker_error(static_cast<std::int16_t>(param.param)).name);
                         });

TEST_F(ConsumerFaults, CorruptBatchIsReportedAndStopsThePartitionThere)
{
    mock.create_topic("corrupt", 1);
    produce("corrupt", 0, 10);
    // The mock stores a batch without checking its CRC: write one, then break a value.
    std::vector<std::string> values = {"bad-10", "bad-11", "bad-12"};
    std::vector<records::record_to_write> records(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) records[i].value = wire::as_bytes(values[i]);
    wire::byte_buffer blob = records::write_records(records, {});
    std::string_view needle = "bad-11";
    auto at = std::search(blob.begin(), blob.end(), needle.begin(), needle.end());
    ASSERT_NE(at, blob.end());
    *at = 'B';
    messages::produce_request req;
    req.acks = 1;
    req.topics = {{"corrupt", {{0, blob}}}};
    ASSERT_GT(leader_of("corrupt", 0), 0);
    auto leader = shared_cluster()->leader_for("corrupt", 0);
    ASSERT_NE(leader, nullptr);
    std::optional<std::error_code> produced_ec;
    std::int16_t partition_error = -1;
    leader->request<messages::produce_request, messages::produce_response>(
        wire::api_key::produce, req, 5s, [&](std::error_code ec, response<messages::produce_response> r) {
            produced_ec = ec;
            if (!ec) partition_error = r.body.topics.at(0).partitions.at(0).error_code;
        });
    ASSERT_TRUE(testing::run_until(ioc, [&] { return produced_ec.has_value(); }));
    ASSERT_FALSE(*produced_ec) << produced_ec->message();
    ASSERT_EQ(partition_error, 0);
    for (const auto& v : values) produced["corrupt"][0].push_back({"", v}); // offsets 10..12
    produce("corrupt", 0, 5);                                                // offsets 13..17

    auto consumer = make_consumer(options_for("corrupt"));
    consumer->assign_all();
    collector got;
    ASSERT_TRUE(testing::run_until(ioc, [&] {
        poll_all(*consumer, got);
        return !errors.empty();
    }));
    // The partition stopped at the corrupt batch: once the last fetch lands, none follows.
    ASSERT_TRUE(testing::run_until(ioc, [&] { return !consumer->fetching(); }));
    ioc.poll();
    EXPECT_FALSE(consumer->fetching());
    poll_all(*consumer, got);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, wire::make_error_code(wire::errc::bad_crc));
    EXPECT_EQ(errors[0].partition, 0);
    EXPECT_NE(errors[0].message.find("topic corrupt partition 0 offset 10"), std::string::npos) << errors[0].message;
    EXPECT_EQ(consumer->phase(0), partition_phase::stopped);
    EXPECT_EQ(consumer->position(0), 10);
    expect_exactly_once(got, "corrupt", {}, {{0, 10}}); // everything before the bad batch, nothing after

    // Skipping the bad batch is the caller's decision.
    ASSERT_FALSE(consumer->seek(0, 13));
    collector rest;
    ASSERT_TRUE(consume_until(*consumer, rest, 5));
    expect_exactly_once(rest, "corrupt", {{0, 13}});
}

} // namespace
} // namespace kspout::io::consumer_testing
