// pykafka's znode paths, owner node names both ways, and per-partition claim lookup.
#include "protocol/group/paths.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kspout::group {
namespace {

TEST(GroupPaths, LayoutUnderConsumers)
{
    EXPECT_EQ(group_path("g"), "/consumers/g");
    EXPECT_EQ(ids_path("g"), "/consumers/g/ids");
    EXPECT_EQ(member_path("g", "host:0f8f-1"), "/consumers/g/ids/host:0f8f-1");
    EXPECT_EQ(owners_path("g", "events"), "/consumers/g/owners/events");
    EXPECT_EQ(owner_node_name(3, 12), "3-12");
    EXPECT_EQ(owner_path("g", "events", 3, 12), "/consumers/g/owners/events/3-12");
}

TEST(GroupPaths, PythonThreeOwnersDirectoryIsTheBytesRepr)
{
    EXPECT_EQ(owners_dir_name("events", owners_dir_style::python3_bytes_repr), "b'events'");
    EXPECT_EQ(owners_path("g", "events", owners_dir_style::python3_bytes_repr), "/consumers/g/owners/b'events'");
    EXPECT_EQ(owner_path("g", "events", 1, 0, owners_dir_style::python3_bytes_repr),
              "/consumers/g/owners/b'events'/1-0");
}

TEST(GroupPaths, OwnerNamesParseBack)
{
    for (auto [leader, partition] : {std::pair{0, 0}, {1, 0}, {12, 7}, {-1, 3}, {2147483647, 2147483647}}) {
        auto parsed = parse_owner_node_name(owner_node_name(leader, partition));
        ASSERT_TRUE(parsed.has_value()) << leader << "-" << partition;
        EXPECT_EQ(parsed->leader, leader);
        EXPECT_EQ(parsed->partition, partition);
    }
}

TEST(GroupPaths, MalformedOwnerNamesAreRejected)
{
    for (const char* name : {"", "1", "1-", "-", "-1", "a-1", "1-b", "1-2-3", "1--2", "1-2 ", " 1-2", "1-+2",
                             "1-99999999999", "1-0x1"}) {
        EXPECT_FALSE(parse_owner_node_name(name).has_value()) << "'" << name << "'";
    }
}

TEST(GroupPaths, ClaimsAreFoundUnderAnyLeaderPrefix)
{
    std::vector<std::string> children = {"1-0", "2-0", "1-1", "junk", "3-10", "-1-1"};
    EXPECT_EQ(claims_for_partition(children, 0), (std::vector<std::string>{"1-0", "2-0"}));
    EXPECT_EQ(claims_for_partition(children, 1), (std::vector<std::string>{"1-1", "-1-1"}));
    EXPECT_EQ(claims_for_partition(children, 10), (std::vector<std::string>{"3-10"}));
    EXPECT_TRUE(claims_for_partition(children, 2).empty());
}

TEST(GroupPaths, NodeNameValidity)
{
    EXPECT_TRUE(is_valid_node_name("events"));
    EXPECT_TRUE(is_valid_node_name("host.example:4f25-9a"));
    EXPECT_TRUE(is_valid_node_name("b'events'"));
    EXPECT_FALSE(is_valid_node_name(""));
    EXPECT_FALSE(is_valid_node_name("."));
    EXPECT_FALSE(is_valid_node_name(".."));
    EXPECT_FALSE(is_valid_node_name("a/b"));
    EXPECT_FALSE(is_valid_node_name(std::string("a\0b", 3)));
    EXPECT_FALSE(is_valid_node_name("a\nb"));
    EXPECT_FALSE(is_valid_node_name("a\x7f"));
}

} // namespace
} // namespace kspout::group
