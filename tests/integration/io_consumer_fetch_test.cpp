// SimpleConsumer against the mock: every message once, reset policies, revoke, pause, buffer bound, stop.
#include "tests/integration/io_consumer_fixture.hpp"

#include "protocol/io/error.hpp"
#include "protocol/wire/broker_error.hpp"

namespace kspout::io::consumer_testing {
namespace {

using ConsumerFetch = ConsumerFixture;

TEST_F(ConsumerFetch, ConsumesEveryMessageOnceAcrossPartitionsAndCodecs)
{
    const std::vector<std::string> codecs = {"none", "gzip", "snappy", "lz4", "zstd"};
    mock.create_topic("all", static_cast<int>(codecs.size()));
    for (std::size_t p = 0; p < codecs.size(); ++p) produce("all", static_cast<std::int32_t>(p), 60, codecs[p], 7);

    auto consumer = make_consumer(options_for("all"));
    consumer->assign_all();
    // Wait for data through the notification instead of spinning on poll().
    collector got;
    bool waiting = false;
    std::function<void()> wait_more = [&] {
        waiting = true;
        consumer->async_wait_data([&](std::error_code ec) {
            waiting = false;
            ASSERT_FALSE(ec) << ec.message();
            poll_all(*consumer, got, 25);
            if (got.count() < produced_count("all")) wait_more();
        });
    };
    wait_more();
    ASSERT_TRUE(testing::run_until(ioc, [&] { return got.count() >= produced_count("all"); }))
        << got.count() << " of " << produced_count("all");
    ASSERT_TRUE(more_fetch_rounds(*consumer, 2)); // nothing more arrives
    poll_all(*consumer, got);
    expect_exactly_once(got, "all");

    EXPECT_EQ(consumer->assignment().size(), codecs.size());
    for (std::int32_t p = 0; p < static_cast<std::int32_t>(codecs.size()); ++p) {
        EXPECT_EQ(consumer->position(p), 60);
        EXPECT_EQ(consumer->high_watermark(p), 60);
        EXPECT_EQ(consumer->phase(p), partition_phase::active);
    }
    EXPECT_EQ(consumer->buffered_messages(), 0u);
    EXPECT_TRUE(errors.empty());
    // Messages of each partition come in offset order.
    std::map<std::int32_t, std::int64_t> last;
    for (const auto& m : got.messages) {
        if (last.contains(m.partition)) {
            EXPECT_GT(m.offset, last[m.partition]);
        }
        last[m.partition] = m.offset;
    }
}

TEST_F(ConsumerFetch, AssignAllTakesPartitionsMetadataShowsLater)
{
    mock.create_topic("later", 2);
    produce("later", 0, 6);
    produce("later", 1, 4);
    mock.set_topic_error("later", 3); // metadata lists the topic without partitions
    auto consumer = make_consumer(options_for("later"));
    consumer->assign_all();
    ASSERT_TRUE(more_metadata_rounds(*consumer, 2));
    EXPECT_TRUE(consumer->assignment().empty());

    mock.set_topic_error("later", 0);
    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, 10));
    EXPECT_EQ(consumer->assignment(), (std::vector<std::int32_t>{0, 1}));
    expect_exactly_once(got, "later");
}

TEST_F(ConsumerFetch, EarliestStartsAtTheLogStart)
{
    mock.create_topic("early", 2);
    produce("early", 0, 10);
    produce("early", 1, 12);
    auto consumer = make_consumer(options_for("early", offset_reset::earliest));
    ASSERT_FALSE(consumer->assign({{0, std::nullopt}, {1, std::nullopt}}));
    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, 22));
    expect_exactly_once(got, "early");
}

TEST_F(ConsumerFetch, LatestSeesOnlyWhatIsProducedAfterwards)
{
    mock.create_topic("late", 2);
    produce("late", 0, 10);
    produce("late", 1, 10);
    auto consumer = make_consumer(options_for("late", offset_reset::latest));
    consumer->assign_all();
    ASSERT_TRUE(testing::run_until(ioc, [&] { return consumer->position(0) && consumer->position(1); }));
    EXPECT_EQ(consumer->position(0), 10);
    EXPECT_EQ(consumer->position(1), 10);
    produce("late", 0, 5);
    produce("late", 1, 3);
    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, 8));
    expect_exactly_once(got, "late", {{0, 10}, {1, 10}});
}

