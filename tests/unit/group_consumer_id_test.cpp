// Consumer ids: uuid4 text form (checked against Python's uuid module output) and "<host>:<uuid>".
#include "protocol/group/consumer_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace kspout::group {
namespace {

bool looks_like_uuid4(const std::string& text)
{
    if (text.size() != 36)
        return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash != (text[i] == '-'))
            return false;
        if (!dash && std::string_view("0123456789abcdef").find(text[i]) == std::string_view::npos)
            return false;
    }
    return text[14] == '4' && std::string_view("89ab").find(text[19]) != std::string_view::npos;
}

TEST(GroupConsumerId, Uuid4SetsVersionAndVariantLikePython)
{
    // Expected strings from Python: str(uuid.UUID(bytes=..., version=4)).
    std::array<std::uint8_t, 16> counting{};
    for (std::size_t i = 0; i < counting.size(); ++i)
        counting[i] = static_cast<std::uint8_t>(i);
    EXPECT_EQ(format_uuid4(counting), "00010203-0405-4607-8809-0a0b0c0d0e0f");
    std::array<std::uint8_t, 16> ones{};
    ones.fill(0xff);
    EXPECT_EQ(format_uuid4(ones), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    EXPECT_EQ(format_uuid4({}), "00000000-0000-4000-8000-000000000000");
}

TEST(GroupConsumerId, RandomUuidsAreWellFormedAndDiffer)
{
    std::set<std::string> seen;
    for (int i = 0; i < 64; ++i) {
        std::string uuid = random_uuid4();
        EXPECT_TRUE(looks_like_uuid4(uuid)) << uuid;
        seen.insert(uuid);
    }
    EXPECT_EQ(seen.size(), 64u);
}

TEST(GroupConsumerId, HostColonUuid)
{
    EXPECT_EQ(make_consumer_id("worker-7.example", "4f2552bf-0000-4000-8000-000000000000"),
              "worker-7.example:4f2552bf-0000-4000-8000-000000000000");
    std::string host = local_hostname();
    EXPECT_FALSE(host.empty());
    std::string id = make_consumer_id();
    ASSERT_EQ(id.size(), host.size() + 1 + 36);
    EXPECT_EQ(id.substr(0, host.size() + 1), host + ":");
    EXPECT_TRUE(looks_like_uuid4(id.substr(host.size() + 1))) << id;
    EXPECT_NE(make_consumer_id(), id);
}

} // namespace
} // namespace kspout::group
