// What scripted tests ask of the actions a state machine returned: their types in order, the one of a type.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
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

template <typename Action, typename Type>
bool has_action(const std::vector<Action>& actions, Type t)
{
    return std::any_of(actions.begin(), actions.end(), [t](const Action& a) { return a.type == t; });
}

// The action of type t, which must be there exactly once (a test failure otherwise, and an empty action).
template <typename Action, typename Type>
const Action& only_action(const std::vector<Action>& actions, Type t)
{
    EXPECT_EQ(std::count_if(actions.begin(), actions.end(), [t](const Action& a) { return a.type == t; }), 1);
    auto it = std::find_if(actions.begin(), actions.end(), [t](const Action& a) { return a.type == t; });
    static const Action missing{};
    return it == actions.end() ? missing : *it;
}

} // namespace kspout::test
