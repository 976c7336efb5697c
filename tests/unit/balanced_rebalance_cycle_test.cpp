// rebalance_cycle stepped by hand: the attempts, retries and deadlines of a balanced consumer,
// with a manual clock and no ZooKeeper, cluster or timers.
#include "protocol/balanced/rebalance_cycle.hpp"

#include "protocol/balanced/balanced_error.hpp"

#include "tests/support/action_types.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace kspout::balanced {
namespace {

using namespace std::chrono_literals;
using test::action_types;
using namespace cycle;

std::vector<std::int32_t> ids(const std::vector<group::partition_info>& partitions)
{
    std::vector<std::int32_t> out;
    for (const auto& p : partitions)
        out.push_back(p.id);
    std::sort(out.begin(), out.end());
    return out;
}

class RebalanceCycle : public ::testing::Test {
protected:
    static balanced_options group_options()
    {
        balanced_options o;
        o.topic = "t";
        o.group_id = "g";
        o.rebalance_backoff = 100ms;
        o.rebalance_backoff_max = 400ms;
        o.rebalance_deadline = 1s;
        return o;
    }

    rebalance_cycle machine{group_options(), "me"};
    clock::time_point now = clock::time_point{} + 1h;
    std::vector<group::partition_info> four{{0, 1}, {1, 1}, {2, 1}, {3, 1}};

    std::vector<action> step(const event& e) { return machine.resume(e); }
    std::vector<action> start() { return step(try_start{now, true, false}); }

    // Requests a rebalance and starts it; returns the attempt's number.
    std::uint64_t begin_attempt()
    {
        step(rebalance_requested{"test"});
        auto actions = start();
        EXPECT_EQ(action_types(actions), std::vector{action_type::read_metadata});
        return actions.empty() ? 0 : actions.front().attempt;
    }

    // Runs an attempt up to apply_target, with only this member in the group.
    std::uint64_t attempt_to_claims()
    {
        std::uint64_t attempt = begin_attempt();
        EXPECT_EQ(action_types(step(metadata_read{attempt, now, four})), std::vector{action_type::read_members});
        auto actions = step(members_read{attempt, now, {{"me", "t"}}});
        EXPECT_EQ(action_types(actions), std::vector{action_type::apply_target});
        return attempt;
    }

