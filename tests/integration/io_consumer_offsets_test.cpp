// SimpleConsumer group offsets against the mock and kafka-python: commit, read back, start from them.
#include "tests/integration/io_consumer_fixture.hpp"

#include "protocol/io/error.hpp"
#include "protocol/wire/broker_error.hpp"

namespace kspout::io::consumer_testing {
namespace {

using ConsumerOffsetsTest = ConsumerFixture;

TEST_F(ConsumerOffsetsTest, KafkaPythonReadsBackWhatWeCommit)
{
    mock.create_topic("ours", 3);
    auto options = options_for("ours");
    options.group_id = "ours-group";
    auto consumer = make_consumer(options);
    ASSERT_FALSE(commit(*consumer, {{0, 5}, {1, 7}, {2, 0}}));
    EXPECT_EQ(python_committed("ours-group", "ours", {0, 1, 2}), "0=5\n1=7\n2=0\n");
    ASSERT_FALSE(commit(*consumer, {{0, 9}}));
    EXPECT_EQ(python_committed("ours-group", "ours", {0, 1, 2}), "0=9\n1=7\n2=0\n");
    EXPECT_EQ(python_committed("another-group", "ours", {0}), "0=none\n");
    auto ours = committed(*consumer, {0, 1, 2});
    EXPECT_EQ(ours, (std::map<std::int32_t, std::int64_t>{{0, 9}, {1, 7}, {2, 0}}));
}

TEST_F(ConsumerOffsetsTest, WeReadAndStartFromWhatKafkaPythonCommits)
{
    mock.create_topic("theirs", 3);
    for (std::int32_t p = 0; p < 3; ++p) produce("theirs", p, 12);
    python_commit("py-group", "theirs", {{0, 3}, {1, 9}});

    auto options = options_for("theirs", offset_reset::earliest);
    options.group_id = "py-group";
    auto consumer = make_consumer(options);
    EXPECT_EQ(committed(*consumer, {0, 1, 2}), (std::map<std::int32_t, std::int64_t>{{0, 3}, {1, 9}, {2, -1}}));

    // Partitions 0 and 1 start where the group left off; 2 has nothing committed: earliest.
    consumer->assign_all();
    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, 9 + 3 + 12));
    expect_exactly_once(got, "theirs", {{0, 3}, {1, 9}, {2, 0}});
    EXPECT_GE(log_count("starts at committed offset 3"), 1u);

    // reset_offset_on_start ignores the committed offsets; an explicit start offset wins too.
    options.reset_offset_on_start = true;
    auto fresh = make_consumer(options);
    ASSERT_FALSE(fresh->assign({{0, std::nullopt}, {1, 11}}));
    collector all;
    ASSERT_TRUE(consume_until(*fresh, all, 12 + 1));
    EXPECT_EQ(all.count(0), 12u);
    EXPECT_EQ(all.count(1), 1u);
    EXPECT_EQ(all.seen.count({1, 11}), 1u);
}

TEST_F(ConsumerOffsetsTest, CoordinatorErrorsAreRetriedFatalOnesReported)
{
    mock.create_topic("retry", 2);
    auto options = options_for("retry");
    options.group_id = "retry-group";
    auto consumer = make_consumer(options);

    // No coordinator yet, then a moved one, then one still loading: each is retried. (The mock's
    // FindCoordinator error reply carries a null host, which our decoder rejects as malformed;
    // that is retried as well.)
    mock.push_errors(wire::api_key::find_coordinator, 15, 1); // COORDINATOR_NOT_AVAILABLE
    mock.push_errors(wire::api_key::offset_commit, 16, 1);    // NOT_COORDINATOR
    mock.push_errors(wire::api_key::offset_commit, 14, 1);    // COORDINATOR_LOAD_IN_PROGRESS
    ASSERT_FALSE(commit(*consumer, {{0, 4}, {1, 6}}));
    mock.push_errors(wire::api_key::offset_fetch, 14, 1);
    EXPECT_EQ(committed(*consumer, {0, 1}), (std::map<std::int32_t, std::int64_t>{{0, 4}, {1, 6}}));
    EXPECT_EQ(python_committed("retry-group", "retry", {0, 1}), "0=4\n1=6\n");

    // A fatal code fails the commit at once and changes nothing.
    mock.push_errors(wire::api_key::offset_commit, 12, 1); // OFFSET_METADATA_TOO_LARGE
    EXPECT_EQ(commit(*consumer, {{0, 100}}), wire::make_broker_error(12));
    EXPECT_EQ(committed(*consumer, {0}), (std::map<std::int32_t, std::int64_t>{{0, 4}}));

    // No group: nothing to commit to.
    auto groupless = make_consumer(options_for("retry"));
    EXPECT_EQ(commit(*groupless, {{0, 1}}), make_error_code(consumer_errc::no_group));
}

