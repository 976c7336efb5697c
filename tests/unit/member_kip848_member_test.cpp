// kip848_member without sockets: scripted ConsumerGroupHeartbeat answers in, the actions asserted; time is passed in.
#include "protocol/member/group_error_codes.hpp"
#include "protocol/member/kip848_member.hpp"
#include "protocol/wire/broker_error.hpp"
#include "tests/support/action_types.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace kspout::member {
namespace {

using namespace std::chrono_literals;
using namespace kip848;
using namespace group_error;
using test::action_types;
using test::has_action;
using test::only_action;
using type = action_type;

const clock::time_point t0{};
const messages::topic_id topic{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
const messages::topic_id other_topic{9, 9, 9};

kip848_member_options options(std::optional<std::string> instance = std::nullopt)
{
    kip848_member_options o;
    o.group_id = "g";
    o.topic = "t";
    o.member_id = "uuid-1";
    o.rebalance_timeout = 60s;
    o.retry_backoff = 100ms;
    o.group_instance_id = std::move(instance);
    return o;
}

// What a heartbeat reports as owned of the topic.
std::vector<std::int32_t> reported(const action& a)
{
    EXPECT_TRUE(a.heartbeat.topic_partitions.has_value());
    if (!a.heartbeat.topic_partitions || a.heartbeat.topic_partitions->empty())
        return {};
    EXPECT_EQ(a.heartbeat.topic_partitions->size(), 1u);
    EXPECT_EQ(a.heartbeat.topic_partitions->front().topic_id, topic);
    return a.heartbeat.topic_partitions->front().partitions;
}

heartbeat_answered answer(std::int32_t epoch, std::optional<std::vector<std::int32_t>> assignment = std::nullopt,
                          std::int32_t interval_ms = 2000)
{
    heartbeat_answered e{t0};
    e.response.member_epoch = epoch;
    e.response.heartbeat_interval_ms = interval_ms;
    if (assignment) {
        e.response.assignment.emplace();
        e.response.assignment->push_back({topic, *assignment});
    }
    return e;
}

heartbeat_answered error_answer(std::int16_t code)
{
    heartbeat_answered e{t0};
    e.response.error_code = code;
    return e;
}

class Kip848Member : public ::testing::Test {
protected:
    kip848_member m{options()};

    std::vector<action> joined_with(std::vector<std::int32_t> partitions, std::int32_t epoch = 1)
    {
        EXPECT_EQ(action_types(m.resume(start{t0})), std::vector<type>{type::find_coordinator});
        EXPECT_EQ(action_types(m.resume(coordinator_found{t0})), std::vector<type>{type::resolve_topic});
        auto join = m.resume(topic_resolved{t0, topic});
        EXPECT_EQ(action_types(join), std::vector<type>{type::send_heartbeat});
        return m.resume(answer(epoch, std::move(partitions)));
    }
};

TEST_F(Kip848Member, JoinsWithEpochZeroItsOwnIdAndTheWholeSubscription)
{
    m.resume(start{t0});
    m.resume(coordinator_found{t0});
    auto join = m.resume(topic_resolved{t0, topic});
    const auto& h = only_action(join, type::send_heartbeat).heartbeat;
    EXPECT_EQ(h.group_id, "g");
    EXPECT_EQ(h.member_id, "uuid-1");
    EXPECT_EQ(h.member_epoch, messages::member_epoch_join);
    EXPECT_EQ(h.rebalance_timeout_ms, 60000);
    EXPECT_EQ(h.subscribed_topic_names, (std::vector<std::string>{"t"}));
    ASSERT_TRUE(h.topic_partitions.has_value());
    EXPECT_TRUE(h.topic_partitions->empty());
    EXPECT_FALSE(h.instance_id.has_value());
}

TEST_F(Kip848Member, TakesTheAssignmentAndAcknowledgesItAtOnce)
{
    auto out = joined_with({2, 0, 1});
    EXPECT_EQ(only_action(out, type::assign).partitions, (std::vector<std::int32_t>{0, 1, 2}));
    const action& ack = only_action(out, type::send_heartbeat);
    EXPECT_EQ(ack.heartbeat.member_epoch, 1);
    EXPECT_EQ(reported(ack), (std::vector<std::int32_t>{0, 1, 2}));
    EXPECT_EQ(only_action(out, type::arm_timer).at, t0 + 2s); // the interval the broker asked for
    EXPECT_EQ(m.member_epoch(), 1);
    EXPECT_EQ(m.owned(), (std::vector<std::int32_t>{0, 1, 2}));
}

TEST_F(Kip848Member, PartitionsOfAnotherTopicIdAreNotTaken)
{
    m.resume(start{t0});
    m.resume(coordinator_found{t0});
    m.resume(topic_resolved{t0, topic});
    auto e = answer(1, std::vector<std::int32_t>{0});
    e.response.assignment->push_back({other_topic, {5}});
    auto out = m.resume(e);
    EXPECT_EQ(only_action(out, type::assign).partitions, std::vector<std::int32_t>{0});
}

TEST_F(Kip848Member, ARevokedPartitionIsAcknowledgedOnlyOnceTheOwnerIsDoneWithIt)
{
    joined_with({0, 1, 2});
    m.resume(answer(1)); // the acknowledgement's answer
    m.resume(timer_fired{t0 + 2s, timer::heartbeat});
    auto out = m.resume(answer(2, std::vector<std::int32_t>{0}));
    const action& revoke = only_action(out, type::revoke);
    EXPECT_EQ(revoke.partitions, (std::vector<std::int32_t>{1, 2}));
    EXPECT_FALSE(revoke.lost);
    EXPECT_FALSE(has_action(out, type::send_heartbeat)) << "acknowledged before the owner committed";

    // A heartbeat in the meantime still reports them.
    auto beat = m.resume(timer_fired{t0 + 4s, timer::heartbeat});
    EXPECT_EQ(reported(only_action(beat, type::send_heartbeat)), (std::vector<std::int32_t>{0, 1, 2}));
    m.resume(answer(2));

    auto done = m.resume(revoke_done{t0 + 3s});
    const action& ack = only_action(done, type::send_heartbeat);
    EXPECT_EQ(ack.heartbeat.member_epoch, 2);
    EXPECT_EQ(reported(ack), std::vector<std::int32_t>{0});
    EXPECT_EQ(m.owned(), std::vector<std::int32_t>{0});
}

TEST_F(Kip848Member, ANewTargetDuringARevokeWaitsForItThenAddsWhatIsNew)
{
    joined_with({0, 1, 2});
    m.resume(answer(1));
    m.resume(timer_fired{t0 + 2s, timer::heartbeat});
    m.resume(answer(2, std::vector<std::int32_t>{0}));                 // revoke 1, 2 under way
    m.resume(timer_fired{t0 + 4s, timer::heartbeat});
    auto during = m.resume(answer(3, std::vector<std::int32_t>{0, 3})); // 3 comes while revoking
    EXPECT_FALSE(has_action(during, type::assign));
    EXPECT_FALSE(has_action(during, type::revoke));

    auto done = m.resume(revoke_done{t0 + 3s});
    EXPECT_EQ(reported(only_action(done, type::send_heartbeat)), std::vector<std::int32_t>{0});
    EXPECT_EQ(only_action(done, type::assign).partitions, std::vector<std::int32_t>{3});
    // The heartbeat that acknowledges 3 goes once the one in flight is answered.
    auto next = m.resume(answer(3));
    EXPECT_EQ(reported(only_action(next, type::send_heartbeat)), (std::vector<std::int32_t>{0, 3}));
    EXPECT_TRUE(m.stable());
}

TEST_F(Kip848Member, AFencedMemberGivesUpItsPartitionsAsLostAndRejoinsWithTheSameId)
{
    joined_with({0, 1});
    m.resume(answer(1));
    m.resume(timer_fired{t0 + 2s, timer::heartbeat});
    auto out = m.resume(error_answer(fenced_member_epoch));
    const action& revoke = only_action(out, type::revoke);
    EXPECT_TRUE(revoke.lost);
    EXPECT_EQ(revoke.partitions, (std::vector<std::int32_t>{0, 1}));
    EXPECT_EQ(m.member_epoch(), 0) << "commits must be refused from now on";
    EXPECT_FALSE(has_action(out, type::send_heartbeat)) << "joined again before the partitions were handed back";

    auto rejoin = m.resume(revoke_done{t0 + 3s});
    const auto& h = only_action(rejoin, type::send_heartbeat).heartbeat;
    EXPECT_EQ(h.member_epoch, 0);
    EXPECT_EQ(h.member_id, "uuid-1");
    EXPECT_TRUE(h.topic_partitions->empty());
    EXPECT_TRUE(m.owned().empty());
}

TEST_F(Kip848Member, UnknownMemberIdIsAFenceToo)
{
    joined_with({4});
    m.resume(answer(1));
    m.resume(timer_fired{t0 + 2s, timer::heartbeat});
    auto out = m.resume(error_answer(unknown_member_id));
    EXPECT_TRUE(only_action(out, type::revoke).lost);
}

TEST_F(Kip848Member, ACoordinatorThatMovedIsFoundAgainAndTheMemberKeepsItsPartitions)
{
    joined_with({0, 1});
    m.resume(answer(1));
    m.resume(timer_fired{t0 + 2s, timer::heartbeat});
    auto out = m.resume(error_answer(not_coordinator));
    EXPECT_EQ(action_types(out), std::vector<type>{type::find_coordinator});
    auto found = m.resume(coordinator_found{t0 + 3s});
    const action& beat = only_action(found, type::send_heartbeat);
    EXPECT_EQ(beat.heartbeat.member_epoch, 1);
    EXPECT_EQ(reported(beat), (std::vector<std::int32_t>{0, 1}));
}

TEST_F(Kip848Member, ALookupThatFailsIsRetriedAfterTheBackoff)
{
    m.resume(start{t0});
    auto out = m.resume(coordinator_lost{t0});
    EXPECT_EQ(only_action(out, type::arm_timer).which, timer::retry);
    EXPECT_EQ(only_action(out, type::arm_timer).at, t0 + 100ms);
    EXPECT_EQ(action_types(m.resume(timer_fired{t0 + 100ms, timer::retry})), std::vector<type>{type::find_coordinator});
}

TEST_F(Kip848Member, ALoadingCoordinatorIsAskedAgainAfterTheBackoff)
{
    m.resume(start{t0});
    m.resume(coordinator_found{t0});
    m.resume(topic_resolved{t0, topic});
    auto out = m.resume(error_answer(coordinator_load_in_progress));
    EXPECT_EQ(only_action(out, type::arm_timer).which, timer::retry);
    auto again = m.resume(timer_fired{t0 + 100ms, timer::retry});
    EXPECT_EQ(only_action(again, type::send_heartbeat).heartbeat.member_epoch, 0);
}

TEST_F(Kip848Member, ATopicNotThereYetIsLookedUpAgain)
{
    m.resume(start{t0});
    m.resume(coordinator_found{t0});
    auto out = m.resume(topic_resolved{t0, std::nullopt});
    EXPECT_EQ(only_action(out, type::arm_timer).which, timer::retry);
    EXPECT_EQ(action_types(m.resume(timer_fired{t0 + 100ms, timer::retry})), std::vector<type>{type::resolve_topic});
}

TEST_F(Kip848Member, ABrokerWithoutTopicIdsHasNoKip848)
{
    m.resume(start{t0});
    m.resume(coordinator_found{t0});
    auto out = m.resume(topic_resolved{t0, messages::zero_topic_id});
    const action& report = only_action(out, type::report_error);
    EXPECT_EQ(report.error, wire::make_broker_error(unsupported_version));
    EXPECT_NE(report.what.find("kafka.group.protocol=classic"), std::string::npos) << report.what;
}

TEST_F(Kip848Member, TheIdTheBrokerGaveIsUsedFromThenOn)
{
    m.resume(start{t0});
    m.resume(coordinator_found{t0});
    m.resume(topic_resolved{t0, topic});
    auto e = answer(1, std::vector<std::int32_t>{0});
    e.response.member_id = "made-by-a-3.x-broker";
    auto out = m.resume(e);
    EXPECT_EQ(only_action(out, type::send_heartbeat).heartbeat.member_id, "made-by-a-3.x-broker");
    EXPECT_EQ(m.member_id(), "made-by-a-3.x-broker");
}

TEST_F(Kip848Member, StopRevokesEverythingThenLeavesWithEpochMinusOne)
{
    joined_with({0, 1});
    m.resume(answer(1));
    auto out = m.resume(stop{t0 + 1s});
    const action& revoke = only_action(out, type::revoke);
    EXPECT_FALSE(revoke.lost) << "a stopping member commits what it finished";
    EXPECT_EQ(revoke.partitions, (std::vector<std::int32_t>{0, 1}));
    auto leave = m.resume(revoke_done{t0 + 2s});
    const auto& h = only_action(leave, type::send_leave).heartbeat;
    EXPECT_EQ(h.member_epoch, messages::member_epoch_leave);
    EXPECT_EQ(h.member_id, "uuid-1");
    EXPECT_EQ(action_types(m.resume(leave_done{})), std::vector<type>{type::stopped});
}

TEST(Kip848StaticMember, LeavesWithEpochMinusTwoSoTheBrokerKeepsItsPartitions)
{
    kip848_member m{options("task-3")};
    m.resume(start{t0});
    m.resume(coordinator_found{t0});
    auto join = m.resume(topic_resolved{t0, topic});
    EXPECT_EQ(only_action(join, type::send_heartbeat).heartbeat.instance_id, "task-3");
    m.resume(answer(1, std::vector<std::int32_t>{}));
    auto out = m.resume(stop{t0});
    EXPECT_EQ(only_action(out, type::send_leave).heartbeat.member_epoch, messages::member_epoch_leave_static);
}

TEST_F(Kip848Member, StopDuringTheJoinWaitsForItsAnswerThenLeaves)
{
    m.resume(start{t0});
    m.resume(coordinator_found{t0});
    m.resume(topic_resolved{t0, topic});
    EXPECT_TRUE(m.resume(stop{t0}).empty());
    auto out = m.resume(answer(1, std::vector<std::int32_t>{0, 1}));
    EXPECT_FALSE(has_action(out, type::assign)) << "a stopping member takes nothing new";
    EXPECT_EQ(only_action(out, type::send_leave).heartbeat.member_epoch, messages::member_epoch_leave);
}

TEST_F(Kip848Member, StopBeforeAnyCoordinatorEndsAtOnce)
{
    m.resume(start{t0});
    EXPECT_EQ(action_types(m.resume(stop{t0})), std::vector<type>{type::stopped});
}

TEST_F(Kip848Member, ABrokerWithoutTheProtocolIsAFatalErrorThatNamesTheClassicOne)
{
    m.resume(start{t0});
    m.resume(coordinator_found{t0});
    m.resume(topic_resolved{t0, topic});
    auto out = m.resume(error_answer(unsupported_version));
    const action& report = only_action(out, type::report_error);
    EXPECT_NE(report.what.find("kafka.group.protocol=classic"), std::string::npos) << report.what;
}

TEST_F(Kip848Member, OtherErrorsAreFatalAndLoseThePartitions)
{
    joined_with({0});
    m.resume(answer(1));
    m.resume(timer_fired{t0 + 2s, timer::heartbeat});
    heartbeat_answered e = error_answer(81); // GROUP_MAX_SIZE_REACHED
    e.response.error_message = "group is full";
    auto out = m.resume(e);
    EXPECT_TRUE(only_action(out, type::revoke).lost);
    const action& report = only_action(out, type::report_error);
    EXPECT_NE(report.what.find("GROUP_MAX_SIZE_REACHED: group is full"), std::string::npos) << report.what;
}

TEST_F(Kip848Member, TheBrokersErrorTextIsReportedAsABoundedPrintableExcerpt)
{
    joined_with({0});
    m.resume(answer(1));
    m.resume(timer_fired{t0 + 2s, timer::heartbeat});
    heartbeat_answered e = error_answer(81);
    e.response.error_message = "\x1b]0;owned\x07" + std::string(50'000, 'z');
    auto out = m.resume(e);
    const action& report = only_action(out, type::report_error);
    EXPECT_NE(report.what.find("GROUP_MAX_SIZE_REACHED: \\x1b]0;owned\\x07zzz"), std::string::npos) << report.what;
    EXPECT_NE(report.what.find("... (50010 bytes)"), std::string::npos) << report.what;
    EXPECT_LT(report.what.size(), 400u);
}

// Storm restarted or moved a static task while its old process still holds the instance id.
TEST(Kip848StaticMember, AJoinRefusedForAnUnreleasedInstanceIdIsTriedAgainEachHeartbeatInterval)
{
    kip848_member m{options("task-3")};
    m.resume(start{t0});
    m.resume(coordinator_found{t0});
    m.resume(topic_resolved{t0, topic});
    auto out = m.resume(error_answer(unreleased_instance_id));
    EXPECT_FALSE(has_action(out, type::report_error));
    EXPECT_EQ(only_action(out, type::arm_timer).which, timer::retry);
    EXPECT_EQ(only_action(out, type::arm_timer).at, t0 + 5s); // the interval until the broker names one
    auto again = m.resume(timer_fired{t0 + 5s, timer::retry});
    EXPECT_EQ(only_action(again, type::send_heartbeat).heartbeat.instance_id, "task-3");
    auto joined = m.resume(answer(4, std::vector<std::int32_t>{1}));
    EXPECT_EQ(only_action(joined, type::assign).partitions, std::vector<std::int32_t>{1});
}

TEST_F(Kip848Member, ACommitWithAStaleEpochChangesNothingAFencedOneRejoins)
{
    joined_with({0});
    m.resume(answer(1));
    EXPECT_TRUE(m.resume(commit_refused{t0, stale_member_epoch}).empty());
    auto out = m.resume(commit_refused{t0, fenced_member_epoch});
    EXPECT_TRUE(only_action(out, type::revoke).lost);
}

TEST_F(Kip848Member, TheTimerSendsNoSecondHeartbeatWhileOneIsInFlight)
{
    joined_with({0}); // its acknowledgement is in flight
    EXPECT_TRUE(m.resume(timer_fired{t0 + 2s, timer::heartbeat}).empty());
    m.resume(answer(1));
    EXPECT_TRUE(has_action(m.resume(timer_fired{t0 + 4s, timer::heartbeat}), type::send_heartbeat));
}

} // namespace
} // namespace kspout::member
