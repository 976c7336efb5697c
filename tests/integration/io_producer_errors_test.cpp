// Producer failures against the mock: old Produce versions, fatal broker errors, a full buffer, timeouts, stop.
#include "protocol/io/error.hpp"
#include "protocol/io/producer.hpp"
#include "protocol/wire/broker_error.hpp"
#include "tests/integration/io_producer_peers.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

class ProducerErrors : public ::testing::Test {
protected:
    mock_cluster mock{3};
    boost::asio::io_context ioc;
    std::shared_ptr<io::cluster> cluster;
    std::vector<std::string> log_lines;

    void SetUp() override
    {
        mock.create_topic("t", 3);
        cluster = io::cluster::create(ioc.get_executor(), mock_cluster_options(mock));
    }

    void TearDown() override { cluster->shut_down(); }

    std::shared_ptr<io::producer> make_producer(io::producer_options options = {})
    {
        log::logger log;
        log.sink = [this](log::log_level, std::string_view line) { log_lines.emplace_back(line); };
        return io::producer::create(cluster, options, log);
    }

    static std::vector<sent_record> some_records(int n, std::optional<std::int32_t> partition = std::nullopt)
    {
        std::vector<sent_record> out(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            out[static_cast<std::size_t>(i)].partition = partition;
            out[static_cast<std::size_t>(i)].value = "record " + std::to_string(i);
        }
        return out;
    }

    static void expect_all_failed_with(const std::vector<sent_record>& records, std::error_code ec)
    {
        for (std::size_t i = 0; i < records.size(); ++i) {
            EXPECT_EQ(records[i].deliveries, 1) << "record " << i;
            EXPECT_EQ(records[i].ec, ec) << "record " << i << ": " << records[i].ec.message();
            EXPECT_EQ(records[i].delivered_offset, -1);
        }
    }
};

TEST_F(ProducerErrors, ZstdNeedsProduceV7)
{
    mock.set_api_versions(wire::api_key::produce, 0, 6);
    io::producer_options zstd;
    zstd.compression = records::compression::zstd;
    auto producer = make_producer(zstd);
    auto records = some_records(10);
    produce_all(*producer, "t", records);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));
    expect_all_failed_with(records, io::producer_errc::zstd_needs_produce_v7);
    EXPECT_NE(records[0].ec.message().find("Produce v7"), std::string::npos);

    // Same broker, another codec: fine.
    io::producer_options lz4;
    lz4.compression = records::compression::lz4;
    auto other = make_producer(lz4);
    auto more = some_records(10);
    produce_all(*other, "t", more);
    ASSERT_FALSE(flush_and_wait(ioc, *other));
    expect_seen_exactly(more, consume_with_kcat(mock, "t"), "kcat");
    producer->stop();
    other->stop();
}

// Produce v2 carries message set v1, which this mock refuses (it stores RecordBatch v2 only):
// the refusal shows the format followed the version. Headers cannot be carried at all.
TEST_F(ProducerErrors, ProduceBelowV3WritesMessageSets)
{
    mock.set_api_versions(wire::api_key::produce, 0, 2);
    auto producer = make_producer();
    auto plain = some_records(5, 0);
    auto with_headers = some_records(5, 1);
    for (auto& r : with_headers) r.headers = {{"h", "v"}};
    produce_all(*producer, "t", plain);
    produce_all(*producer, "t", with_headers);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));
    expect_all_failed_with(plain, wire::make_broker_error(35)); // UNSUPPORTED_VERSION, not retried
    expect_all_failed_with(with_headers, io::producer_errc::headers_need_produce_v3);
    producer->stop();
}