TEST_F(ConsumerFetch, ErrorPolicyReportsAndStopsInsteadOfGuessing)
{
    mock.create_topic("strict", 2);
    produce("strict", 0, 4);
    auto consumer = make_consumer(options_for("strict", offset_reset::error));
    consumer->assign_all();
    ASSERT_TRUE(testing::run_until(ioc, [&] { return errors.size() >= 2; }));
    for (const auto& e : errors) {
        EXPECT_EQ(e.code, make_error_code(consumer_errc::no_offset));
        EXPECT_NE(e.message.find("topic strict partition " + std::to_string(e.partition)), std::string::npos)
            << e.message;
    }
    EXPECT_EQ(consumer->phase(0), partition_phase::stopped);
    EXPECT_EQ(consumer->phase(1), partition_phase::stopped);
    collector got;
    ASSERT_TRUE(testing::run_until(ioc, [&] { return !consumer->fetching(); }));
    ioc.poll(); // what is queued runs: a stopped partition schedules no fetch
    EXPECT_FALSE(consumer->fetching());
    EXPECT_EQ(poll_all(*consumer, got), 0u);

    // A stopped partition restarts at an explicit offset.
    ASSERT_FALSE(consumer->seek(0, 1));
    ASSERT_TRUE(consume_until(*consumer, got, 3));
    expect_exactly_once(got, "strict", {{0, 1}});
}

TEST_F(ConsumerFetch, OutOfRangeAppliesTheResetPolicy)
{
    mock.create_topic("range", 1);
    produce("range", 0, 15);

    auto resetting = make_consumer(options_for("range", offset_reset::earliest));
    ASSERT_FALSE(resetting->assign({{0, 1000}})); // beyond the log end: OFFSET_OUT_OF_RANGE
    collector got;
    ASSERT_TRUE(consume_until(*resetting, got, 15));
    expect_exactly_once(got, "range");
    EXPECT_GE(log_count("OFFSET_OUT_OF_RANGE"), 1u);

    auto strict = make_consumer(options_for("range", offset_reset::error));
    ASSERT_FALSE(strict->assign({{0, 1000}}));
    ASSERT_TRUE(testing::run_until(ioc, [&] { return !errors.empty(); }));
    EXPECT_EQ(errors[0].code, wire::make_broker_error(1));
    EXPECT_EQ(errors[0].offset, 1000);
    EXPECT_EQ(strict->phase(0), partition_phase::stopped);
    EXPECT_EQ(strict->position(0), 1000); // stopped where it stood, nothing skipped
}

TEST_F(ConsumerFetch, RevokeDropsBufferedMessagesAtOnce)
{
    mock.create_topic("revoke", 2);
    produce("revoke", 0, 30);
    produce("revoke", 1, 30);
    auto consumer = make_consumer(options_for("revoke"));
    consumer->assign_all();
    ASSERT_TRUE(testing::run_until(ioc, [&] {
        return consumer->buffered_messages(0) > 0 && consumer->buffered_messages(1) > 0;
    }));
    std::size_t other_buffered = consumer->buffered_messages(1);
    consumer->revoke({0});
    EXPECT_EQ(consumer->buffered_messages(0), 0u);
    EXPECT_EQ(consumer->buffered_messages(), consumer->buffered_messages(1));
    EXPECT_GE(consumer->buffered_messages(1), other_buffered);
    EXPECT_FALSE(consumer->position(0));
    EXPECT_EQ(consumer->assignment(), std::vector<std::int32_t>{1});

    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, 30));
    EXPECT_EQ(got.count(0), 0u);
    EXPECT_EQ(got.count(1), 30u);
    // A fetch that was in flight for partition 0 when it was revoked changes nothing either.
    ASSERT_TRUE(more_fetch_rounds(*consumer, 2));
    poll_all(*consumer, got);
    EXPECT_EQ(got.count(0), 0u);
    EXPECT_EQ(consumer->buffered_messages(), 0u);
}

TEST_F(ConsumerFetch, PausedPartitionsAreNeitherFetchedNorReturned)
{
    mock.create_topic("pause", 2);
    produce("pause", 0, 10);
    produce("pause", 1, 10);
    auto consumer = make_consumer(options_for("pause"));
    consumer->assign_all();
    ASSERT_TRUE(testing::run_until(ioc, [&] { return consumer->assignment().size() == 2; }));
    ASSERT_FALSE(consumer->pause(0));
    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, 10));
    EXPECT_EQ(got.count(0), 0u);
    EXPECT_EQ(got.count(1), 10u);

    bool woke = false;
    consumer->async_wait_data([&](std::error_code ec) { woke = !ec; });
    ASSERT_FALSE(consumer->resume(0));
    ASSERT_TRUE(consume_until(*consumer, got, 20));
    EXPECT_TRUE(woke);
    expect_exactly_once(got, "pause");
    EXPECT_EQ(consumer->pause(7), make_error_code(consumer_errc::not_owned));
}

