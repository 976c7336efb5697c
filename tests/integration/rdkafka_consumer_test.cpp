// The rdkafka engine against the mock: the same records as our consumer for every codec, offsets, starts, seek, pause, revoke.
#include "tests/integration/full_record.hpp"
#include "tests/integration/io_consumer_fixture.hpp"

#include "protocol/io/consumer_error.hpp"
#include "protocol/rdkafka/rdkafka_consumer.hpp"

namespace kspout::io::consumer_testing {
namespace {

class RdkafkaConsumerTest : public ConsumerFixture {
protected:
    void TearDown() override
    {
        for (auto& c : engines_) c->stop();
        ConsumerFixture::TearDown();
    }

    std::shared_ptr<rdkafka::rdkafka_consumer> make_rdkafka(consumer_options o,
                                                            std::vector<rdkafka::property> passthrough = {})
    {
        auto properties = rdkafka::consumer_properties(fast_cluster_options(), o, passthrough);
        auto c = rdkafka::rdkafka_consumer::create(ioc.get_executor(), properties, std::move(o), test_logger());
        c->on_error([this](const consumer_error& e) { errors.push_back(e); });
        engines_.push_back(c);
        return c;
    }

    std::vector<full_record> read(fetch_engine& c, std::size_t count) { return read_full_records(ioc, c, count); }

    // Records with headers and a null value, which kcat's -H and -Z produce.
    void produce_with_headers(const std::string& topic, std::int32_t partition, int count)
    {
        for (int i = 0; i < count; ++i) {
            auto result = testing::run_process({"kcat", "-b", bootstrap(), "-P", "-t", topic, "-p",
                                                std::to_string(partition), "-K:", "-Z", "-H", "trace=" + std::to_string(i),
                                                "-H", "origin=kcat"},
                                               "hkey-" + std::to_string(i) + ":" + (i % 2 ? "" : "v"));
            ASSERT_TRUE(result.ok()) << result.describe();
        }
    }