TEST_F(ProducerErrors, MessageTooLargeFailsTheBatchWithoutRetry)
{
    auto producer = make_producer();
    mock.push_errors(wire::api_key::produce, 10, 1); // MESSAGE_TOO_LARGE for the next request
    auto refused = some_records(5, 0);
    produce_all(*producer, "t", refused);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));
    expect_all_failed_with(refused, wire::make_broker_error(10));

    auto accepted = some_records(5, 0);
    produce_all(*producer, "t", accepted);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));
    for (std::size_t i = 0; i < accepted.size(); ++i) {
        EXPECT_EQ(accepted[i].delivered_offset, static_cast<std::int64_t>(i)); // nothing else was written
    }
    expect_seen_exactly(accepted, consume_with_kcat(mock, "t"), "kcat");
    for (const auto& line : log_lines) EXPECT_EQ(line.find("retry"), std::string::npos) << line;
    producer->stop();
}

TEST_F(ProducerErrors, AFullBufferRefusesAtOnce)
{
    io::producer_options options;
    options.max_buffered_bytes = 2000;
    auto producer = make_producer(options);
    int delivered = 0;
    int accepted = 0;
    std::error_code refused;
    for (int i = 0; i < 100 && !refused; ++i) {
        refused = producer->produce("t", std::nullopt, std::nullopt, std::string(200, 'x'), {}, std::nullopt,
                                    [&](std::error_code ec, std::int32_t, std::int64_t) {
                                        EXPECT_FALSE(ec) << ec.message();
                                        ++delivered;
                                    });
        if (!refused) ++accepted;
    }
    EXPECT_EQ(refused, io::producer_errc::queue_full);
    EXPECT_GT(accepted, 0);
    EXPECT_LE(producer->buffered_bytes(), options.max_buffered_bytes);
    EXPECT_EQ(producer->produce("t", std::nullopt, std::nullopt, std::string(3000, 'x')),
              io::producer_errc::record_too_large);
    EXPECT_EQ(producer->produce("", std::nullopt, std::nullopt, std::string("v")), io::producer_errc::empty_topic);

    ASSERT_FALSE(flush_and_wait(ioc, *producer));
    EXPECT_EQ(delivered, accepted); // refused records never call back
    EXPECT_EQ(producer->buffered_bytes(), 0u);
    EXPECT_FALSE(producer->produce("t", std::nullopt, std::nullopt, std::string(200, 'x')));
    producer->stop();
}

// Before the first metadata answer every record waits whole: an eighth of the buffer at most, or
// one record larger than that. Once the partitions are known the whole buffer is usable.
TEST_F(ProducerErrors, RecordsAwaitingMetadataHoldAnEighthOfTheBuffer)
{
    io::producer_options options;
    options.max_buffered_bytes = 80'000;
    auto producer = make_producer(options);
    const std::string value(100, 'v');
    std::vector<sent_record> sent;
    sent.reserve(1000);
    std::error_code refused;
    while (!refused) {
        auto& r = sent.emplace_back();
        r.value = value;
        refused = producer->produce("t", std::nullopt, std::nullopt, value, {}, std::nullopt,
                                    [&r](std::error_code ec, std::int32_t, std::int64_t) {
                                        ++r.deliveries;
                                        r.ec = ec;
                                    });
    }
    sent.pop_back();
    EXPECT_EQ(refused, io::producer_errc::queue_full);
    ASSERT_GT(sent.size(), 1u);
    EXPECT_LE(producer->buffered_bytes(), options.max_buffered_bytes / 8);
    EXPECT_GT(producer->buffered_bytes() + producer->buffered_bytes() / sent.size(), options.max_buffered_bytes / 8);
    EXPECT_FALSE(producer->has_room(std::nullopt, value, {}));

    ASSERT_FALSE(flush_and_wait(ioc, *producer));
    for (const auto& r : sent) {
        EXPECT_EQ(r.deliveries, 1);
        EXPECT_FALSE(r.ec) << r.ec.message();
    }
    EXPECT_TRUE(producer->has_room(std::nullopt, value, {}));
    std::vector<sent_record> after(3 * sent.size());
    for (auto& r : after) r.value = value;
    produce_all(*producer, "t", after); // the topic is known: beyond the eighth
    EXPECT_GT(producer->buffered_bytes(), options.max_buffered_bytes / 8);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));

    // A new topic: one record larger than the eighth waits alone.
    mock.create_topic("u", 1);
    EXPECT_FALSE(producer->produce("u", std::nullopt, std::nullopt, std::string(20'000, 'x')));
    EXPECT_EQ(producer->produce("u", std::nullopt, std::nullopt, value), io::producer_errc::queue_full);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));
    producer->stop();
}