TEST_F(ConsumerFetch, BufferStaysWithinItsBoundWhenNotPolled)
{
    // Bound per partition: queued_max_messages - 1 + one fetch response. The mock returns one
    // stored message set per partition and fetch, and kcat stores at most `batch` per set.
    constexpr std::size_t queued_max = 8;
    constexpr int batch = 5;
    constexpr std::size_t bound = queued_max - 1 + batch;
    mock.create_topic("bounded", 3);
    for (std::int32_t p = 0; p < 3; ++p) produce("bounded", p, 60, "none", batch);

    auto options = options_for("bounded");
    options.queued_max_messages = queued_max;
    auto consumer = make_consumer(options);
    buffer_peaks peaks{*consumer, 3, {}};
    consumer->on_data([&] { peaks.sample(); });
    consumer->assign_all();
    // Not polled: every partition fills up to its bound and then stops fetching.
    ASSERT_TRUE(testing::run_until(ioc, [&] {
        peaks.sample();
        return consumer->assignment().size() == 3 && consumer->buffered_messages(0) >= queued_max &&
               consumer->buffered_messages(1) >= queued_max && consumer->buffered_messages(2) >= queued_max;
    }));
    auto full = consumer->buffered_messages();
    // Full partitions are not fetched: once the last fetch lands, none follows.
    ASSERT_TRUE(testing::run_until(ioc, [&] { return !consumer->fetching(); }));
    ioc.poll();
    EXPECT_FALSE(consumer->fetching());
    peaks.sample();
    EXPECT_EQ(consumer->buffered_messages(), full);
    for (std::int32_t p = 0; p < 3; ++p) {
        EXPECT_GE(peaks.peak[p], queued_max);
        EXPECT_LE(peaks.peak[p], bound) << "partition " << p;
        EXPECT_LT(*consumer->position(p) + static_cast<std::int64_t>(consumer->buffered_messages(p)), 60);
    }

    // Draining lets fetching resume; the bound holds throughout and nothing is lost.
    collector got;
    ASSERT_TRUE(testing::run_until(ioc, [&] {
        peaks.sample();
        got.add(consumer->poll(3));
        return got.count() >= 180;
    }));
    for (std::int32_t p = 0; p < 3; ++p) EXPECT_LE(peaks.peak[p], bound) << "partition " << p;
    ASSERT_TRUE(more_fetch_rounds(*consumer, 2));
    poll_all(*consumer, got);
    expect_exactly_once(got, "bounded");
}

TEST_F(ConsumerFetch, StopCancelsEverythingAndFailsWhatIsPending)
{
    mock.create_topic("stop", 1);
    auto options = options_for("stop");
    options.group_id = "stop-group";
    auto consumer = simple_consumer::create(ioc.get_executor(), fast_cluster_options(), options, test_logger());
    int data_calls = 0;
    consumer->on_data([&] { ++data_calls; });
    consumer->assign_all();
    ASSERT_TRUE(testing::run_until(ioc, [&] { return consumer->position(0).has_value(); }));

    std::optional<std::error_code> waited, committed;
    consumer->async_wait_data([&](std::error_code ec) { waited = ec; });
    consumer->commit({{0, 0}}, [&](std::error_code ec) { committed = ec; });
    produce("stop", 0, 5); // fetched data after stop must not reach anyone
    consumer->stop();
    ASSERT_TRUE(testing::run_until(ioc, [&] { return waited && committed; }));
    EXPECT_EQ(*waited, make_error_code(errc::shut_down));
    EXPECT_EQ(*committed, make_error_code(errc::shut_down));
    ASSERT_TRUE(testing::run_until_idle(ioc)); // every response still in flight has landed
    EXPECT_EQ(data_calls, 0);
    EXPECT_TRUE(consumer->poll(10).empty());
    EXPECT_TRUE(consumer->assignment().empty());

    std::optional<std::error_code> late_wait, late_lookup;
    consumer->async_wait_data([&](std::error_code ec) { late_wait = ec; });
    consumer->fetch_committed({0}, [&](std::error_code ec, std::map<std::int32_t, std::int64_t>) { late_lookup = ec; });
    ASSERT_TRUE(testing::run_until(ioc, [&] { return late_wait && late_lookup; }));
    EXPECT_EQ(*late_wait, make_error_code(errc::shut_down));
    EXPECT_EQ(*late_lookup, make_error_code(errc::shut_down));
    EXPECT_EQ(consumer->assign({{0, 0}}), make_error_code(errc::shut_down));
}

} // namespace
} // namespace kspout::io::consumer_testing
