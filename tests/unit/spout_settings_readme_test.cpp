// spout/README.md's settings table against the key table: the same keys, types and defaults.
#include "spout/settings_keys.hpp"
#include "tests/unit/settings_readme.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace kspout::spout {
namespace {

using namespace readme;

TEST(SpoutSettingsReadme, DocumentsEveryKeyWithItsTypeAndDefault)
{
    std::string all;
    for (const auto& p : readme_problems("## Settings", key_table())) all += p + "\n";
    EXPECT_TRUE(all.empty()) << all;
}

TEST(SpoutSettingsReadme, RowsAreReadFromTheSettingsTable)
{
    std::vector<std::string> problems;
    auto documented = readme_keys("## Settings", problems);
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
