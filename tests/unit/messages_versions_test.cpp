// Version negotiation against broker ranges, caps, fallback tables and the derived record format.
#include "protocol/messages/api_versions.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/messages/versions.hpp"

#include <gtest/gtest.h>

namespace kspout::messages {
namespace {

using wire::api_key;

TEST(MessagesVersions, ImplementedTableListsEveryCodec)
{
    const version_table& ours = implemented_versions();
    EXPECT_EQ(ours.at(api_key::api_versions), (version_range{0, 2}));
    EXPECT_EQ(ours.at(api_key::metadata), (version_range{0, 8}));
    EXPECT_EQ(ours.at(api_key::produce), (version_range{0, 8}));
    EXPECT_EQ(ours.at(api_key::fetch), (version_range{0, 11}));
    EXPECT_EQ(ours.at(api_key::list_offsets), (version_range{0, 5}));
    EXPECT_EQ(ours.at(api_key::offset_commit), (version_range{0, 7}));
    EXPECT_EQ(ours.at(api_key::offset_fetch), (version_range{0, 5}));
    EXPECT_EQ(ours.at(api_key::find_coordinator), (version_range{0, 2}));
    EXPECT_EQ(ours.at(api_key::sasl_handshake), (version_range{0, 1}));
    EXPECT_EQ(ours.at(api_key::sasl_authenticate), (version_range{0, 1}));
    EXPECT_EQ(ours.at(api_key::init_producer_id), (version_range{0, 1}));
    EXPECT_EQ(ours.at(api_key::join_group), (version_range{0, 9}));
    EXPECT_EQ(ours.at(api_key::sync_group), (version_range{0, 5}));
    EXPECT_EQ(ours.at(api_key::heartbeat), (version_range{0, 4}));
    EXPECT_EQ(ours.at(api_key::leave_group), (version_range{0, 5}));
    EXPECT_EQ(ours.at(api_key::consumer_group_heartbeat), (version_range{0, 1}));
    EXPECT_EQ(ours.size(), 16u);
}

TEST(MessagesVersions, FlexibleVersionsFollowTheMessageSpecs)
{
    EXPECT_FALSE(is_flexible(api_key::metadata, 8));
    EXPECT_TRUE(is_flexible(api_key::metadata, 9));
    EXPECT_TRUE(is_flexible(api_key::join_group, 6));
    EXPECT_FALSE(is_flexible(api_key::join_group, 5));
    EXPECT_TRUE(is_flexible(api_key::consumer_group_heartbeat, 0));
    EXPECT_FALSE(is_flexible(api_key::sasl_handshake, 1));
    EXPECT_EQ(first_flexible_version(api_key::offset_commit), 8);
    EXPECT_EQ(first_flexible_version(api_key::sasl_handshake), std::nullopt);
    EXPECT_TRUE(flexible_response_header(api_key::sync_group, 4));
    EXPECT_FALSE(flexible_response_header(api_key::api_versions, 3)); // always response header v0
    EXPECT_FALSE(flexible_response_header(api_key::heartbeat, 3));
}

// The request pipeline writes request header v1 only: what the existing clients negotiate stays
// below the first flexible version until it frames flexible requests.
TEST(MessagesVersions, NegotiatedMetadataAndOffsetCommitStayBelowFlexible)
{
    const version_table& ours = implemented_versions();
    EXPECT_FALSE(is_flexible(api_key::metadata, ours.at(api_key::metadata).max));
    EXPECT_FALSE(is_flexible(api_key::offset_commit, ours.at(api_key::offset_commit).max));
    EXPECT_GT(metadata_versions.max, ours.at(api_key::metadata).max);
}

TEST(MessagesVersions, ChooseVersionForOneApi)
{
    EXPECT_EQ(choose_version({0, 11}, {0, 17}), 11); // broker above us
    EXPECT_EQ(choose_version({0, 11}, {0, 4}), 4); // broker below us
    EXPECT_EQ(choose_version({0, 8}, {3, 12}), 8); // 4.x minimum inside our range
    EXPECT_EQ(choose_version({0, 2}, {3, 4}), std::nullopt); // disjoint, broker newer
    EXPECT_EQ(choose_version({3, 8}, {0, 2}), std::nullopt); // disjoint, broker older
    EXPECT_EQ(choose_version({0, 5}, {0, 5}, 3), 3); // capped
    EXPECT_EQ(choose_version({0, 5}, {4, 5}, 3), std::nullopt); // cap below the broker minimum
    EXPECT_EQ(choose_version({0, 5}, {0, 2}, 3), 2); // cap above the common range
    EXPECT_EQ(choose_version({2, 2}, {2, 2}), 2);
}

TEST(MessagesVersions, Kafka4BrokerGetsOurHighestNonFlexibleVersions)
{
    // Kafka 4.0.1+ ranges (note §1.2), as an ApiVersions reply.
    api_versions_response reply;
    reply.api_keys = {{0, 3, 12}, {1, 4, 17}, {2, 1, 10}, {3, 0, 13}, {8, 2, 9},
                      {9, 1, 9},  {10, 0, 6}, {18, 0, 4}};
    negotiated_versions n = negotiate(implemented_versions(), broker_versions(reply));
    EXPECT_EQ(n.version(api_key::produce), 8);
    EXPECT_EQ(n.version(api_key::fetch), 11);
    EXPECT_EQ(n.version(api_key::list_offsets), 5);
    EXPECT_EQ(n.version(api_key::metadata), 8);
    EXPECT_EQ(n.version(api_key::offset_commit), 7);
    EXPECT_EQ(n.version(api_key::offset_fetch), 5);
    EXPECT_EQ(n.version(api_key::find_coordinator), 2);
    EXPECT_EQ(n.version(api_key::api_versions), 2);
    EXPECT_EQ(message_format_magic(*n.version(api_key::produce)), 2);
}

TEST(MessagesVersions, AdvertisedMockRangesWithAListOffsetsCap)
{
    // The ranges the librdkafka 2.0.2 mock advertises for our APIs (note §4.1).
    version_table mock{{api_key::produce, {0, 7}},        {api_key::fetch, {0, 11}},
                       {api_key::list_offsets, {0, 5}},   {api_key::metadata, {0, 2}},
                       {api_key::offset_commit, {0, 7}},  {api_key::offset_fetch, {0, 5}},
                       {api_key::find_coordinator, {0, 2}}, {api_key::api_versions, {0, 2}}};
    negotiated_versions plain = negotiate(implemented_versions(), mock);
    EXPECT_EQ(plain.version(api_key::list_offsets), 5);
    EXPECT_EQ(plain.version(api_key::metadata), 2);
    EXPECT_EQ(plain.version(api_key::produce), 7);

    negotiated_versions capped =
        negotiate(implemented_versions(), mock, version_caps{{api_key::list_offsets, 3}});
    EXPECT_EQ(capped.version(api_key::list_offsets), 3);
    EXPECT_EQ(capped.version(api_key::produce), 7); // other APIs untouched
}

TEST(MessagesVersions, ApisTheBrokerDoesNotListAreUnusable)
{
    version_table broker{{api_key::fetch, {0, 3}}, {api_key::produce, {9, 13}}};
    negotiated_versions n = negotiate(implemented_versions(), broker);
    EXPECT_EQ(n.version(api_key::fetch), 3);
    EXPECT_FALSE(n.usable(api_key::produce));  // disjoint
    EXPECT_FALSE(n.usable(api_key::metadata)); // not offered
    EXPECT_EQ(n.chosen.size(), 1u);
}

TEST(MessagesVersions, Fallback082)
{
    auto table = fallback_versions("0.8.2");
    ASSERT_TRUE(table.has_value());
    negotiated_versions n = negotiate(implemented_versions(), *table);
    EXPECT_EQ(n.version(api_key::metadata), 0);
    EXPECT_EQ(n.version(api_key::produce), 0);
    EXPECT_EQ(n.version(api_key::fetch), 0);
    EXPECT_EQ(n.version(api_key::list_offsets), 0);
    EXPECT_EQ(n.version(api_key::find_coordinator), 0);
    EXPECT_EQ(n.version(api_key::offset_commit), 1);
    EXPECT_EQ(n.version(api_key::offset_fetch), 1);
    EXPECT_FALSE(n.usable(api_key::api_versions));
    EXPECT_FALSE(table->contains(api_key::join_group)); // no broker-managed groups on 0.8.2
    EXPECT_EQ(message_format_magic(*n.version(api_key::produce)), 0);
}

TEST(MessagesVersions, Fallback090)
{
    auto table = fallback_versions("0.9.0");
    ASSERT_TRUE(table.has_value());
    negotiated_versions n = negotiate(implemented_versions(), *table);
    EXPECT_EQ(n.version(api_key::produce), 1);
    EXPECT_EQ(n.version(api_key::fetch), 1);
    EXPECT_EQ(n.version(api_key::offset_commit), 2);
    EXPECT_EQ(n.version(api_key::offset_fetch), 1);
    EXPECT_EQ(n.version(api_key::metadata), 0);
    EXPECT_EQ(n.version(api_key::list_offsets), 0);
    EXPECT_FALSE(n.usable(api_key::api_versions));
    EXPECT_EQ(table->at(api_key::join_group), (version_range{0, 0}));
    EXPECT_EQ(message_format_magic(*n.version(api_key::produce)), 0);
}

TEST(MessagesVersions, Fallback0100)
{
    auto table = fallback_versions("0.10.0");
    ASSERT_TRUE(table.has_value());
    negotiated_versions n = negotiate(implemented_versions(), *table);
    EXPECT_EQ(n.version(api_key::produce), 2);
    EXPECT_EQ(n.version(api_key::fetch), 2);
    EXPECT_EQ(n.version(api_key::metadata), 1);
    EXPECT_EQ(n.version(api_key::list_offsets), 0);
    EXPECT_EQ(n.version(api_key::offset_commit), 2);
    EXPECT_EQ(n.version(api_key::offset_fetch), 1);
    EXPECT_EQ(n.version(api_key::find_coordinator), 0);
    EXPECT_EQ(n.version(api_key::api_versions), 0);
    EXPECT_EQ(message_format_magic(*n.version(api_key::produce)), 1);
}

TEST(MessagesVersions, UnknownBrokerVersionIsAnError)
{
    EXPECT_FALSE(fallback_versions("").has_value());
    EXPECT_FALSE(fallback_versions("0.8.1").has_value());
    EXPECT_FALSE(fallback_versions("0.10").has_value());
    EXPECT_FALSE(fallback_versions("4.0.0").has_value());
    EXPECT_FALSE(fallback_versions("0.9.0 ").has_value());
}

TEST(MessagesVersions, MessageFormatFollowsProduceVersion)
{
    EXPECT_EQ(message_format_magic(0), 0);
    EXPECT_EQ(message_format_magic(1), 0);
    EXPECT_EQ(message_format_magic(2), 1);
    for (std::int16_t v = 3; v <= 8; ++v) {
        EXPECT_EQ(message_format_magic(v), 2) << "Produce v" << v;
    }
}

} // namespace
} // namespace kspout::messages