    std::vector<std::shared_ptr<rdkafka::rdkafka_consumer>> engines_;
};

TEST_F(RdkafkaConsumerTest, ReadsTheSameRecordsAsOurConsumerForEveryCodec)
{
    for (std::string codec : {"none", "gzip", "snappy", "lz4", "zstd"}) {
        SCOPED_TRACE(codec);
        const std::string topic = "same-" + codec;
        mock.create_topic(topic, 3);
        for (std::int32_t p = 0; p < 3; ++p) produce(topic, p, 25 + p, codec, 7);
        produce_with_headers(topic, 1, 4);
        const std::size_t total = 25 + 26 + 27 + 4;

        auto ours = make_consumer(options_for(topic));
        ASSERT_FALSE(ours->assign({{0, 0}, {1, 0}, {2, 0}}));
        auto theirs = make_rdkafka(options_for(topic));
        ASSERT_FALSE(theirs->assign({{0, 0}, {1, 0}, {2, 0}}));

        auto expected = read(*ours, total);
        auto got = read(*theirs, total);
        ASSERT_EQ(expected.size(), total);
        EXPECT_EQ(got, expected);
        EXPECT_EQ(theirs->position(2), 27);
        EXPECT_EQ(theirs->high_watermark(2), 27);
    }
    EXPECT_TRUE(errors.empty()) << errors.front().message;
}

TEST_F(RdkafkaConsumerTest, CommitsAreReadByOurConsumerAndKafkaPythonAndTheirsByIt)
{
    mock.create_topic("offsets", 3);
    auto options = options_for("offsets");
    options.group_id = "rk-group";
    auto theirs = make_rdkafka(options);
    ASSERT_FALSE(commit(*theirs, {{0, 5}, {1, 7}}));
    EXPECT_EQ(python_committed("rk-group", "offsets", {0, 1, 2}), "0=5\n1=7\n2=none\n");
    auto ours = make_consumer(options);
    EXPECT_EQ(committed(*ours, {0, 1, 2}), (std::map<std::int32_t, std::int64_t>{{0, 5}, {1, 7}, {2, -1}}));

    ASSERT_FALSE(commit(*ours, {{2, 11}}));
    EXPECT_EQ(committed(*theirs, {0, 1, 2}), (std::map<std::int32_t, std::int64_t>{{0, 5}, {1, 7}, {2, 11}}));
}

// librdkafka keeps a commit it cannot send until the coordinator's broker is back. One still
// unsent at its send-by time fails with commit_window_closed and never lands: its handle goes.
TEST_F(RdkafkaConsumerTest, ACommitNotSentByItsDeadlineIsWithdrawnNotSentLate)
{
    using std::chrono::steady_clock;
    mock.create_topic("outage", 1);
    auto options = options_for("outage");
    options.group_id = "outage-group";
    auto c = make_rdkafka(options);
    ASSERT_FALSE(commit(*c, {{0, 3}}));

    mock.broker_down(-1);
    EXPECT_EQ(commit_by(*c, {{0, 4}}, steady_clock::now() + 300ms), make_error_code(consumer_errc::commit_window_closed));
    EXPECT_EQ(commit_by(*c, {{0, 5}}, steady_clock::now()), make_error_code(consumer_errc::commit_window_closed));
    // Gone with the consumer, whose destruction waits until librdkafka's handles are destroyed.
    c->stop();
    engines_.clear();
    c.reset();
    mock.broker_up(-1);

    auto d = make_rdkafka(options);
    EXPECT_EQ(committed(*d, {0}), (std::map<std::int32_t, std::int64_t>{{0, 3}}));
    ASSERT_FALSE(commit_by(*d, {{0, 6}}, steady_clock::now() + 5s));
    EXPECT_EQ(python_committed("outage-group", "outage", {0}), "0=6\n");
    EXPECT_EQ(committed(*d, {0}), (std::map<std::int32_t, std::int64_t>{{0, 6}}));
}

TEST_F(RdkafkaConsumerTest, StartsAtTheCommittedOffsetElseByTheResetPolicy)
{
    mock.create_topic("starts", 3);
    for (std::int32_t p = 0; p < 3; ++p) produce("starts", p, 10);
    python_commit("start-group", "starts", {{0, 3}});

    auto options = options_for("starts", offset_reset::earliest);
    options.group_id = "start-group";
    auto earliest = make_rdkafka(options);
    ASSERT_FALSE(earliest->assign({{0, std::nullopt}, {1, std::nullopt}}));
    collector got;
    ASSERT_TRUE(testing::run_until(ioc, [&] {
        poll_all(*earliest, got);
        return got.count() >= 7 + 10;
    }));
    expect_exactly_once(got, "starts", {{0, 3}, {1, 0}}, {{0, 10}, {1, 10}, {2, 0}});

    // latest: nothing of what is there, then what comes.
    options.auto_offset_reset = offset_reset::latest;
    auto latest = make_rdkafka(options);
    ASSERT_FALSE(latest->assign({{2, std::nullopt}}));
    ASSERT_TRUE(testing::run_until(ioc, [&] { return latest->position(2).has_value(); }));
    EXPECT_EQ(latest->position(2), 10);
    produce("starts", 2, 3);
    collector fresh;
    ASSERT_TRUE(testing::run_until(ioc, [&] {
        poll_all(*latest, fresh);
        return fresh.count() >= 3;
    }));
    expect_exactly_once(fresh, "starts", {{0, 10}, {1, 10}, {2, 10}});

    // error: the partition stops and says why.
    options.auto_offset_reset = offset_reset::error;
    auto strict = make_rdkafka(options);
    ASSERT_FALSE(strict->assign({{1, std::nullopt}}));
    ASSERT_TRUE(testing::run_until(ioc, [&] { return !errors.empty(); }));
    EXPECT_EQ(errors.back().code, consumer_errc::no_offset);
    EXPECT_EQ(errors.back().partition, 1);
    EXPECT_EQ(strict->phase(1), partition_phase::stopped);
}

TEST_F(RdkafkaConsumerTest, SeekReplaysPauseHoldsBackRevokeEndsAPartition)
{
    mock.create_topic("moves", 3);
    for (std::int32_t p = 0; p < 3; ++p) produce("moves", p, 10);
    auto c = make_rdkafka(options_for("moves"));
    ASSERT_FALSE(c->assign({{0, 0}, {1, 0}}));
    ASSERT_FALSE(c->pause(1));
    collector first;
    ASSERT_TRUE(testing::run_until(ioc, [&] {
        poll_all(*c, first);
        return first.count() >= 10;
    }));
    EXPECT_EQ(first.count(0), 10u);
    EXPECT_EQ(first.count(1), 0u) << "a paused partition was returned";

    // Replay from 4 while partition 1 resumes: 4..9 again once, partition 1 whole once.
    ASSERT_FALSE(c->seek(0, 4));
    EXPECT_EQ(c->position(0), 4);
    ASSERT_FALSE(c->resume(1));
    collector second;
    ASSERT_TRUE(testing::run_until(ioc, [&] {
        poll_all(*c, second);
        return second.count() >= 6 + 10;
    }));
    expect_exactly_once(second, "moves", {{0, 4}, {1, 0}}, {{0, 10}, {1, 10}, {2, 0}});

    // Revoked: nothing more of it, even what arrives later; the others go on.
    c->revoke({0});
    EXPECT_EQ(c->assignment(), std::vector<std::int32_t>{1});
    EXPECT_EQ(c->seek(0, 0), consumer_errc::not_owned);
    produce("moves", 0, 5);
    produce("moves", 1, 5);
    collector third;
    ASSERT_TRUE(testing::run_until(ioc, [&] {
        poll_all(*c, third);
        return third.count(1) >= 5;
    }));
    EXPECT_EQ(third.count(0), 0u);
    EXPECT_EQ(third.count(), 5u);
}

TEST_F(RdkafkaConsumerTest, StopCompletesWhatIsPendingWithShutDown)
{
    mock.create_topic("stop", 1);
    auto options = options_for("stop");
    options.group_id = "stop-group";
    auto c = make_rdkafka(options);
    ASSERT_FALSE(c->assign({{0, 0}}));
    std::optional<std::error_code> waited, committed_result;
    c->async_wait_data([&](std::error_code ec) { waited = ec; });
    c->commit({{0, 1}}, [&](std::error_code ec) { committed_result = ec; });
    c->stop();
    ASSERT_TRUE(testing::run_until(ioc, [&] { return waited && committed_result; }));
    EXPECT_EQ(*waited, errc::shut_down);
    EXPECT_EQ(*committed_result, errc::shut_down);
    EXPECT_TRUE(c->poll(10).empty());
}

TEST_F(RdkafkaConsumerTest, APropertyLibrdkafkaRefusesIsNamedWithItsReason)
{
    try {
        make_rdkafka(options_for("any"), {{"no.such.property", "1"}});
        FAIL() << "librdkafka accepted an unknown property";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("no.such.property"), std::string::npos) << e.what();
    }
    // Its reason may quote the value, which for a secret is never shown.
    try {
        make_rdkafka(options_for("any"), {{"no.such.password", "hunter2"}});
        FAIL() << "librdkafka accepted an unknown property";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("no.such.password: (its value is hidden)"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace kspout::io::consumer_testing
