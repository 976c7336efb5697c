// classic_member without sockets: scripted coordinator answers in, the actions asserted; time is passed in.
#include "protocol/group/consumer_protocol.hpp"
#include "protocol/member/classic_member.hpp"
#include "protocol/member/group_error_codes.hpp"
#include "protocol/wire/broker_error.hpp"
#include "tests/support/action_types.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace kspout::member {
namespace {

using namespace std::chrono_literals;
using namespace classic;
using namespace group_error;
using test::action_types;
using test::has_action;
using test::only_action;
using type = action_type;

const clock::time_point t0{};

classic_member_options options(group::assignor_kind assignor = group::assignor_kind::range,
                               std::optional<std::string> instance = std::nullopt)
{
    classic_member_options o;
    o.group_id = "g";
    o.topic = "t";
    o.assignor = assignor;
    o.heartbeat_interval = 3s;
    o.retry_backoff = 100ms;
    o.group_instance_id = std::move(instance);
    return o;
}

wire::byte_buffer subscription(std::vector<std::int32_t> owned = {}, std::int32_t generation = -1)
{
    group::consumer_subscription s;
    s.topics = {"t"};
    std::vector<group::topic_partition> tps;
    for (std::int32_t p : owned)
        tps.push_back({"t", p});
    s.owned_partitions = group::group_by_topic(tps);
    s.generation_id = generation;
    return group::encode(s);
}

join_answered joined(std::int32_t generation, std::string member, std::string leader,
                     std::vector<messages::join_group_member> members = {})
{
    join_answered e{t0};
    e.response.generation_id = generation;
    e.response.member_id = std::move(member);
    e.response.leader = std::move(leader);
    e.response.members = std::move(members);
    return e;
}

join_answered join_error(std::int16_t code, std::string member = {})
{
    join_answered e{t0};
    e.response.error_code = code;
    e.response.member_id = std::move(member);
    return e;
}

sync_answered synced(std::vector<std::int32_t> partitions, clock::time_point now = t0)
{
    std::vector<group::topic_partition> tps;
    for (std::int32_t p : partitions)
        tps.push_back({"t", p});
    group::consumer_assignment a;
    a.assigned_partitions = group::group_by_topic(tps);
    sync_answered e{now};
    e.response.assignment = group::encode(a);
    return e;
}

sync_answered sync_error(std::int16_t code)
{
    sync_answered e{t0};
    e.response.error_code = code;
    return e;
}

std::vector<std::int32_t> decoded_share(const action& sync, const std::string& member)
{
    for (const auto& a : sync.sync.assignments) {
        if (a.member_id != member)
            continue;
        group::consumer_assignment payload;
        EXPECT_FALSE(group::decode(a.assignment, payload));
        std::vector<std::int32_t> out;
        for (const auto& tp : group::flatten(payload.assigned_partitions))
            out.push_back(tp.partition);
        return out;
    }
    ADD_FAILURE() << "no assignment for " << member;
    return {};
}

// A follower of generation `generation` that owns `partitions`.
classic_member stable_follower(std::vector<std::int32_t> partitions, classic_member_options o = options(),
                               std::int32_t generation = 1)
{
    classic_member m(std::move(o));
    m.resume(start{t0});
    m.resume(coordinator_found{t0});
    m.resume(joined(generation, "m1", "m0"));
    m.resume(synced(std::move(partitions)));
    EXPECT_TRUE(m.stable());
    return m;
}

std::vector<action> heartbeat_answer(classic_member& m, std::int16_t code, clock::time_point now = t0 + 3s)
{
    auto sent = m.resume(timer_fired{now, timer::heartbeat});
    EXPECT_EQ(action_types(sent), std::vector<type>{type::send_heartbeat});
    return m.resume(heartbeat_answered{now, m.generation_id(), code});
}

TEST(ClassicMember, TheLeaderJoinsTwiceForItsMemberIdAssignsAndHeartbeats)
{
    classic_member m(options());
    EXPECT_EQ(action_types(m.resume(start{t0})), std::vector<type>{type::find_coordinator});
    auto first = m.resume(coordinator_found{t0});
    ASSERT_EQ(action_types(first), std::vector<type>{type::send_join});
    EXPECT_EQ(first[0].join.member_id, "");
    EXPECT_EQ(first[0].join.protocol_type, "consumer");
    EXPECT_EQ(first[0].join.protocols.at(0).name, "range");

    auto second = m.resume(join_error(member_id_required, "m1"));
    ASSERT_EQ(action_types(second), std::vector<type>{type::send_join});
    EXPECT_EQ(second[0].join.member_id, "m1");

    auto count = m.resume(joined(1, "m1", "m1", {{"m1", std::nullopt, subscription()}, {"m2", std::nullopt, subscription()}}));
    EXPECT_EQ(action_types(count), std::vector<type>{type::count_partitions});
    auto sync = m.resume(partitions_counted{t0, 4});
    ASSERT_EQ(action_types(sync), std::vector<type>{type::send_sync});
    EXPECT_EQ(sync[0].sync.generation_id, 1);
    EXPECT_EQ(decoded_share(sync[0], "m1"), (std::vector<std::int32_t>{0, 1}));
    EXPECT_EQ(decoded_share(sync[0], "m2"), (std::vector<std::int32_t>{2, 3}));

    auto assigned = m.resume(synced({0, 1}, t0 + 1s));
    EXPECT_EQ(action_types(assigned), (std::vector<type>{type::assign, type::arm_timer}));
    EXPECT_EQ(assigned[0].partitions, (std::vector<std::int32_t>{0, 1}));
    EXPECT_EQ(assigned[1].which, timer::heartbeat);
    EXPECT_EQ(assigned[1].at, t0 + 4s);
    EXPECT_EQ(m.generation_id(), 1);
    EXPECT_EQ(m.member_id(), "m1");

    auto again = heartbeat_answer(m, 0, t0 + 4s);
    ASSERT_EQ(action_types(again), std::vector<type>{type::arm_timer});
    EXPECT_EQ(again[0].at, t0 + 7s);
    // A heartbeat timer while one is in flight sends nothing more.
    m.resume(timer_fired{t0 + 7s, timer::heartbeat});
    EXPECT_TRUE(m.resume(timer_fired{t0 + 8s, timer::heartbeat}).empty());
}

TEST(ClassicMember, EagerRevokesEverythingBeforeItRejoins)
{
    classic_member m = stable_follower({0, 1});
    auto revoke = heartbeat_answer(m, rebalance_in_progress);
    ASSERT_EQ(action_types(revoke), std::vector<type>{type::revoke});
    EXPECT_EQ(revoke[0].partitions, (std::vector<std::int32_t>{0, 1}));
    EXPECT_FALSE(revoke[0].lost);
    // Heartbeats go on during the revoke drain; another REBALANCE_IN_PROGRESS revokes nothing more.
    EXPECT_EQ(action_types(heartbeat_answer(m, rebalance_in_progress, t0 + 6s)), std::vector<type>{type::arm_timer});

    auto join = m.resume(revoke_done{t0 + 7s});
    ASSERT_EQ(action_types(join), std::vector<type>{type::send_join});
    EXPECT_EQ(join[0].join.member_id, "m1");
    m.resume(joined(2, "m1", "m0"));
    auto assigned = m.resume(synced({1}));
    EXPECT_EQ(only_action(assigned, type::assign).partitions, std::vector<std::int32_t>{1});
    EXPECT_EQ(m.owned(), std::vector<std::int32_t>{1});
}

TEST(ClassicMember, ARebalanceDuringARebalanceJoinsAgainAtOnce)
{
    classic_member m(options());
    m.resume(start{t0});
    m.resume(coordinator_found{t0});
    EXPECT_EQ(action_types(m.resume(joined(1, "m1", "m0"))), std::vector<type>{type::send_sync});
    auto rejoin = m.resume(sync_error(rebalance_in_progress));
    ASSERT_EQ(action_types(rejoin), std::vector<type>{type::send_join});
    EXPECT_EQ(rejoin[0].join.member_id, "m1");
    EXPECT_EQ(action_types(m.resume(joined(2, "m1", "m0"))), std::vector<type>{type::send_sync});
    // A sync answer of the abandoned round, or a join answer now, changes nothing.
    EXPECT_TRUE(m.resume(joined(3, "m1", "m0")).empty());
    EXPECT_EQ(only_action(m.resume(synced({2})), type::assign).partitions, std::vector<std::int32_t>{2});
    EXPECT_EQ(m.generation_id(), 2);
}

TEST(ClassicMember, StopDuringAJoinLeavesOnceTheAnswerArrives)
{
    classic_member m(options());
    m.resume(start{t0});
    m.resume(coordinator_found{t0});
    EXPECT_TRUE(m.resume(stop{t0}).empty());
    auto leave = m.resume(joined(1, "m1", "m1", {{"m1", std::nullopt, subscription()}}));
    ASSERT_EQ(action_types(leave), std::vector<type>{type::send_leave});
    EXPECT_EQ(leave[0].leave.members.at(0).member_id, "m1");
    EXPECT_EQ(action_types(m.resume(leave_done{})), std::vector<type>{type::stopped});
}

TEST(ClassicMember, AStaticMemberStopsWithoutLeaving)
{
    classic_member during_join(options(group::assignor_kind::range, "topo-spout-0"));
    during_join.resume(start{t0});
    auto join = during_join.resume(coordinator_found{t0});
    EXPECT_EQ(join.at(0).join.group_instance_id, "topo-spout-0");
    during_join.resume(stop{t0});
    EXPECT_EQ(action_types(during_join.resume(joined(1, "m1", "m0"))), std::vector<type>{type::stopped});

    classic_member owning = stable_follower({0, 1}, options(group::assignor_kind::range, "topo-spout-0"));
    EXPECT_EQ(action_types(owning.resume(stop{t0})), std::vector<type>{type::revoke});
    EXPECT_EQ(action_types(owning.resume(revoke_done{t0})), std::vector<type>{type::stopped});
}

TEST(ClassicMember, AStaticMemberOnABrokerWithoutStaticMembershipLeavesOnStop)
{
    classic_member m(options(group::assignor_kind::range, "topo-spout-0"));
    m.resume(start{t0});
    m.resume(coordinator_found{t0});
    auto answer = joined(1, "m1", "m0");
    answer.static_membership = false; // JoinGroup below v5: the instance id was not sent
    auto sync = m.resume(answer);
    ASSERT_EQ(action_types(sync), std::vector<type>{type::send_sync});
    EXPECT_EQ(sync[0].sync.group_instance_id, std::nullopt);
    m.resume(synced({0}));
    EXPECT_EQ(action_types(m.resume(stop{t0})), std::vector<type>{type::revoke});
    EXPECT_EQ(action_types(m.resume(revoke_done{t0})), std::vector<type>{type::send_leave});
}

TEST(ClassicMember, ADynamicMemberRevokesThenLeavesOnStop)
{
    classic_member m = stable_follower({0, 1});
    auto revoke = m.resume(stop{t0});
    ASSERT_EQ(action_types(revoke), std::vector<type>{type::revoke});
    EXPECT_FALSE(revoke[0].lost);
    EXPECT_EQ(action_types(m.resume(revoke_done{t0})), std::vector<type>{type::send_leave});
    EXPECT_EQ(action_types(m.resume(leave_done{})), std::vector<type>{type::stopped});
}

TEST(ClassicMember, AFencedCommitLosesThePartitionsUncommittedAndRejoins)
{
    classic_member m = stable_follower({0, 1});
    auto out = m.resume(commit_refused{t0, illegal_generation});
    ASSERT_EQ(action_types(out), (std::vector<type>{type::revoke, type::send_join}));
    EXPECT_TRUE(out[0].lost);
    EXPECT_EQ(out[1].join.member_id, "m1");
    EXPECT_EQ(m.generation_id(), -1);
    EXPECT_TRUE(m.owned().empty());

    classic_member unknown = stable_follower({0});
    auto rejoin = unknown.resume(commit_refused{t0, unknown_member_id});
    EXPECT_EQ(only_action(rejoin, type::send_join).join.member_id, "");

    classic_member in_rebalance = stable_follower({0});
    auto revoke = in_rebalance.resume(commit_refused{t0, rebalance_in_progress});
    ASSERT_EQ(action_types(revoke), std::vector<type>{type::revoke});
    EXPECT_FALSE(revoke[0].lost); // still ours: committed on the way out

    classic_member fenced = stable_follower({0}, options(group::assignor_kind::range, "i"));
    auto fatal = fenced.resume(commit_refused{t0, fenced_instance_id});
    EXPECT_TRUE(only_action(fatal, type::revoke).lost);
    EXPECT_EQ(only_action(fatal, type::report_error).error, wire::make_broker_error(fenced_instance_id));
}

TEST(ClassicMember, HeartbeatErrors)
{
    classic_member moved = stable_follower({0, 1});
    EXPECT_EQ(action_types(heartbeat_answer(moved, not_coordinator)), std::vector<type>{type::find_coordinator});
    EXPECT_EQ(moved.owned(), (std::vector<std::int32_t>{0, 1})); // kept while the coordinator is found
    // A failed lookup is retried after the backoff, then heartbeats resume once found.
    auto retry = moved.resume(coordinator_lost{t0 + 3s});
    ASSERT_EQ(action_types(retry), std::vector<type>{type::arm_timer});
    EXPECT_EQ(retry[0].which, timer::retry);
    EXPECT_EQ(retry[0].at, t0 + 3100ms);
    EXPECT_EQ(action_types(moved.resume(timer_fired{t0 + 3100ms, timer::retry})), std::vector<type>{type::find_coordinator});
    EXPECT_EQ(action_types(moved.resume(coordinator_found{t0 + 4s})), std::vector<type>{type::arm_timer});
    EXPECT_EQ(action_types(heartbeat_answer(moved, 0, t0 + 4s)), std::vector<type>{type::arm_timer});

    classic_member unknown = stable_follower({0, 1});
    auto lost = heartbeat_answer(unknown, unknown_member_id);
    ASSERT_EQ(action_types(lost), (std::vector<type>{type::revoke, type::send_join}));
    EXPECT_TRUE(lost[0].lost);
    EXPECT_EQ(lost[1].join.member_id, "");

    classic_member loading = stable_follower({0});
    EXPECT_EQ(action_types(heartbeat_answer(loading, coordinator_load_in_progress)), std::vector<type>{type::arm_timer});

    classic_member fenced = stable_follower({0}, options(group::assignor_kind::range, "i"));
    auto fatal = heartbeat_answer(fenced, fenced_instance_id);
    EXPECT_EQ(action_types(fatal), (std::vector<type>{type::revoke, type::report_error}));
    EXPECT_EQ(action_types(fenced.resume(stop{t0})), std::vector<type>{type::stopped});

    // The answer to a heartbeat of an earlier generation is not this generation's.
    classic_member stale = stable_follower({0});
    stale.resume(timer_fired{t0 + 3s, timer::heartbeat});
    EXPECT_TRUE(stale.resume(heartbeat_answered{t0 + 3s, 0, unknown_member_id}).empty());
}

TEST(ClassicMember, CoordinatorLoadingDuringAJoinIsRetriedAfterTheBackoff)
{
    classic_member m(options());
    m.resume(start{t0});
    m.resume(coordinator_found{t0});
    auto wait = m.resume(join_error(coordinator_load_in_progress));
    ASSERT_EQ(action_types(wait), std::vector<type>{type::arm_timer});
    EXPECT_EQ(wait[0].at, t0 + 100ms);
    EXPECT_EQ(action_types(m.resume(timer_fired{t0 + 100ms, timer::retry})), std::vector<type>{type::send_join});
    EXPECT_EQ(action_types(m.resume(join_error(not_coordinator))), std::vector<type>{type::find_coordinator});
    EXPECT_EQ(action_types(m.resume(coordinator_found{t0 + 1s})), std::vector<type>{type::send_join});
}

TEST(ClassicMember, CooperativeHandsOverInTwoRoundsRevokingOnlyWhatMoved)
{
    auto cooperative = options(group::assignor_kind::cooperative_sticky);
    classic_member m = stable_follower({0, 1, 2, 3}, cooperative);

    // Round 1: no revoke before joining; the subscription names what we own.
    auto join = heartbeat_answer(m, rebalance_in_progress);
    ASSERT_EQ(action_types(join), std::vector<type>{type::send_join});
    EXPECT_EQ(join[0].join.protocols.at(0).name, "cooperative-sticky");
    group::consumer_subscription sent;
    ASSERT_FALSE(group::decode(join[0].join.protocols.at(0).metadata, sent));
    EXPECT_EQ(sent.generation_id, 1);
    ASSERT_EQ(sent.owned_partitions.size(), 1u);
    EXPECT_EQ(sent.owned_partitions[0].partitions, (std::vector<std::int32_t>{0, 1, 2, 3}));

    m.resume(joined(2, "m1", "m0"));
    auto moved = m.resume(synced({0, 1}));
    ASSERT_EQ(action_types(moved), (std::vector<type>{type::revoke, type::arm_timer}));
    EXPECT_EQ(moved[0].partitions, (std::vector<std::int32_t>{2, 3}));
    EXPECT_FALSE(moved[0].lost);

    // Round 2 once they are handed back: join at once, keep 0 and 1 throughout.
    auto second = m.resume(revoke_done{t0 + 1s});
    ASSERT_EQ(action_types(second), std::vector<type>{type::send_join});
    m.resume(joined(3, "m1", "m0"));
    EXPECT_EQ(action_types(m.resume(synced({0, 1}))), std::vector<type>{type::arm_timer});
    EXPECT_EQ(m.owned(), (std::vector<std::int32_t>{0, 1}));
}

TEST(ClassicMember, ACooperativeLeaderGivesNothingMovedInTheFirstRound)
{
    classic_member m = stable_follower({0, 1, 2, 3}, options(group::assignor_kind::cooperative_sticky));
    heartbeat_answer(m, rebalance_in_progress);
    m.resume(joined(2, "m1", "m1",
                    {{"m1", std::nullopt, subscription({0, 1, 2, 3}, 1)}, {"m2", std::nullopt, subscription()}}));
    auto sync = m.resume(partitions_counted{t0, 4});
    ASSERT_EQ(action_types(sync), std::vector<type>{type::send_sync});
    EXPECT_EQ(decoded_share(sync[0], "m1").size(), 2u);
    EXPECT_TRUE(decoded_share(sync[0], "m2").empty()); // its partitions come in the next round
}

} // namespace
} // namespace kspout::member
