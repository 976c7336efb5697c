// Groupings: which tasks of which bolts a tuple goes to, given the stream it was emitted on.
#pragma once

#include "multilang/local/topology.hpp"

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace kspout::multilang::local {

struct delivery {
    std::string component;  // the subscribing bolt
    std::int64_t task = 0;
};

class router {
public:
    router(const topology_def& topology, const task_layout& layout, std::uint64_t seed = std::random_device{}());

    // Where a tuple from `source_task` of `source` on `stream` goes: one delivery per
    // subscribing task chosen by each subscription's grouping. A direct emit (`direct_task`)
    // goes only to that task, which must belong to a bolt subscribed with DIRECT grouping;
    // other emits skip DIRECT subscriptions. Throws shell_error for an undeclared stream
    // ("Unknown stream ID", as Storm's Task does) or a bad direct target.
    std::vector<delivery> route(const std::string& source, std::int64_t source_task, const std::string& stream,
                                const json& values, std::optional<std::int64_t> direct_task = std::nullopt);

private:
    struct target {
        subscription grouping;
        std::string component;
        std::vector<std::int64_t> tasks;
        std::vector<std::size_t> field_index; // fields grouping: positions in the source tuple
    };
    // Storm's ShuffleGrouping: a shuffled round-robin over the target's tasks, per source task.
    std::int64_t shuffle_pick(std::int64_t source_task, const std::string& stream, const target& t);

    const task_layout& layout_;
    std::map<std::pair<std::string, std::string>, std::vector<target>> targets_; // (source, stream)
    std::map<std::tuple<std::int64_t, std::string, std::string>, std::pair<std::vector<std::int64_t>, std::size_t>>
        shuffles_;
    std::mt19937_64 random_;
};

} // namespace kspout::multilang::local
