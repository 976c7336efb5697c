// The participant filter: exact topic payload, bytewise order, duplicates once.
#include "protocol/group/participants.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kspout::group {
namespace {

TEST(GroupParticipants, OnlyExactTopicPayloadsTakePart)
{
    std::vector<member_registration> members = {
        {"h:3", "events"},
        {"h:1", "events"},
        {"h:2", "other"},
        {"h:4", "events\n"},
        {"h:5", "Events"},
        {"h:6", R"({"version":1,"subscription":{"events":1},"pattern":"static"})"},
        {"h:7", ""},
        {"h:0", "events"},
    };
    EXPECT_EQ(select_participants(members, "events"), (std::vector<std::string>{"h:0", "h:1", "h:3"}));
    EXPECT_EQ(select_participants(members, "other"), std::vector<std::string>{"h:2"});
    EXPECT_TRUE(select_participants(members, "missing").empty());
}

TEST(GroupParticipants, PayloadIsComparedAsBytes)
{
    std::string topic("ev\0ents", 7);
    std::vector<member_registration> members = {{"a", topic}, {"b", "ev"}, {"c", "events"}};
    EXPECT_EQ(select_participants(members, topic), std::vector<std::string>{"a"});
}

TEST(GroupParticipants, SortedBytewiseWithoutDuplicates)
{
    std::vector<member_registration> members = {
        {"\xc3\xa9:1", "t"}, {"z:1", "t"}, {"a:1", "t"}, {"B:1", "t"}, {"a:1", "t"},
    };
    EXPECT_EQ(select_participants(members, "t"), (std::vector<std::string>{"B:1", "a:1", "z:1", "\xc3\xa9:1"}));
}

} // namespace
} // namespace kspout::group
