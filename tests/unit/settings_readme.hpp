// Test helper: a key table against its settings table in spout/README.md (keys, types, defaults).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::spout::readme {

struct documented_key {
    std::string type;
    std::string default_value;
};

// The cells of a markdown table row; "\|" inside a cell is kept as written.
inline std::vector<std::string> cells(std::string_view row)
{
    std::vector<std::string> out;
    std::string cell;
    for (std::size_t i = 1; i < row.size(); ++i) { // past the leading '|'
        if (row[i] == '|' && row[i - 1] != '\\') {
            auto first = cell.find_first_not_of(' ');
            auto last = cell.find_last_not_of(' ');
            out.push_back(first == std::string::npos ? std::string() : cell.substr(first, last - first + 1));
            cell.clear();
        } else {
            cell += row[i];
        }
    }
    return out;
}

// The rows of the tables under the heading `section` (down to the next "## " heading) of
// spout/README.md whose first cell is a `kafka.*` key.
inline std::map<std::string, documented_key> readme_keys(std::string_view section, std::vector<std::string>& problems)
{
    std::ifstream in(std::string(KSPOUT_SOURCE_DIR) + "/spout/README.md");
    EXPECT_TRUE(in) << "cannot read spout/README.md";
    std::map<std::string, documented_key> keys;
    bool in_settings = false;
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("## ")) in_settings = line == section;
        if (!in_settings || !line.starts_with("| `kafka.")) continue;
        auto row = cells(line);
        if (row.size() != 4) {
            problems.push_back("row without 4 cells: " + line);
            continue;
        }
        std::string key = row[0].substr(1, row[0].size() - 2);
        if (!keys.emplace(key, documented_key{row[1], row[2]}).second) problems.push_back(key + " documented twice");
    }
    return keys;
}

// How the README writes a default: `value`, "empty (none)" for an empty string, or "required ...".
template <typename Spec>
std::string readme_default(const Spec& spec)
{
    if (!spec.default_value) return "required";
    if (spec.default_value->empty()) return "empty (none)";
    return "`" + std::string(*spec.default_value) + "`";
}

// What differs between the table under `section` and the key table: each problem in one line.
template <typename Spec>
std::vector<std::string> readme_problems(std::string_view section, const std::vector<Spec>& table)
{
    std::vector<std::string> problems;
    auto documented = readme_keys(section, problems);
    for (const auto& spec : table) {
        std::string key(spec.key);
        auto it = documented.find(key);
        if (it == documented.end()) {
            problems.push_back(key + " is not in the README");
            continue;
        }
        if (it->second.type != spec.rule.type) {
            problems.push_back(key + ": the README's type is \"" + it->second.type + "\", the key table's \"" +
                               spec.rule.type + "\"");
        }
        std::string expected = readme_default(spec);
        bool required = expected == "required";
        if (required ? !it->second.default_value.starts_with("required") : it->second.default_value != expected) {
            problems.push_back(key + ": the README's default is \"" + it->second.default_value +
                               "\", the key table's \"" + expected + "\"");
        }
        documented.erase(it);
    }
    for (const auto& [key, doc] : documented) problems.push_back(key + " is in the README but not in the key table");
    return problems;
}

} // namespace kspout::spout::readme