TEST_F(ProducerErrors, UnknownPartitionFailsTheRecord)
{
    auto producer = make_producer();
    auto records = some_records(2, 7);
    produce_all(*producer, "t", records);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));
    expect_all_failed_with(records, io::producer_errc::unknown_partition);
    EXPECT_EQ(records[0].delivered_partition, 7);
    EXPECT_EQ(producer->produce("t", -2, std::nullopt, std::string("v")), io::producer_errc::unknown_partition);
    producer->stop();
}

TEST_F(ProducerErrors, RecordsWithoutALeaderTimeOut)
{
    mock.set_leader("t", 1, -1);
    io::producer_options options;
    options.delivery_timeout = 1s;
    options.retry_backoff = 50ms;
    auto producer = make_producer(options);
    auto stuck = some_records(3, 1);
    auto fine = some_records(3, 2);
    produce_all(*producer, "t", stuck);
    produce_all(*producer, "t", fine);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));
    expect_all_failed_with(stuck, io::producer_errc::delivery_timed_out);
    for (const auto& r : fine) EXPECT_FALSE(r.ec) << r.ec.message();
    producer->stop();
}

TEST_F(ProducerErrors, StopFailsEverythingPendingOnce)
{
    io::producer_options options;
    options.linger = 1h;
    auto producer = make_producer(options);
    auto records = some_records(10);
    produce_all(*producer, "t", records);
    // Metadata arrives, records linger in their partitions.
    ASSERT_TRUE(run_until(ioc, [&] { return producer->rounds().metadata_responses >= 1; }));
    std::optional<std::error_code> flushed;
    producer->flush([&](std::error_code ec) { flushed = ec; });
    producer->stop();
    producer->stop();
    EXPECT_EQ(records[0].deliveries, 0); // handlers run later, on the executor
    ASSERT_TRUE(run_until(ioc, [&] { return flushed.has_value(); }));
    EXPECT_EQ(*flushed, io::errc::shut_down);
    expect_all_failed_with(records, io::errc::shut_down);
    EXPECT_EQ(producer->outstanding(), 0u);
    EXPECT_EQ(producer->produce("t", std::nullopt, std::nullopt, std::string("late")), io::errc::shut_down);
}

TEST_F(ProducerErrors, BadOptionsAreRefusedByName)
{
    auto with = [&](auto change) {
        io::producer_options options;
        change(options);
        try {
            io::producer::create(cluster, options);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(with([](auto& o) { o.acks = 2; }).find("acks"), std::string::npos);
    EXPECT_NE(with([](auto& o) { o.batch_size = 0; }).find("batch_size"), std::string::npos);
    EXPECT_NE(with([](auto& o) { o.max_request_bytes = 0; }).find("max_request_bytes"), std::string::npos);
    EXPECT_NE(with([](auto& o) { o.max_requests_per_broker = 0; }).find("max_requests_per_broker"), std::string::npos);
    EXPECT_NE(with([](auto& o) { o.retries = -1; }).find("retries"), std::string::npos);
    EXPECT_NE(with([](auto& o) { o.delivery_timeout = 0ms; }).find("delivery_timeout"), std::string::npos);
    EXPECT_NE(with([](auto& o) { o.compression = static_cast<records::compression>(9); }).find("compression"),
              std::string::npos);
    EXPECT_EQ(with([](auto& o) { o.acks = 1; }), "");
    EXPECT_THROW(io::producer::create(nullptr, {}), std::invalid_argument);
}

} // namespace
} // namespace kspout::testing
