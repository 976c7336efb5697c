// router: shuffle, fields, all, global, none/local-or-shuffle (as shuffle) and direct groupings.
#include "multilang/local/router.hpp"

#include "multilang/shell_process.hpp"

#include <algorithm>

namespace kspout::multilang::local {

router::router(const topology_def& topology, const task_layout& layout, std::uint64_t seed)
    : layout_(layout), random_(seed)
{
    for (const auto& c : topology.components) {
        for (const auto& [stream, fields] : c.streams) {
            targets_[{c.id, stream}]; // a declared stream with no subscriber
        }
    }
    for (const auto& c : topology.components) {
        for (const auto& in : c.inputs) {
            target t{in, c.id, layout.component_tasks.at(c.id), {}};
            const auto& fields = topology.find(in.source)->streams.at(in.stream);
            for (const auto& f : in.fields) {
                t.field_index.push_back(
                    static_cast<std::size_t>(std::find(fields.begin(), fields.end(), f) - fields.begin()));
            }
            targets_[{in.source, in.stream}].push_back(std::move(t));
        }
    }
}

std::int64_t router::shuffle_pick(std::int64_t source_task, const std::string& stream, const target& t)
{
    auto& [order, next] = shuffles_[{source_task, stream, t.component}];
    if (next >= order.size()) {
        order = t.tasks;
        std::shuffle(order.begin(), order.end(), random_);
        next = 0;
    }
    return order[next++];
}

std::vector<delivery> router::route(const std::string& source, std::int64_t source_task, const std::string& stream,
                                    const json& values, std::optional<std::int64_t> direct_task)
{
    auto it = targets_.find({source, stream});
    if (it == targets_.end()) throw shell_error("Unknown stream ID: " + stream);
    std::vector<delivery> out;
    if (direct_task) {
        auto owner = layout_.task_to_component.find(*direct_task);
        for (const auto& t : it->second) {
            if (t.grouping.type == grouping_type::direct && owner != layout_.task_to_component.end() &&
                owner->second == t.component) {
                out.push_back({t.component, *direct_task});
            }
        }
        if (out.empty()) {
            throw shell_error("direct emit on stream \"" + stream + "\" to task " + std::to_string(*direct_task) +
                              ", which no bolt subscribed with DIRECT grouping owns");
        }
        return out;
    }
    for (const auto& t : it->second) {
        switch (t.grouping.type) {
        case grouping_type::direct:
            break;
        case grouping_type::all:
            for (auto task : t.tasks) out.push_back({t.component, task});
            break;
        case grouping_type::global:
            out.push_back({t.component, *std::min_element(t.tasks.begin(), t.tasks.end())});
            break;
        case grouping_type::fields: {
            // Equal values of the grouping fields always pick the same task.
            json key = json::array();
            for (auto index : t.field_index) key.push_back(index < values.size() ? values[index] : json());
            auto hash = std::hash<std::string>{}(key.dump());
            out.push_back({t.component, t.tasks[hash % t.tasks.size()]});
            break;
        }
        case grouping_type::shuffle:
        case grouping_type::none:
        case grouping_type::local_or_shuffle:
            out.push_back({t.component, shuffle_pick(source_task, stream, t)});
            break;
        }
    }
    return out;
}

} // namespace kspout::multilang::local
