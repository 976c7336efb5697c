// spout/README.md's kafka-bolt settings table against the bolt's key table, and every default's own check.
#include "spout/bolt/bolt_settings.hpp"
#include "tests/unit/settings_readme.hpp"

#include <gtest/gtest.h>

namespace kspout::spout::bolt {
namespace {

TEST(BoltSettingsReadme, DocumentsEveryKeyWithItsTypeAndDefault)
{
    std::string all;
    for (const auto& p : readme::readme_problems("## kafka-bolt", bolt_key_table())) all += p + "\n";
    EXPECT_TRUE(all.empty()) << all;
}

TEST(BoltSettingsReadme, EveryDefaultPassesItsOwnKeysCheck)
{
    for (const auto& spec : bolt_key_table()) {
        EXPECT_TRUE(spec.key.starts_with("kafka.")) << spec.key;
        EXPECT_FALSE(spec.doc.empty()) << spec.key;
        if (!spec.default_value) continue;
        bolt_settings s;
        EXPECT_EQ(spec.rule.apply(s, nlohmann::json(std::string(*spec.default_value))), "") << spec.key;
    }
}

} // namespace
} // namespace kspout::spout::bolt
