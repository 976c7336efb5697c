// spout/README.md's settings table against the key table: the same keys, types and defaults.
#include "spout/settings_keys.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace kspout::spout {
namespace {

struct documented_key {
    std::string type;
    std::string default_value;
};

// The cells of a markdown table row; "\|" inside a cell is kept as written.
std::vector<std::string> cells(std::string_view row)
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

// The rows of the table under "## Settings" whose first cell is a `kafka.*` key.
std::map<std::string, documented_key> readme_keys(std::vector<std::string>& problems)
{
    std::ifstream in(std::string(KSPOUT_SOURCE_DIR) + "/spout/README.md");
    EXPECT_TRUE(in) << "cannot read spout/README.md";
    std::map<std::string, documented_key> keys;
    bool in_settings = false;
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("## ")) in_settings = line == "## Settings";
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
std::string readme_default(const key_spec& spec)
{
    if (!spec.default_value) return "required";
    if (spec.default_value->empty()) return "empty (none)";
    return "`" + std::string(*spec.default_value) + "`";
}

TEST(SpoutSettingsReadme, DocumentsEveryKeyWithItsTypeAndDefault)
{
    std::vector<std::string> problems;
    auto documented = readme_keys(problems);
    for (const auto& spec : key_table()) {
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
    std::string all;
    for (const auto& p : problems) all += p + "\n";
    EXPECT_TRUE(problems.empty()) << all;
}

TEST(SpoutSettingsReadme, RowsAreReadFromTheSettingsTable)
{
    std::vector<std::string> problems;
    auto documented = readme_keys(problems);
    EXPECT_EQ(documented.size(), key_table().size());
    ASSERT_TRUE(documented.contains("kafka.broker.version.fallback"));
    EXPECT_EQ(documented["kafka.broker.version.fallback"].type, "`0.8.2` \\| `0.9.0` \\| `0.10.0`");
    EXPECT_EQ(documented["kafka.broker.version.fallback"].default_value, "`0.10.0`");
}

TEST(SpoutSettingsReadme, EveryDefaultPassesItsOwnKeysCheck)
{
    for (const auto& spec : key_table()) {
        if (!spec.default_value) continue;
        settings s;
        EXPECT_EQ(spec.rule.apply(s, nlohmann::json(std::string(*spec.default_value))), "") << spec.key;
        EXPECT_FALSE(spec.doc.empty()) << spec.key;
        EXPECT_EQ(spec.doc.find('\n'), std::string_view::npos) << spec.key;
    }
}

} // namespace
} // namespace kspout::spout