// A commit not sent by its send-by time fails with commit_window_closed and is dropped, never sent
// later: a balanced member past its ZooKeeper lease must not commit under the partitions' next owner.
TEST_F(ConsumerOffsetsTest, ACommitNotSentByItsDeadlineIsDroppedNotSentLate)
{
    using std::chrono::steady_clock;
    mock.create_topic("window", 1);
    auto options = options_for("window");
    options.group_id = "window-group";
    auto consumer = make_consumer(options);
    ASSERT_FALSE(commit(*consumer, {{0, 3}}));

    mock.broker_down(-1);
    EXPECT_EQ(commit_by(*consumer, {{0, 4}}, steady_clock::now() + 300ms),
              make_error_code(consumer_errc::commit_window_closed));
    mock.broker_up(-1);
    EXPECT_EQ(commit_by(*consumer, {{0, 5}}, steady_clock::now()), make_error_code(consumer_errc::commit_window_closed));
    EXPECT_EQ(committed(*consumer, {0}), (std::map<std::int32_t, std::int64_t>{{0, 3}}));
    EXPECT_EQ(python_committed("window-group", "window", {0}), "0=3\n");
    ASSERT_FALSE(commit_by(*consumer, {{0, 6}}, steady_clock::now() + 5s));
    EXPECT_EQ(python_committed("window-group", "window", {0}), "0=6\n");
}

// A member commits on a timer and again when a partition is revoked, so two commits can be under
// way: the earlier one, retried after its coordinator moved, must not land after the later one and
// move the group's offset back (a KIP-848 group whose coordinator died did that).
TEST_F(ConsumerOffsetsTest, AnEarlierCommitsRetryNeverLandsAfterALaterCommit)
{
    mock.create_topic("ordered", 2);
    auto manager = offset_manager::create(shared_cluster(), {"ordered-group", "ordered"}, test_logger());
    mock.push_errors(wire::api_key::offset_commit, 16, 1); // NOT_COORDINATOR: the first commit is retried
    std::vector<std::string> completed;
    manager->commit_as_member({5, "member-1", std::nullopt}, {{0, 38}, {1, 10}}, [&](std::error_code ec) {
        completed.push_back("38: " + ec.message());
    });
    manager->commit_as_member({5, "member-1", std::nullopt}, {{0, 87}}, [&](std::error_code ec) {
        completed.push_back("87: " + ec.message());
    });
    ASSERT_TRUE(testing::run_until(ioc, [&] { return completed.size() == 2; }));
    EXPECT_EQ(completed, (std::vector<std::string>{"38: Success", "87: Success"}));
    EXPECT_EQ(python_committed("ordered-group", "ordered", {0, 1}), "0=87\n1=10\n");
    manager->stop();
}

// A commit inside a generation is not retried when the group fenced it: the member must rejoin.
TEST_F(ConsumerOffsetsTest, AFencedMemberCommitFailsAtOnceAndChangesNothing)
{
    mock.create_topic("fenced", 2);
    auto manager = offset_manager::create(shared_cluster(), {"fenced-group", "fenced"}, test_logger());
    auto commit_as_member = [&](std::map<std::int32_t, std::int64_t> offsets) {
        std::optional<std::error_code> result;
        manager->commit_as_member({3, "member-1", "instance-1"}, std::move(offsets),
                                  [&](std::error_code ec) { result = ec; });
        EXPECT_TRUE(testing::run_until(ioc, [&] { return result.has_value(); }));
        return result.value_or(make_error_code(errc::shut_down));
    };

    mock.push_errors(wire::api_key::offset_commit, 14, 1); // COORDINATOR_LOAD_IN_PROGRESS: retried
    ASSERT_FALSE(commit_as_member({{0, 4}}));
    EXPECT_EQ(python_committed("fenced-group", "fenced", {0}), "0=4\n");

    for (int fenced : {22, 25, 27}) { // ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS
        mock.push_errors(wire::api_key::offset_commit, fenced, 1);
        EXPECT_EQ(commit_as_member({{0, 9}}), wire::make_broker_error(static_cast<std::int16_t>(fenced)));
    }
    EXPECT_EQ(python_committed("fenced-group", "fenced", {0}), "0=4\n");
    manager->stop();
}

} // namespace
} // namespace kspout::io::consumer_testing
