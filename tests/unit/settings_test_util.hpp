// Helpers the spout's and the bolt's settings tests share: command-line overrides and joined errors.
#pragma once

#include "spout/command_line.hpp"

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace kspout::spout::test_util {

inline command_line flags(std::initializer_list<std::pair<std::string, std::string>> overrides)
{
    command_line cl;
    for (const auto& o : overrides) cl.overrides.push_back(o);
    return cl;
}

// Every error on its own line, for failure messages.
inline std::string joined(const std::vector<std::string>& errors)
{
    std::string out;
    for (const auto& e : errors) out += e + "\n";
    return out;
}

} // namespace kspout::spout::test_util
