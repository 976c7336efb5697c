// The types of the actions a state machine returned, in order: what scripted tests compare.
#pragma once

#include <vector>

namespace kspout::test {

template <typename Action>
auto action_types(const std::vector<Action>& actions)
{
    std::vector<decltype(Action::type)> out;
    for (const Action& a : actions)
        out.push_back(a.type);
    return out;
}

} // namespace kspout::test
