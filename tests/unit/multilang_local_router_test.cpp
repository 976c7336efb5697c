// Groupings of the local runner: shuffle, fields, all, global, direct, and undeclared streams.
#include "multilang/local/router.hpp"

#include "multilang/shell_process.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace kspout::multilang;
using namespace kspout::multilang::local;

namespace {

topology_def two_level(grouping_type type, std::vector<std::string> fields = {})
{
    topology_def t;
    component_def spout;
    spout.id = "src";
    spout.command = {"x"};
    spout.streams["default"] = {"word", "count"};
    spout.streams["side"] = {"x"};
    component_def bolt;
    bolt.id = "dst";
    bolt.kind = component_kind::bolt;
    bolt.command = {"y"};
    bolt.parallelism = 4;
    bolt.inputs.push_back({"src", "default", type, std::move(fields)});
    t.components = {spout, bolt};
    return t;
}

} // namespace

TEST(LocalRouter, TaskIdsFollowSortedComponentIdsWithTheAcker)
{
    auto t = two_level(grouping_type::shuffle);
    auto layout = assign_tasks(t);
    // "__acker" < "dst" < "src"
    EXPECT_EQ(layout.component_tasks.at("__acker"), (std::vector<std::int64_t>{1}));
    EXPECT_EQ(layout.component_tasks.at("dst"), (std::vector<std::int64_t>{2, 3, 4, 5}));
    EXPECT_EQ(layout.component_tasks.at("src"), (std::vector<std::int64_t>{6}));
    t.config["topology.acker.executors"] = 0;
    EXPECT_FALSE(assign_tasks(t).component_tasks.contains("__acker"));
}

TEST(LocalRouter, ShuffleVisitsEveryTaskEvenly)
{
    auto t = two_level(grouping_type::shuffle);
    auto layout = assign_tasks(t);
    router r(t, layout, 7);
    std::map<std::int64_t, int> seen;
    for (int i = 0; i < 40; ++i) {
        auto d = r.route("src", 6, "default", json::array({"a", i}));
        ASSERT_EQ(d.size(), 1u);
        EXPECT_EQ(d[0].component, "dst");
        ++seen[d[0].task];
    }
    EXPECT_EQ(seen.size(), 4u);
    for (auto [task, n] : seen) EXPECT_EQ(n, 10) << "task " << task;
}

TEST(LocalRouter, FieldsGroupingSendsEqualKeysToOneTask)
{
    auto t = two_level(grouping_type::fields, {"word"});
    auto layout = assign_tasks(t);
    router r(t, layout);
    std::set<std::int64_t> for_apple, all;
    for (int i = 0; i < 20; ++i) {
        for_apple.insert(r.route("src", 6, "default", json::array({"apple", i}))[0].task);
        all.insert(r.route("src", 6, "default", json::array({"w" + std::to_string(i), i}))[0].task);
    }
    EXPECT_EQ(for_apple.size(), 1u); // the count field does not matter
    EXPECT_GT(all.size(), 1u);
}

TEST(LocalRouter, AllAndGlobal)
{
    auto all = two_level(grouping_type::all);
    auto layout = assign_tasks(all);
    router ra(all, layout);
    EXPECT_EQ(ra.route("src", 6, "default", json::array({"a", 1})).size(), 4u);

    auto global = two_level(grouping_type::global);
    router rg(global, layout);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(rg.route("src", 6, "default", json::array({"a", i}))[0].task, 2);
}

TEST(LocalRouter, DeclaredStreamWithoutSubscribersGoesNowhere)
{
    auto t = two_level(grouping_type::shuffle);
    auto layout = assign_tasks(t);
    router r(t, layout);
    EXPECT_TRUE(r.route("src", 6, "side", json::array({1})).empty());
}

TEST(LocalRouter, UndeclaredStreamIsFatal)
{
    auto t = two_level(grouping_type::shuffle);
    auto layout = assign_tasks(t);
    router r(t, layout);
    try {
        r.route("src", 6, "nope", json::array({1}));
        FAIL() << "expected shell_error";
    } catch (const shell_error& e) {
        EXPECT_STREQ(e.what(), "Unknown stream ID: nope");
    }
}

TEST(LocalRouter, DirectEmitsGoOnlyToDirectSubscribers)
{
    auto t = two_level(grouping_type::direct);
    auto layout = assign_tasks(t);
    router r(t, layout);
    EXPECT_TRUE(r.route("src", 6, "default", json::array({"a", 1})).empty()); // not direct: skipped
    auto d = r.route("src", 6, "default", json::array({"a", 1}), 4);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].task, 4);
    EXPECT_THROW(r.route("src", 6, "default", json::array({"a", 1}), 6), shell_error); // the spout's own task
}