    target_applied conflicts(std::uint64_t attempt, std::vector<std::int32_t> partitions)
    {
        target_applied e{attempt, now};
        e.conflicts = std::move(partitions);
        return e;
    }
};

TEST_F(RebalanceCycle, AnAttemptWaitsForTheMemberAndForPendingReleases)
{
    EXPECT_EQ(action_types(step(rebalance_requested{"joined"})), std::vector{action_type::start_later});
    EXPECT_TRUE(step(try_start{now, false, false}).empty()); // not registered yet
    EXPECT_TRUE(step(try_start{now, true, true}).empty());   // a revoke is still draining
    auto actions = start();
    ASSERT_EQ(action_types(actions), std::vector{action_type::read_metadata});
    EXPECT_TRUE(machine.current(actions.front().attempt));
}

TEST_F(RebalanceCycle, NothingStartsUnlessARebalanceIsWanted)
{
    EXPECT_TRUE(start().empty());
}

TEST_F(RebalanceCycle, AnAttemptReadsMetadataThenMembersThenClaimsOurShare)
{
    std::uint64_t attempt = begin_attempt();
    EXPECT_EQ(action_types(step(metadata_read{attempt, now, four})), std::vector{action_type::read_members});
    auto actions = step(members_read{attempt, now, {{"me", "t"}, {"zz", "t"}, {"other-topic", "u"}}});
    ASSERT_EQ(action_types(actions), std::vector{action_type::apply_target});
    EXPECT_EQ(actions.front().target.size(), 2u); // two participants share four partitions
    EXPECT_FALSE(machine.first_rebalance_done());

    target_applied done{attempt, now};
    done.owned = ids(actions.front().target);
    EXPECT_EQ(action_types(step(done)), std::vector{action_type::start_now});
    EXPECT_FALSE(machine.rebalancing());
    EXPECT_TRUE(machine.first_rebalance_done());
    EXPECT_TRUE(start().empty()); // nothing more wanted
}

TEST_F(RebalanceCycle, ARebalanceRequestedDuringOneRunsRightAfterIt)
{
    std::uint64_t first = begin_attempt();
    EXPECT_EQ(action_types(step(rebalance_requested{"group members changed"})), std::vector{action_type::start_later});
    EXPECT_TRUE(start().empty()); // one attempt at a time
    step(metadata_read{first, now, four});
    step(members_read{first, now, {{"me", "t"}}});
    EXPECT_EQ(action_types(step(target_applied{first, now})), std::vector{action_type::start_now});

    auto actions = start();
    ASSERT_EQ(action_types(actions), std::vector{action_type::read_metadata});
    EXPECT_GT(actions.front().attempt, first);
    EXPECT_FALSE(machine.current(first));
}

TEST_F(RebalanceCycle, ConflictingClaimsBackOffAndSucceedLater)
{
    std::uint64_t attempt = attempt_to_claims();
    auto actions = step(conflicts(attempt, {2}));
    ASSERT_EQ(action_types(actions), std::vector{action_type::arm_retry_timer});
    EXPECT_EQ(actions.front().at, now + 100ms);

    now += 50ms;
    EXPECT_TRUE(start().empty()); // before the backoff is over
    EXPECT_EQ(action_types(step(retry_timer_fired{})), std::vector{action_type::start_now});
    now += 50ms;
    attempt = machine.resume(try_start{now, true, false}).front().attempt;
    step(metadata_read{attempt, now, four});
    step(members_read{attempt, now, {{"me", "t"}}});
    actions = step(conflicts(attempt, {2, 1}));
    ASSERT_EQ(action_types(actions), std::vector{action_type::arm_retry_timer});
    EXPECT_EQ(actions.front().at, now + 200ms); // doubled

    now += 200ms;
    step(retry_timer_fired{});
    attempt = start().front().attempt;
    step(metadata_read{attempt, now, four});
    step(members_read{attempt, now, {{"me", "t"}}});
    EXPECT_EQ(action_types(step(target_applied{attempt, now})), std::vector{action_type::start_now});

    // The next episode starts from the first backoff step again.
    attempt = attempt_to_claims();
    actions = step(conflicts(attempt, {0}));
    ASSERT_EQ(action_types(actions), std::vector{action_type::arm_retry_timer});
    EXPECT_EQ(actions.front().at, now + 100ms);
}

TEST_F(RebalanceCycle, BackoffDoublesUpToItsMaximum)
{
    std::vector<clock::duration> waits;
    std::uint64_t attempt = attempt_to_claims();
    for (int i = 0; i < 4; ++i) {
        auto actions = step(conflicts(attempt, {1}));
        ASSERT_EQ(action_types(actions), std::vector{action_type::arm_retry_timer});
        waits.push_back(actions.back().at - now);
        now = actions.back().at;
        attempt = start().front().attempt;
        step(metadata_read{attempt, now, four});
        step(members_read{attempt, now, {{"me", "t"}}});
    }
    EXPECT_EQ(waits, (std::vector<clock::duration>{100ms, 200ms, 400ms, 400ms}));
}

TEST_F(RebalanceCycle, ClaimsStillConflictingPastTheDeadlineAreReportedOncePerDeadline)
{
    std::uint64_t attempt = attempt_to_claims();
    now += 1s; // the episode began with the attempt
    auto actions = step(conflicts(attempt, {3, 1}));
    ASSERT_EQ(action_types(actions), (std::vector{action_type::report_error, action_type::arm_retry_timer}));
    EXPECT_EQ(actions[0].error, make_error_code(errc::rebalance_timed_out));
    EXPECT_NE(actions[0].what.find("partitions 1,3 still owned by other members"), std::string::npos);
    EXPECT_NE(actions[0].what.find("still trying"), std::string::npos);

    // The deadline moved on: the next failure soon after is retried without a report.
    now = actions[1].at;
    attempt = start().front().attempt;
    step(metadata_read{attempt, now, four});
    step(members_read{attempt, now, {{"me", "t"}}});
    EXPECT_EQ(action_types(step(conflicts(attempt, {3}))), std::vector{action_type::arm_retry_timer});
}

TEST_F(RebalanceCycle, ErrorsOutsideTheBalancedCategoryAreReportedAsTimedOut)
{
    std::uint64_t attempt = begin_attempt();
    step(metadata_read{attempt, now, four});
    now += 2s;
    members_read failed{attempt, now};
    failed.error = std::make_error_code(std::errc::connection_reset);
    failed.what = "cannot list /consumers/g/ids";
    auto actions = step(failed);
    ASSERT_EQ(action_types(actions), (std::vector{action_type::report_error, action_type::arm_retry_timer}));
    EXPECT_EQ(actions[0].error, make_error_code(errc::rebalance_timed_out));
}

TEST_F(RebalanceCycle, MetadataThatCannotBeReadFailsTheAttempt)
{
    std::uint64_t attempt = begin_attempt();
    now += 1s;
    auto actions = step(metadata_read{attempt, now, {}, "topic t: topic missing from metadata"});
    ASSERT_EQ(action_types(actions), (std::vector{action_type::report_error, action_type::arm_retry_timer}));
    EXPECT_EQ(actions[0].error, make_error_code(errc::metadata_unavailable));
    EXPECT_TRUE(machine.wanted());
}

TEST_F(RebalanceCycle, AClaimReleasedMeanwhileIsRetriedAtOnce)
{
    std::uint64_t attempt = attempt_to_claims();
    target_applied vanished = conflicts(attempt, {2});
    vanished.vanished = true;
    EXPECT_EQ(action_types(step(vanished)), std::vector{action_type::start_now});
    EXPECT_EQ(action_types(start()), std::vector{action_type::read_metadata});
}

TEST_F(RebalanceCycle, AConflictClearedDuringAnAttemptMakesItsFailureRetryAtOnce)
{
    std::uint64_t attempt = attempt_to_claims();
    EXPECT_TRUE(step(conflict_cleared{}).empty());
    EXPECT_EQ(action_types(step(conflicts(attempt, {2}))), std::vector{action_type::start_now});
}

TEST_F(RebalanceCycle, AConflictClearedWhileWaitingCancelsTheBackoff)
{
    std::uint64_t attempt = attempt_to_claims();
    step(conflicts(attempt, {2}));
    EXPECT_EQ(action_types(step(conflict_cleared{})),
              (std::vector{action_type::cancel_retry_timer, action_type::start_now}));
    EXPECT_EQ(action_types(start()), std::vector{action_type::read_metadata}); // no wait for the backoff
}

TEST_F(RebalanceCycle, StopDuringAClaimDropsItsAnswerAndStartsNothing)
{
    std::uint64_t attempt = attempt_to_claims();
    EXPECT_TRUE(step(stop_requested{}).empty());
    EXPECT_FALSE(machine.current(attempt));
    EXPECT_TRUE(step(target_applied{attempt, now}).empty());
    EXPECT_TRUE(step(conflicts(attempt, {1})).empty());
    EXPECT_TRUE(step(rebalance_requested{"group members changed"}).empty());
    EXPECT_TRUE(step(conflict_cleared{}).empty());
    EXPECT_TRUE(start().empty());
}

TEST_F(RebalanceCycle, SessionLostWhileARevokeDrainsStartsAgainOnlyAfterTheReleaseAndANewRegistration)
{
    // Attempt 1 gave partitions up; the spout is still draining their tuples when the session expires.
    std::uint64_t attempt = attempt_to_claims();
    EXPECT_TRUE(step(session_lost{}).empty());
    EXPECT_FALSE(machine.current(attempt));
    EXPECT_TRUE(machine.wanted());
    EXPECT_TRUE(step(target_applied{attempt, now}).empty()); // the drained release answers late
    EXPECT_TRUE(step(try_start{now, false, true}).empty());   // still draining, not registered
    EXPECT_TRUE(step(try_start{now, true, true}).empty());    // registered again, still draining
    EXPECT_TRUE(step(try_start{now, false, false}).empty());  // drained, not registered yet
    EXPECT_TRUE(step(registration_done{now, true}).empty());
    auto actions = start();
    ASSERT_EQ(action_types(actions), std::vector{action_type::read_metadata});
    EXPECT_GT(actions.front().attempt, attempt);
}

TEST_F(RebalanceCycle, OurRegistrationMissingFromTheMembersRegistersAgain)
{
    std::uint64_t attempt = begin_attempt();
    step(metadata_read{attempt, now, four});
    members_read missing{attempt, now};
    missing.registered = false;
    EXPECT_EQ(action_types(step(missing)), std::vector{action_type::register_member});
    EXPECT_FALSE(machine.rebalancing());
    EXPECT_TRUE(machine.wanted());
}

TEST_F(RebalanceCycle, AMemberNotNamingOurTopicFailsAsRegistrationFailed)
{
    std::uint64_t attempt = begin_attempt();
    step(metadata_read{attempt, now, four});
    now += 1s;
    auto actions = step(members_read{attempt, now, {{"me", "other"}}});
    ASSERT_EQ(action_types(actions), (std::vector{action_type::report_error, action_type::arm_retry_timer}));
    EXPECT_EQ(actions[0].error, make_error_code(errc::registration_failed));
}

TEST_F(RebalanceCycle, RegistrationRetriesWithBackoffAndIsReportedPastTheDeadline)
{
    auto actions = step(registration_done{now, false, "node exists"});
    ASSERT_EQ(action_types(actions), std::vector{action_type::arm_retry_timer});
    EXPECT_EQ(actions.front().at, now + 100ms);
    EXPECT_EQ(action_types(step(retry_timer_fired{})), std::vector{action_type::register_member});

    now += 1s;
    actions = step(registration_done{now, false, "node exists"});
    ASSERT_EQ(action_types(actions), (std::vector{action_type::report_error, action_type::arm_retry_timer}));
    EXPECT_EQ(actions[0].error, make_error_code(errc::registration_failed));
    EXPECT_EQ(actions[1].at, now + 200ms);

    EXPECT_TRUE(step(registration_done{now, true}).empty());
    step(rebalance_requested{"joined"});
    EXPECT_EQ(action_types(start()), std::vector{action_type::read_metadata}); // backoff cleared
}

TEST_F(RebalanceCycle, StaticMembersTakeTheirShareWithoutReadingMembers)
{
    balanced_options o = group_options();
    o.fixed = static_member{1, 2};
    rebalance_cycle fixed{o, "me"};
    fixed.resume(rebalance_requested{"start"});
    auto actions = fixed.resume(try_start{now, true, false});
    ASSERT_EQ(action_types(actions), std::vector{action_type::read_metadata});
    actions = fixed.resume(metadata_read{actions.front().attempt, now, four});
    ASSERT_EQ(action_types(actions), std::vector{action_type::apply_target});
    EXPECT_EQ(ids(actions.front().target), (std::vector<std::int32_t>{1, 3}));
}

TEST_F(RebalanceCycle, MetadataChecksRequestARebalanceOnlyWhenPartitionsOrLeadersChanged)
{
    EXPECT_TRUE(step(metadata_checked{four}).empty()); // nothing assigned yet to compare with
    std::uint64_t attempt = attempt_to_claims();
    EXPECT_TRUE(step(metadata_checked{{{0, 2}}}).empty()); // an attempt is under way
    step(target_applied{attempt, now});
    EXPECT_TRUE(step(metadata_checked{{{3, 1}, {2, 1}, {1, 1}, {0, 1}}}).empty());
    EXPECT_EQ(action_types(step(metadata_checked{{{0, 1}, {1, 2}, {2, 1}, {3, 1}}})), // a leader moved
              std::vector{action_type::start_later});
    EXPECT_TRUE(machine.wanted());
}

} // namespace
} // namespace kspout::balanced
