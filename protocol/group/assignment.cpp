// Range and round-robin assignment over partitions sorted by pykafka's string key.
#include "protocol/group/assignment.hpp"

#include "protocol/group/range_share.hpp"

#include <algorithm>
#include <utility>

namespace kspout::group {
namespace {

struct position {
    std::size_t index = 0;   // of `me` among the participants sorted bytewise
    std::size_t members = 0; // how many participants there are
};

std::optional<position> find_member(std::span<const std::string> participants, std::string_view me)
{
    std::vector<std::string_view> sorted(participants.begin(), participants.end());
    std::sort(sorted.begin(), sorted.end());
    auto it = std::find(sorted.begin(), sorted.end(), me);
    if (it == sorted.end())
        return std::nullopt;
    return position{static_cast<std::size_t>(it - sorted.begin()), sorted.size()};
}

} // namespace

std::string partition_sort_key(std::string_view topic, const partition_info& partition)
{
    std::string key(topic);
    key += '-';
    key += std::to_string(partition.leader);
    key += '-';
    key += std::to_string(partition.id);
    return key;
}

std::vector<partition_info> sort_partitions(std::string_view topic, std::span<const partition_info> partitions)
{
    std::vector<std::pair<std::string, partition_info>> keyed;
    keyed.reserve(partitions.size());
    for (const partition_info& p : partitions)
        keyed.emplace_back(partition_sort_key(topic, p), p);
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<partition_info> sorted;
    sorted.reserve(keyed.size());
    for (auto& entry : keyed)
        sorted.push_back(entry.second);
    return sorted;
}

std::optional<std::vector<partition_info>> decide_partitions_range(std::string_view topic,
                                                                   std::span<const partition_info> partitions,
                                                                   std::span<const std::string> participants,
                                                                   std::string_view me)
{
    std::optional<position> at = find_member(participants, me);
    if (!at)
        return std::nullopt;
    std::vector<partition_info> all = sort_partitions(topic, partitions);
    const range_slice mine = range_share(all.size(), at->members, at->index);
    return std::vector<partition_info>(all.begin() + static_cast<std::ptrdiff_t>(mine.start),
                                       all.begin() + static_cast<std::ptrdiff_t>(mine.start + mine.count));
}

std::optional<std::vector<partition_info>> decide_partitions_round_robin(std::string_view topic,
                                                                         std::span<const partition_info> partitions,
                                                                         std::span<const std::string> participants,
                                                                         std::string_view me)
{
    std::optional<position> at = find_member(participants, me);
    if (!at)
        return std::nullopt;
    std::vector<partition_info> all = sort_partitions(topic, partitions);
    std::vector<partition_info> mine;
    for (std::size_t k = at->index; k < all.size(); k += at->members)
        mine.push_back(all[k]);
    return mine;
}

std::optional<std::vector<partition_info>> decide_partitions(assignment_strategy strategy, std::string_view topic,
                                                             std::span<const partition_info> partitions,
                                                             std::span<const std::string> participants,
                                                             std::string_view me)
{
    if (strategy == assignment_strategy::round_robin)
        return decide_partitions_round_robin(topic, partitions, participants, me);
    return decide_partitions_range(topic, partitions, participants, me);
}

} // namespace kspout::group
