// Cooperative sticky assignment: keep, fill, balance, then hold back what others still own.
#include "protocol/group/cooperative_sticky_assignor.hpp"

#include "protocol/group/member_order.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace kspout::group {
namespace {

using partition_set = std::set<topic_partition>;

// Every partition each member says it owns, whatever its topic or count.
std::map<const group_member*, partition_set> claims_of(std::span<const group_member* const> order)
{
    std::map<const group_member*, partition_set> claims;
    for (const group_member* m : order) {
        std::vector<topic_partition> owned = flatten(m->subscription.owned_partitions);
        claims[m].insert(owned.begin(), owned.end());
    }
    return claims;
}

// The owner each partition keeps: the one valid claim with the highest generation.
std::map<topic_partition, const group_member*> previous_owners(
    std::span<const group_member* const> order, const std::map<const group_member*, partition_set>& claims,
    const partition_set& valid)
{
    std::map<topic_partition, std::vector<const group_member*>> best;
    for (const group_member* m : order) {
        for (const topic_partition& tp : claims.at(m)) {
            if (!valid.contains(tp) || !subscribes_to(*m, tp.topic)) continue;
            auto& holders = best[tp];
            const std::int32_t generation = m->subscription.generation_id;
            if (!holders.empty() && holders.front()->subscription.generation_id > generation) continue;
            if (!holders.empty() && holders.front()->subscription.generation_id < generation) holders.clear();
            holders.push_back(m);
        }
    }
    std::map<topic_partition, const group_member*> owners;
    for (const auto& [tp, holders] : best) {
        if (holders.size() == 1) owners.emplace(tp, holders.front());
    }
    return owners;
}

class balancer {
public:
    explicit balancer(std::span<const group_member* const> order) : order_(order)
    {
        for (const group_member* m : order_) target_[m];
    }

    void give(const group_member* m, const topic_partition& tp) { target_[m].insert(tp); }

    // The least loaded subscriber of tp's topic other than `except`, first in member order on ties.
    const group_member* least_loaded(const topic_partition& tp, const group_member* except = nullptr) const
    {
        const group_member* best = nullptr;
        for (const group_member* m : order_) {
            if (m == except || !subscribes_to(*m, tp.topic)) continue;
            if (!best || load(m) < load(best)) best = m;
        }
        return best;
    }

    // One move from the most loaded member that can give, preferring partitions it did not own.
    bool move_one(const std::map<topic_partition, const group_member*>& owners)
    {
        std::vector<const group_member*> by_load(order_.begin(), order_.end());
        std::stable_sort(by_load.begin(), by_load.end(),
                         [&](const group_member* a, const group_member* b) { return load(a) > load(b); });
        for (const group_member* from : by_load) {
            for (bool owned_pass : {false, true}) {
                for (const topic_partition& tp : target_.at(from)) {
                    auto owner = owners.find(tp);
                    const bool was_owned = owner != owners.end() && owner->second == from;
                    if (was_owned != owned_pass) continue;
                    const group_member* to = least_loaded(tp, from);
                    if (to && load(to) + 1 < load(from)) {
                        target_[to].insert(tp);
                        target_[from].erase(tp);
                        return true;
                    }
                }
            }
        }
        return false;
    }

    std::size_t load(const group_member* m) const { return target_.at(m).size(); }
    const partition_set& target(const group_member* m) const { return target_.at(m); }

private:
    std::span<const group_member* const> order_;
    std::map<const group_member*, partition_set> target_;
};

} // namespace

group_assignment assign_cooperative_sticky(std::span<const group_member> members, const partition_counts& partitions)
{
    group_assignment out = empty_assignment(members);
    const std::vector<const group_member*> order = ordered_members(members);
    const std::vector<topic_partition> all = subscribed_partitions(members, partitions);
    const partition_set valid(all.begin(), all.end());
    const auto claims = claims_of(order);
    const auto owners = previous_owners(order, claims, valid);

    balancer plan(order);
    std::vector<std::pair<std::size_t, topic_partition>> unowned; // (subscriber count, partition)
    for (const topic_partition& tp : all) {
        if (auto owner = owners.find(tp); owner != owners.end()) {
            plan.give(owner->second, tp);
            continue;
        }
        const auto subscribers = std::ranges::count_if(order, [&](const group_member* m) { return subscribes_to(*m, tp.topic); });
        unowned.emplace_back(static_cast<std::size_t>(subscribers), tp);
    }
    std::ranges::sort(unowned);
    for (const auto& [subscribers, tp] : unowned) plan.give(plan.least_loaded(tp), tp);
    while (plan.move_one(owners)) {
    }

    for (const group_member* m : order) {
        member_assignment& share = out[m->member_id];
        for (const topic_partition& tp : plan.target(m)) {
            const bool claimed_elsewhere = std::ranges::any_of(order, [&](const group_member* other) {
                return other != m && claims.at(other).contains(tp);
            });
            if (!claimed_elsewhere) share.assigned.push_back(tp);
        }
        for (const topic_partition& tp : claims.at(m)) {
            if (!std::ranges::binary_search(share.assigned, tp)) share.revoked.push_back(tp);
        }
    }
    return out;
}

} // namespace kspout::group
