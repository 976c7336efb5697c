// The balanced consumer's pure decisions.
#include "protocol/balanced/rebalance_plan.hpp"

#include "protocol/group/paths.hpp"

#include <algorithm>
#include <set>

namespace kspout::balanced {

std::vector<std::int32_t> static_assignment(std::span<const group::partition_info> partitions, static_member member)
{
    std::vector<std::int32_t> mine;
    if (member.count <= 0 || member.index < 0 || member.index >= member.count)
        return mine;
    for (const group::partition_info& p : partitions) {
        if (p.id >= 0 && p.id % member.count == member.index)
            mine.push_back(p.id);
    }
    std::sort(mine.begin(), mine.end());
    mine.erase(std::unique(mine.begin(), mine.end()), mine.end());
    return mine;
}

rebalance_plan plan_rebalance(std::span<const std::int32_t> held, std::span<const std::int32_t> target)
{
    std::set<std::int32_t> have(held.begin(), held.end());
    std::set<std::int32_t> want(target.begin(), target.end());
    rebalance_plan plan;
    std::set_difference(have.begin(), have.end(), want.begin(), want.end(), std::back_inserter(plan.release));
    std::set_difference(want.begin(), want.end(), have.begin(), have.end(), std::back_inserter(plan.claim));
    return plan;
}

std::optional<std::string> standing_claim(std::span<const claim_node> nodes)
{
    if (nodes.empty())
        return std::nullopt;
    auto first = std::min_element(nodes.begin(), nodes.end(), [](const claim_node& a, const claim_node& b) {
        return a.czxid != b.czxid ? a.czxid < b.czxid : a.name < b.name;
    });
    return first->name;
}

bool partitions_changed(std::span<const group::partition_info> before, std::span<const group::partition_info> after)
{
    auto key = [](const group::partition_info& p) { return std::pair{p.id, p.leader}; };
    std::set<std::pair<std::int32_t, std::int32_t>> a, b;
    for (const auto& p : before)
        a.insert(key(p));
    for (const auto& p : after)
        b.insert(key(p));
    return a != b;
}

std::chrono::milliseconds next_backoff(std::chrono::milliseconds previous, std::chrono::milliseconds backoff,
                                       std::chrono::milliseconds max)
{
    backoff = std::max(backoff, std::chrono::milliseconds(1));
    max = std::max(max, backoff);
    if (previous.count() <= 0)
        return backoff;
    if (previous >= max / 2)
        return max;
    return std::min(previous * 2, max);
}

std::string check_options(const balanced_options& options)
{
    if (options.topic.empty())
        return "no topic";
    if (!group::is_valid_node_name(options.topic))
        return "topic '" + options.topic + "' cannot be a znode name";
    if (options.fixed) {
        if (options.fixed->count <= 0)
            return "static member count must be positive";
        if (options.fixed->index < 0 || options.fixed->index >= options.fixed->count)
            return "static member index " + std::to_string(options.fixed->index) + " outside [0, " +
                   std::to_string(options.fixed->count) + ")";
        return {};
    }
    if (options.group_id.empty())
        return "no group id";
    if (!group::is_valid_node_name(options.group_id))
        return "group id '" + options.group_id + "' cannot be a znode name";
    if (options.zookeeper_connect.empty())
        return "no ZooKeeper connect string";
    if (!options.consumer_id.empty() && !group::is_valid_node_name(options.consumer_id))
        return "consumer id '" + options.consumer_id + "' cannot be a znode name";
    if (options.zookeeper_session_timeout.count() <= 0)
        return "ZooKeeper session timeout must be positive";
    if (options.zookeeper_acl == zk::acl_policy::creator && !options.zookeeper_auth)
        return "creator ACLs on the group's znodes need ZooKeeper credentials";
    if (options.zookeeper_auth && options.zookeeper_auth->scheme.empty())
        return "ZooKeeper credentials without a scheme";
    return {};
}

std::string partition_list(std::span<const std::int32_t> partitions)
{
    std::string text;
    for (std::int32_t p : partitions) {
        if (!text.empty())
            text += ',';
        text += std::to_string(p);
    }
    return text.empty() ? "none" : text;
}

group::assignment_strategy to_group_strategy(assignment_strategy strategy) noexcept
{
    return strategy == assignment_strategy::round_robin ? group::assignment_strategy::round_robin
                                                        : group::assignment_strategy::range;
}

} // namespace kspout::balanced
