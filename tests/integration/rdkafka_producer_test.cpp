// The rdkafka engine's producer against the mock: records land as our producer's do, reports, flush, stop, refusals.
#include "protocol/io/error.hpp"
#include "protocol/io/producer.hpp"
#include "protocol/rdkafka/rdkafka_producer.hpp"
#include "tests/integration/io_producer_peers.hpp"

#include <gtest/gtest.h>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

class RdkafkaProducerTest : public ::testing::Test {
protected:
    mock_cluster mock{3};
    boost::asio::io_context ioc;

    std::shared_ptr<rdkafka::rdkafka_producer> make_rdkafka(io::producer_options options = {},
                                                            std::vector<rdkafka::property> passthrough = {})
    {
        auto properties = rdkafka::producer_properties(mock_cluster_options(mock), options, passthrough);
        auto p = rdkafka::rdkafka_producer::create(ioc.get_executor(), properties, options);
        producers_.push_back(p);
        return p;
    }

    void TearDown() override
    {
        for (auto& p : producers_) p->stop();
        ioc.restart();
        ioc.poll();
    }

    static std::vector<sent_record> keyed_records(int n)
    {
        std::vector<sent_record> out(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            auto& r = out[static_cast<std::size_t>(i)];
            r.key = "key-" + std::to_string(i % 17);
            if (i % 5 != 0) r.value = "value " + std::to_string(i);
            r.headers = {{"n", std::to_string(i)}, {"empty", std::nullopt}};
            r.timestamp = 1'700'000'000'000 + i;
        }
        return out;
    }

    std::vector<std::shared_ptr<rdkafka::rdkafka_producer>> producers_;
};

TEST_F(RdkafkaProducerTest, KeyedRecordsLandWhereOurProducerPutsThem)
{
    mock.create_topic("ours", 4);
    mock.create_topic("theirs", 4);
    auto ours_cluster = io::cluster::create(ioc.get_executor(), mock_cluster_options(mock));
    auto ours = io::producer::create(ours_cluster, {});
    auto theirs = make_rdkafka();

    auto by_ours = keyed_records(60);
    auto by_theirs = keyed_records(60);
    produce_all(*ours, "ours", by_ours);
    produce_all(*theirs, "theirs", by_theirs);
    ASSERT_FALSE(flush_and_wait(ioc, *ours));
    ASSERT_FALSE(flush_and_wait(ioc, *theirs));
    EXPECT_EQ(theirs->outstanding(), 0u);

    expect_seen_exactly(by_ours, consume_with_kcat(mock, "ours"), "ours read by kcat");
    expect_seen_exactly(by_theirs, consume_with_kcat(mock, "theirs"), "librdkafka's read by kcat");
    for (std::size_t i = 0; i < by_ours.size(); ++i) {
        EXPECT_EQ(by_theirs[i].delivered_partition, by_ours[i].delivered_partition) << "record " << i << " key "
                                                                                    << *by_ours[i].key;
    }
    ours->stop();
    ours_cluster->shut_down();
}

TEST_F(RdkafkaProducerTest, StopFailsWhatIsPendingOnceAndLaterFlushes)
{
    mock.create_topic("t", 2);
    auto p = make_rdkafka();
    auto records = keyed_records(200);
    produce_all(*p, "t", records);
    EXPECT_EQ(p->outstanding(), 200u);
    p->stop();
    std::optional<std::error_code> flushed;
    p->flush([&](std::error_code ec) { flushed = ec; });
    ASSERT_TRUE(run_until(ioc, [&] {
        return flushed && std::all_of(records.begin(), records.end(), [](const auto& r) { return r.deliveries > 0; });
    }));
    EXPECT_EQ(*flushed, io::errc::shut_down);
    for (const auto& r : records) {
        EXPECT_EQ(r.deliveries, 1);
        EXPECT_EQ(r.ec, io::errc::shut_down);
    }
    EXPECT_EQ(p->produce("t", 0, "k", "v"), io::errc::shut_down);
}

TEST_F(RdkafkaProducerTest, FlushSendsLingeringRecordsAtOnce)
{
    mock.create_topic("t", 2);
    io::producer_options lingering;
    lingering.linger = std::chrono::minutes(10);
    lingering.delivery_timeout = std::chrono::minutes(20);
    auto p = make_rdkafka(lingering);
    auto records = keyed_records(5);
    produce_all(*p, "t", records);
    ASSERT_FALSE(flush_and_wait(ioc, *p)); // within run_until's limit, far below the linger
    expect_seen_exactly(records, consume_with_kcat(mock, "t"), "kcat");
}

TEST_F(RdkafkaProducerTest, RefusesWhatDoesNotFitAsOurProducerDoes)
{
    mock.create_topic("t", 2);
    io::producer_options small;
    small.max_buffered_bytes = 1000;
    auto p = make_rdkafka(small);
    EXPECT_EQ(p->produce("t", 0, std::nullopt, std::string(2000, 'x')), io::producer_errc::record_too_large);
    EXPECT_EQ(p->produce("", 0, std::nullopt, "v"), io::producer_errc::empty_topic);
    EXPECT_FALSE(p->produce("t", 0, std::nullopt, std::string(400, 'a')));
    EXPECT_FALSE(p->produce("t", 1, std::nullopt, std::string(400, 'b')));
    EXPECT_FALSE(p->has_room(std::nullopt, std::string(400, 'c'), {}));
    EXPECT_EQ(p->produce("t", 0, std::nullopt, std::string(400, 'c')), io::producer_errc::queue_full);
    ASSERT_FALSE(flush_and_wait(ioc, *p));
    EXPECT_TRUE(p->has_room(std::nullopt, std::string(400, 'c'), {})) << "delivered records still count";
}

TEST_F(RdkafkaProducerTest, ARecordForAPartitionTheTopicLacksFails)
{
    mock.create_topic("t", 2);
    auto p = make_rdkafka();
    std::optional<std::error_code> result;
    auto refused = p->produce("t", 7, "k", "v", {}, std::nullopt,
                              [&](std::error_code ec, std::int32_t, std::int64_t) { result = ec; });
    if (!refused) {
        ASSERT_TRUE(run_until(ioc, [&] { return result.has_value(); }));
    }
    EXPECT_EQ(refused ? refused : *result, io::producer_errc::unknown_partition);
}

} // namespace
} // namespace kspout::testing
