// libFuzzer: what the balanced consumer reads from ZooKeeper: owner node names (the children of
// the owners directory) and member registrations (ids and payloads) feeding the assignment.
// Input: [selector][partition count][lines]. Lines of members are "<consumer id>\t<payload>",
// the first line being the topic; lines of claims are "<name>\t<czxid>".
#include "protocol/balanced/rebalance_plan.hpp"
#include "protocol/group/assignment.hpp"
#include "protocol/group/participants.hpp"
#include "protocol/group/paths.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace kspout;

std::vector<std::string> lines_of(std::string_view text)
{
    std::vector<std::string> lines;
    while (!text.empty()) {
        auto eol = text.find('\n');
        lines.emplace_back(text.substr(0, eol));
        if (eol == std::string_view::npos) break;
        text.remove_prefix(eol + 1);
    }
    return lines;
}

std::pair<std::string, std::string> tab_split(const std::string& line)
{
    auto tab = line.find('\t');
    if (tab == std::string::npos) return {line, ""};
    return {line.substr(0, tab), line.substr(tab + 1)};
}

void owner_children(const std::vector<std::string>& children, std::int32_t partition)
{
    std::size_t claiming = 0;
    for (const std::string& name : children) {
        auto node = group::parse_owner_node_name(name);
        if (!node) continue;
        if (node->partition < 0) std::abort();
        auto again = group::parse_owner_node_name(group::owner_node_name(node->leader, node->partition));
        if (!again || *again != *node) std::abort();
        if (node->partition == partition) ++claiming;
        (void)group::is_valid_node_name(name);
    }
    if (group::claims_for_partition(children, partition).size() != claiming) std::abort();
}

// Every member computes its share from the same view; together the shares must cover every
// partition exactly once.
void members(const std::vector<std::string>& lines, std::size_t partition_count)
{
    if (lines.empty()) return;
    std::string topic = lines[0];
    std::vector<group::member_registration> registrations;
    for (std::size_t i = 1; i < lines.size() && i <= 16; ++i) { // a few members cover every case
        auto [id, payload] = tab_split(lines[i]);
        registrations.push_back({id, payload});
    }
    std::vector<std::string> participants = group::select_participants(registrations, topic);
    std::vector<group::partition_info> partitions;
    for (std::size_t p = 0; p < partition_count; ++p) {
        partitions.push_back({static_cast<std::int32_t>(p), static_cast<std::int32_t>(p % 3)});
    }
    for (auto strategy : {group::assignment_strategy::range, group::assignment_strategy::round_robin}) {
        std::multiset<std::int32_t> assigned;
        for (const std::string& me : participants) {
            auto mine = group::decide_partitions(strategy, topic, partitions, participants, me);
            if (!mine) std::abort();
            for (const auto& p : *mine) assigned.insert(p.id);
        }
        if (!participants.empty() && assigned.size() != partitions.size()) std::abort();
        for (const auto& p : partitions) {
            if (!participants.empty() && assigned.count(p.id) != 1) std::abort();
        }
        if (group::decide_partitions(strategy, topic, partitions, participants, "\n")) std::abort();
    }
}

void claims(const std::vector<std::string>& lines)
{
    std::vector<balanced::claim_node> nodes;
    for (const std::string& line : lines) {
        auto [name, zxid] = tab_split(line);
        std::uint64_t hash = 0; // unsigned: a long zxid wraps instead of overflowing
        for (char c : zxid) hash = hash * 31 + static_cast<unsigned char>(c);
        nodes.push_back({name, static_cast<std::int64_t>(hash)});
    }
    auto standing = balanced::standing_claim(nodes);
    if (standing.has_value() == nodes.empty()) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2) return 0;
    std::vector<std::string> lines = lines_of(std::string_view(reinterpret_cast<const char*>(data + 2), size - 2));
    switch (data[0] % 3) {
    case 0: owner_children(lines, static_cast<std::int8_t>(data[1])); break;
    case 1: members(lines, data[1] % 64); break;
    case 2: claims(lines); break;
    }
    return 0;
}
