// The range, roundrobin and cooperative-sticky assignors: the Java client's documented examples
// and properties over many random groups.
#include "protocol/group/assignor.hpp"
#include "protocol/group/member_order.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <functional>
#include <map>
#include <random>
#include <set>

namespace kspout::group {
namespace {

using partitions = std::vector<topic_partition>;

group_member member(std::string id, std::vector<std::string> topics, partitions owned = {},
                    std::int32_t generation = -1)
{
    group_member m;
    m.member_id = std::move(id);
    m.subscription.topics = std::move(topics);
    m.subscription.owned_partitions = group_by_topic(owned);
    m.subscription.generation_id = generation;
    return m;
}

topic_partition tp(std::string topic, std::int32_t partition)
{
    return {std::move(topic), partition};
}

TEST(Assignors, NamesAsTheJavaClientWritesThem)
{
    EXPECT_EQ(assignor_name(assignor_kind::range), "range");
    EXPECT_EQ(assignor_name(assignor_kind::round_robin), "roundrobin");
    EXPECT_EQ(assignor_name(assignor_kind::cooperative_sticky), "cooperative-sticky");
    for (auto kind : {assignor_kind::range, assignor_kind::round_robin, assignor_kind::cooperative_sticky}) {
        EXPECT_EQ(parse_assignor(assignor_name(kind)), kind);
    }
    EXPECT_EQ(parse_assignor("sticky"), std::nullopt);
    EXPECT_TRUE(is_cooperative(assignor_kind::cooperative_sticky));
    EXPECT_FALSE(is_cooperative(assignor_kind::range));
}

TEST(Assignors, StaticMembersComeFirstByInstanceId)
{
    std::vector<group_member> members{member("a", {}), member("b", {}), member("c", {})};
    members[1].group_instance_id = "z";
    members[2].group_instance_id = "y";
    auto order = ordered_members(members);
    EXPECT_EQ(order[0]->member_id, "c");
    EXPECT_EQ(order[1]->member_id, "b");
    EXPECT_EQ(order[2]->member_id, "a");
}

// RangeAssignor's javadoc: C0 and C1 over t0 and t1 with three partitions each.
TEST(Assignors, RangeSplitsEachTopic)
{
    std::vector<group_member> members{member("C1", {"t0", "t1"}), member("C0", {"t0", "t1"})};
    auto a = assign(assignor_kind::range, members, {{"t0", 3}, {"t1", 3}});
    EXPECT_EQ(a["C0"].assigned, (partitions{tp("t0", 0), tp("t0", 1), tp("t1", 0), tp("t1", 1)}));
    EXPECT_EQ(a["C1"].assigned, (partitions{tp("t0", 2), tp("t1", 2)}));
}

// RoundRobinAssignor's javadoc, both examples.
TEST(Assignors, RoundRobinDealsInTurnSkippingNonSubscribers)
{
    std::vector<group_member> same{member("C0", {"t0", "t1"}), member("C1", {"t0", "t1"})};
    auto a = assign(assignor_kind::round_robin, same, {{"t0", 3}, {"t1", 3}});
    EXPECT_EQ(a["C0"].assigned, (partitions{tp("t0", 0), tp("t0", 2), tp("t1", 1)}));
    EXPECT_EQ(a["C1"].assigned, (partitions{tp("t0", 1), tp("t1", 0), tp("t1", 2)}));

    std::vector<group_member> mixed{member("C0", {"t0"}), member("C1", {"t0", "t1"}),
                                    member("C2", {"t0", "t1", "t2"})};
    auto b = assign(assignor_kind::round_robin, mixed, {{"t0", 1}, {"t1", 2}, {"t2", 3}});
    EXPECT_EQ(b["C0"].assigned, (partitions{tp("t0", 0)}));
    EXPECT_EQ(b["C1"].assigned, (partitions{tp("t1", 0)}));
    EXPECT_EQ(b["C2"].assigned, (partitions{tp("t1", 1), tp("t2", 0), tp("t2", 1), tp("t2", 2)}));
}

TEST(Assignors, TopicsWithoutPartitionsOrSubscribersAreSkipped)
{
    std::vector<group_member> members{member("C0", {"t0", "missing"})};
    for (auto kind : {assignor_kind::range, assignor_kind::round_robin, assignor_kind::cooperative_sticky}) {
        auto a = assign(kind, members, {{"t0", 2}, {"unsubscribed", 4}});
        EXPECT_EQ(a["C0"].assigned, (partitions{tp("t0", 0), tp("t0", 1)})) << assignor_name(kind);
    }
}

// A fourth member joins three that own 4 partitions each: one partition leaves each, first
// revoked, then handed over in the next round.
TEST(Assignors, CooperativeStickyMovesOnlyWhatBalanceNeedsInTwoRounds)
{
    std::vector<group_member> members{
        member("A", {"t"}, {tp("t", 0), tp("t", 1), tp("t", 2), tp("t", 3)}, 5),
        member("B", {"t"}, {tp("t", 4), tp("t", 5), tp("t", 6), tp("t", 7)}, 5),
        member("C", {"t"}, {tp("t", 8), tp("t", 9), tp("t", 10), tp("t", 11)}, 5),
        member("D", {"t"}),
    };
    auto first = assign(assignor_kind::cooperative_sticky, members, {{"t", 12}});
    std::size_t revoked = 0;
    for (const auto& id : {"A", "B", "C"}) {
        EXPECT_EQ(first[id].assigned.size(), 3u) << id;
        EXPECT_EQ(first[id].revoked.size(), 1u) << id;
        revoked += first[id].revoked.size();
    }
    EXPECT_TRUE(first["D"].assigned.empty()) << "D must wait until the owners revoked";
    EXPECT_EQ(revoked, 3u);

    for (auto& m : members) m.subscription.owned_partitions = group_by_topic(first[m.member_id].assigned);
    auto second = assign(assignor_kind::cooperative_sticky, members, {{"t", 12}});
    for (const auto& id : {"A", "B", "C"}) {
        EXPECT_EQ(second[id].assigned, first[id].assigned) << id;
        EXPECT_TRUE(second[id].revoked.empty());
    }
    EXPECT_EQ(second["D"].assigned.size(), 3u);
}

TEST(Assignors, CooperativeStickyTrustsTheNewerGenerationAndHoldsBackConflicts)
{
    // B's claim on t-0 is from an older generation; A and B both claim t-1 from the same one.
    std::vector<group_member> members{
        member("A", {"t"}, {tp("t", 0), tp("t", 1)}, 6),
        member("B", {"t"}, {tp("t", 0)}, 5),
        member("C", {"t"}, {tp("t", 1)}, 6),
    };
    auto a = assign(assignor_kind::cooperative_sticky, members, {{"t", 3}});
    std::set<topic_partition> given;
    for (const auto& [id, share] : a) given.insert(share.assigned.begin(), share.assigned.end());
    EXPECT_FALSE(given.contains(tp("t", 0))) << "B still claims t-0: nobody may get it this round";
    EXPECT_FALSE(given.contains(tp("t", 1))) << "A and C both claim t-1";
    EXPECT_TRUE(std::ranges::binary_search(a["B"].revoked, tp("t", 0)));
}

// ---- properties over random groups ----

struct random_group {
    std::vector<group_member> members;
    partition_counts counts;
    bool same_subscriptions = false;
};

random_group make_random_group(std::mt19937& random, bool same_subscriptions)
{
    random_group g;
    g.same_subscriptions = same_subscriptions;
    const int topics = 1 + static_cast<int>(random() % 4);
    std::vector<std::string> names;
    for (int t = 0; t < topics; ++t) {
        names.push_back("topic-" + std::to_string(t));
        g.counts[names.back()] = static_cast<std::int32_t>(random() % 17);
    }
    const int members = 1 + static_cast<int>(random() % 9);
    for (int m = 0; m < members; ++m) {
        std::vector<std::string> subscribed;
        for (const auto& name : names) {
            if (same_subscriptions || random() % 3 != 0) subscribed.push_back(name);
        }
        if (subscribed.empty()) subscribed.push_back(names[random() % names.size()]);
        g.members.push_back(member("member-" + std::to_string(random() % 1000) + "-" + std::to_string(m), subscribed));
        if (random() % 4 == 0) g.members.back().group_instance_id = "instance-" + std::to_string(m);
    }
    return g;
}

// Owned partitions as after an earlier round with other members: each partition owned by
// one random member (or none), some by members no longer present, a few stale double claims.
void give_random_ownership(std::mt19937& random, random_group& g, bool with_conflicts)
{
    std::map<std::string, partitions> owned;
    for (const auto& [topic, count] : g.counts) {
        for (std::int32_t p = 0; p < count + 2; ++p) { // + partitions of a topic that shrank
            if (random() % 5 == 0) continue;
            owned[g.members[random() % g.members.size()].member_id].push_back(tp(topic, p));
            if (with_conflicts && random() % 15 == 0) {
                owned[g.members[random() % g.members.size()].member_id].push_back(tp(topic, p));
            }
        }
    }
    for (auto& m : g.members) {
        m.subscription.owned_partitions = group_by_topic(owned[m.member_id]);
        m.subscription.generation_id = with_conflicts ? static_cast<std::int32_t>(random() % 3) : 4;
    }
}

bool subscribed(const group_member& m, const topic_partition& p)
{
    return subscribes_to(m, p.topic);
}

// Each partition at most once, only to a subscriber, and every member has an entry.
std::map<topic_partition, std::string> owners_of(const random_group& g, const group_assignment& a)
{
    std::map<topic_partition, std::string> owner;
    EXPECT_EQ(a.size(), g.members.size());
    for (const auto& m : g.members) {
        for (const auto& p : a.at(m.member_id).assigned) {
            EXPECT_TRUE(subscribed(m, p)) << m.member_id << " got " << p.topic;
            auto count = g.counts.find(p.topic);
            EXPECT_TRUE(count != g.counts.end() && p.partition >= 0 && p.partition < count->second);
            EXPECT_TRUE(owner.emplace(p, m.member_id).second) << p.topic << "-" << p.partition << " assigned twice";
        }
    }
    return owner;
}

// Every partition of a topic someone subscribes to is assigned.
void expect_complete(const random_group& g, const std::map<topic_partition, std::string>& owner)
{
    for (const auto& p : subscribed_partitions(g.members, g.counts)) {
        EXPECT_TRUE(owner.contains(p)) << p.topic << "-" << p.partition << " unassigned";
    }
}

std::pair<std::size_t, std::size_t> load_range(const group_assignment& a)
{
    std::size_t low = SIZE_MAX, high = 0;
    for (const auto& [id, share] : a) {
        low = std::min(low, share.assigned.size());
        high = std::max(high, share.assigned.size());
    }
    return {low, high};
}

TEST(AssignorProperties, EagerAssignorsAssignEveryPartitionOnce)
{
    std::mt19937 random(20261205);
    for (int round = 0; round < 400; ++round) {
        const random_group g = make_random_group(random, round % 2 == 0);
        for (auto kind : {assignor_kind::range, assignor_kind::round_robin}) {
            const group_assignment a = assign(kind, g.members, g.counts);
            expect_complete(g, owners_of(g, a));
            for (const auto& [id, share] : a) EXPECT_TRUE(share.revoked.empty());
            if (g.same_subscriptions && kind == assignor_kind::round_robin) {
                auto [low, high] = load_range(a);
                EXPECT_LE(high - low, 1u) << "round " << round;
            }
        }
        if (HasFailure()) return;
    }
}

TEST(AssignorProperties, RangeIsBalancedWithinOnePerTopic)
{
    std::mt19937 random(7);
    for (int round = 0; round < 200; ++round) {
        const random_group g = make_random_group(random, true);
        const group_assignment a = assign(assignor_kind::range, g.members, g.counts);
        for (const auto& [topic, count] : g.counts) {
            std::size_t low = SIZE_MAX, high = 0;
            for (const auto& [id, share] : a) {
                auto n = static_cast<std::size_t>(std::ranges::count_if(share.assigned, [&](const auto& p) { return p.topic == topic; }));
                low = std::min(low, n);
                high = std::max(high, n);
            }
            EXPECT_LE(high - low, 1u) << topic;
        }
    }
}

// The fewest owned partitions that must change hands for loads within one: the members that
// keep most end with the larger share.
std::size_t fewest_moves(const random_group& g)
{
    const std::vector<topic_partition> all = subscribed_partitions(g.members, g.counts);
    const std::set<topic_partition> valid(all.begin(), all.end());
    std::vector<std::size_t> kept;
    for (const auto& m : g.members) {
        std::size_t n = 0;
        for (const auto& p : flatten(m.subscription.owned_partitions)) n += valid.contains(p) ? 1 : 0;
        kept.push_back(n);
    }
    std::ranges::sort(kept, std::greater<>());
    const std::size_t members = g.members.size();
    std::size_t moves = 0;
    for (std::size_t i = 0; i < members; ++i) {
        const std::size_t quota = all.size() / members + (i < all.size() % members ? 1 : 0);
        moves += kept[i] > quota ? kept[i] - quota : 0;
    }
    return moves;
}

// Cooperative rounds until nothing is revoked: each round no member is given a partition
// another still claims; the owned partitions then follow what each member kept.
TEST(AssignorProperties, CooperativeStickyIsSafeBalancedAndSticky)
{
    std::mt19937 random(42);
    for (int round = 0; round < 400; ++round) {
        random_group g = make_random_group(random, round % 3 != 0);
        const bool conflicts = round % 5 == 0;
        give_random_ownership(random, g, conflicts);

        group_assignment a = assign(assignor_kind::cooperative_sticky, g.members, g.counts);
        if (g.same_subscriptions && !conflicts) {
            std::size_t revoked_valid = 0;
            const auto all = subscribed_partitions(g.members, g.counts);
            const std::set<topic_partition> valid(all.begin(), all.end());
            for (const auto& [id, share] : a) {
                for (const auto& p : share.revoked) revoked_valid += valid.contains(p) ? 1 : 0;
            }
            EXPECT_EQ(revoked_valid, fewest_moves(g)) << "round " << round;
        }

        for (int step = 0; step < 6; ++step) {
            owners_of(g, a);
            for (const auto& m : g.members) {
                const auto owned = flatten(m.subscription.owned_partitions);
                const auto& share = a.at(m.member_id);
                for (const auto& p : share.assigned) {
                    for (const auto& other : g.members) {
                        if (other.member_id == m.member_id) continue;
                        EXPECT_FALSE(std::ranges::binary_search(flatten(other.subscription.owned_partitions), p))
                            << m.member_id << " given " << p.topic << "-" << p.partition << " that "
                            << other.member_id << " still owns";
                    }
                }
                for (const auto& p : owned) {
                    const bool kept = std::ranges::binary_search(share.assigned, p);
                    const bool revoked = std::ranges::binary_search(share.revoked, p);
                    EXPECT_NE(kept, revoked) << "an owned partition is either kept or revoked";
                }
            }
            bool settled = true;
            for (auto& m : g.members) {
                settled = settled && a.at(m.member_id).revoked.empty();
                m.subscription.owned_partitions = group_by_topic(a.at(m.member_id).assigned);
                m.subscription.generation_id += 1;
            }
            if (settled) break;
            a = assign(assignor_kind::cooperative_sticky, g.members, g.counts);
        }
        for (const auto& [id, share] : a) EXPECT_TRUE(share.revoked.empty()) << "round " << round << " does not settle";
        expect_complete(g, owners_of(g, a));
        if (g.same_subscriptions) {
            auto [low, high] = load_range(a);
            EXPECT_LE(high - low, 1u) << "round " << round;
        }
        // Settled: assigning again changes nothing.
        EXPECT_EQ(assign(assignor_kind::cooperative_sticky, g.members, g.counts), a);
        if (HasFailure()) return;
    }
}

} // namespace
} // namespace kspout::group
