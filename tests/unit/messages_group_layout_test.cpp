// Group membership messages byte by byte, written out from Kafka's message specs
// (JoinGroupRequest.json and the others): which fields each version has, and in which form.
#include "protocol/messages/consumer_group_heartbeat.hpp"
#include "protocol/messages/heartbeat.hpp"
#include "protocol/messages/join_group.hpp"
#include "protocol/messages/leave_group.hpp"
#include "protocol/messages/sync_group.hpp"
#include "tests/unit/hex_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace kspout::messages {
namespace {

using wire::byte_buffer;
using wire::bytes_view;

template <typename T>
std::string encoded_hex(const T& message, std::int16_t version)
{
    wire::writer w;
    encode(w, message, version);
    return test::hex(w.view());
}

// Decodes all of the bytes, failing the test on an error or leftover bytes.
template <typename T>
T decoded(std::string_view hex, std::int16_t version)
{
    byte_buffer bytes = test::unhex(hex);
    wire::reader r(bytes);
    T out;
    auto error = decode(r, out, version);
    EXPECT_FALSE(error.has_value()) << error->message();
    EXPECT_TRUE(r.at_end()) << r.remaining() << " bytes left";
    return out;
}

// Shared pieces: "g", "m1", "i", "consumer" and "range" as int16-length and compact strings.
constexpr std::string_view g = "000167", g_c = "0267";
constexpr std::string_view m1 = "00026d31", m1_c = "036d31";
constexpr std::string_view i_c = "0269";
constexpr std::string_view consumer = "0008636f6e73756d6572", consumer_c = "09636f6e73756d6572";
constexpr std::string_view range = "000572616e6765", range_c = "0672616e6765";

std::string cat(std::initializer_list<std::string_view> parts)
{
    std::string s;
    for (std::string_view p : parts) s += p;
    return s;
}

join_group_request join_request()
{
    join_group_request r;
    r.group_id = "g";
    r.session_timeout_ms = 30000;
    r.rebalance_timeout_ms = 60000;
    r.group_instance_id = "i";
    r.protocol_type = "consumer";
    r.protocols = {{"range", {0, 1, 2}}};
    r.reason = "r";
    return r;
}

TEST(GroupLayout, JoinGroupRequestGainsFieldsByVersion)
{
    const join_group_request r = join_request();
    // v0: group, session timeout, member id, protocol type, [name, metadata].
    EXPECT_EQ(encoded_hex(r, 0), cat({g, "00007530", "0000", consumer, "00000001", range, "00000003000102"}));
    // v1-4: + rebalance timeout after the session timeout.
    for (std::int16_t v : {1, 4}) {
        EXPECT_EQ(encoded_hex(r, v),
                  cat({g, "00007530", "0000ea60", "0000", consumer, "00000001", range, "00000003000102"}));
    }
    // v5: + group.instance.id after the member id.
    EXPECT_EQ(encoded_hex(r, 5),
              cat({g, "00007530", "0000ea60", "0000", "000169", consumer, "00000001", range, "00000003000102"}));
    // v6-7: flexible: compact strings, bytes and arrays, tagged fields after each struct.
    const std::string flexible = cat({g_c, "00007530", "0000ea60", "01", i_c, consumer_c, "02", range_c, "04000102", "00"});
    EXPECT_EQ(encoded_hex(r, 6), flexible + "00");
    EXPECT_EQ(encoded_hex(r, 7), flexible + "00");
    // v8-9: + reason.
    EXPECT_EQ(encoded_hex(r, 8), flexible + "0272" + "00");
    EXPECT_EQ(encoded_hex(r, 9), flexible + "0272" + "00");

    join_group_request dynamic = r;
    dynamic.group_instance_id.reset();
    dynamic.reason.reset();
    EXPECT_EQ(encoded_hex(dynamic, 5),
              cat({g, "00007530", "0000ea60", "0000", "ffff", consumer, "00000001", range, "00000003000102"}));
    EXPECT_EQ(encoded_hex(dynamic, 9),
              cat({g_c, "00007530", "0000ea60", "01", "00", consumer_c, "02", range_c, "04000102", "00", "00", "00"}));
}

TEST(GroupLayout, JoinGroupResponseV0AndV9)
{
    auto v0 = decoded<join_group_response>(cat({"0000", "00000005", range, m1, m1, "00000001", m1, "00000003000102"}), 0);
    EXPECT_EQ(v0.generation_id, 5);
    EXPECT_EQ(v0.protocol_name, "range");
    EXPECT_EQ(v0.leader, "m1");
    ASSERT_EQ(v0.members.size(), 1u);
    EXPECT_EQ(v0.members[0].metadata, (byte_buffer{0, 1, 2}));
    EXPECT_FALSE(v0.members[0].group_instance_id.has_value());

    const std::string v9_bytes = cat({"00000064", "0000", "00000005", consumer_c, range_c, m1_c, "01", m1_c,
                                      "02", m1_c, i_c, "04000102", "00", "00"});
    auto v9 = decoded<join_group_response>(v9_bytes, 9);
    EXPECT_EQ(v9.throttle_time_ms, 100);
    EXPECT_EQ(v9.protocol_type, "consumer");
    EXPECT_EQ(v9.protocol_name, "range");
    EXPECT_TRUE(v9.skip_assignment);
    ASSERT_EQ(v9.members.size(), 1u);
    EXPECT_EQ(v9.members[0].group_instance_id, "i");
    EXPECT_EQ(encoded_hex(v9, 9), v9_bytes);

    // From v7 the protocol name may be null (the broker has not chosen one).
    auto v7 = decoded<join_group_response>(cat({"00000000", "0000", "00000005", "00", "00", m1_c, m1_c, "01", "00"}), 7);
    EXPECT_FALSE(v7.protocol_type.has_value());
    EXPECT_FALSE(v7.protocol_name.has_value());
    EXPECT_TRUE(v7.members.empty());
}

TEST(GroupLayout, MemberIdRequiredGivesTheIdToJoinWith)
{
    // v4: throttle, MEMBER_ID_REQUIRED (79), generation -1, no protocol, no leader, member "m-1".
    auto r = decoded<join_group_response>(cat({"00000000", "004f", "ffffffff", "0000", "0000", "00036d2d31", "00000000"}), 4);
    EXPECT_EQ(member_id_to_rejoin_with(r), "m-1");
    r.error_code = 0;
    EXPECT_EQ(member_id_to_rejoin_with(r), std::nullopt);
    r.error_code = 25; // UNKNOWN_MEMBER_ID: join again with an empty id instead
    EXPECT_EQ(member_id_to_rejoin_with(r), std::nullopt);
}

TEST(GroupLayout, SyncGroup)
{
    sync_group_request r{"g", 5, "m1", std::nullopt, "consumer", "range", {{"m1", {0x0a, 0x0b}}}};
    const std::string classic_tail = cat({"00000001", m1, "000000020a0b"});
    EXPECT_EQ(encoded_hex(r, 0), cat({g, "00000005", m1, classic_tail}));
    EXPECT_EQ(encoded_hex(r, 2), cat({g, "00000005", m1, classic_tail}));
    EXPECT_EQ(encoded_hex(r, 3), cat({g, "00000005", m1, "ffff", classic_tail}));
    EXPECT_EQ(encoded_hex(r, 4), cat({g_c, "00000005", m1_c, "00", "02", m1_c, "030a0b", "00", "00"}));
    EXPECT_EQ(encoded_hex(r, 5), cat({g_c, "00000005", m1_c, "00", consumer_c, range_c, "02", m1_c, "030a0b", "00", "00"}));

    sync_group_response answer{0, 0, std::nullopt, std::nullopt, {0x0a, 0x0b}};
    EXPECT_EQ(encoded_hex(answer, 0), "0000000000020a0b");
    EXPECT_EQ(encoded_hex(answer, 1), "00000000" "0000" "000000020a0b");
    EXPECT_EQ(encoded_hex(answer, 4), "00000000" "0000" "030a0b" "00");
    auto v5 = decoded<sync_group_response>(cat({"00000000", "0000", consumer_c, range_c, "030a0b", "00"}), 5);
    EXPECT_EQ(v5.protocol_type, "consumer");
    EXPECT_EQ(v5.protocol_name, "range");
    EXPECT_EQ(v5.assignment, (byte_buffer{0x0a, 0x0b}));
}

TEST(GroupLayout, Heartbeat)
{
    heartbeat_request r{"g", 5, "m1", "i"};
    EXPECT_EQ(encoded_hex(r, 0), cat({g, "00000005", m1}));
    EXPECT_EQ(encoded_hex(r, 2), cat({g, "00000005", m1}));
    EXPECT_EQ(encoded_hex(r, 3), cat({g, "00000005", m1, "000169"}));
    EXPECT_EQ(encoded_hex(r, 4), cat({g_c, "00000005", m1_c, i_c, "00"}));

    EXPECT_EQ(decoded<heartbeat_response>("001b", 0).error_code, 27); // REBALANCE_IN_PROGRESS
    EXPECT_EQ(decoded<heartbeat_response>("00000007001b", 1), (heartbeat_response{7, 27}));
    EXPECT_EQ(decoded<heartbeat_response>("00000007001b00", 4), (heartbeat_response{7, 27}));
}

TEST(GroupLayout, LeaveGroupNamesOneMemberThenABatch)
{
    leave_group_request r{"g", {{"m1", "i", "r"}}};
    EXPECT_EQ(encoded_hex(r, 0), cat({g, m1}));
    EXPECT_EQ(encoded_hex(r, 2), cat({g, m1}));
    EXPECT_EQ(encoded_hex(r, 3), cat({g, "00000001", m1, "000169"}));
    EXPECT_EQ(encoded_hex(r, 4), cat({g_c, "02", m1_c, i_c, "00", "00"}));
    EXPECT_EQ(encoded_hex(r, 5), cat({g_c, "02", m1_c, i_c, "0272", "00", "00"}));
    auto v1 = decoded<leave_group_request>(cat({g, m1}), 1);
    ASSERT_EQ(v1.members.size(), 1u);
    EXPECT_EQ(v1.members[0].member_id, "m1");

    EXPECT_EQ(decoded<leave_group_response>("0000", 0).error_code, 0);
    auto v3 = decoded<leave_group_response>(cat({"00000000", "0000", "00000001", m1, "000169", "0019"}), 3);
    ASSERT_EQ(v3.members.size(), 1u);
    EXPECT_EQ(v3.members[0].group_instance_id, "i");
    EXPECT_EQ(v3.members[0].error_code, 25);
    auto v4 = decoded<leave_group_response>(cat({"00000000", "0000", "02", m1_c, i_c, "0019", "00", "00"}), 4);
    EXPECT_EQ(v4, v3);
}

constexpr std::string_view uuid_hex = "000102030405060708090a0b0c0d0e0f";
constexpr topic_id uuid{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

TEST(GroupLayout, ConsumerGroupHeartbeatRequest)
{
    consumer_group_heartbeat_request r;
    r.group_id = "g";
    r.member_id = "m";
    r.member_epoch = member_epoch_join;
    r.rack_id = "r";
    r.rebalance_timeout_ms = 60000;
    r.subscribed_topic_names = std::vector<std::string>{"t"};
    // group, member, epoch, instance (null), rack, rebalance timeout, [topics], (v1 regex),
    // assignor (null), owned partitions (null), tags.
    EXPECT_EQ(encoded_hex(r, 0), cat({g_c, "026d", "00000000", "00", "0272", "0000ea60", "020274", "00", "00", "00"}));
    EXPECT_EQ(encoded_hex(r, 1), cat({g_c, "026d", "00000000", "00", "0272", "0000ea60", "020274", "00", "00", "00", "00"}));

    // A later heartbeat: unchanged fields null, the owned partitions by topic id.
    consumer_group_heartbeat_request later;
    later.group_id = "g";
    later.member_id = "m";
    later.member_epoch = 3;
    later.topic_partitions = std::vector<consumer_group_topic_partitions>{{uuid, {3}}};
    const std::string later_bytes =
        cat({g_c, "026d", "00000003", "00", "00", "ffffffff", "00", "00", "02", uuid_hex, "0200000003", "00", "00"});
    EXPECT_EQ(encoded_hex(later, 0), later_bytes);
    EXPECT_EQ(decoded<consumer_group_heartbeat_request>(later_bytes, 0), later);

    consumer_group_heartbeat_request leave = later;
    leave.member_epoch = member_epoch_leave;
    leave.topic_partitions.reset();
    EXPECT_EQ(encoded_hex(leave, 0), cat({g_c, "026d", "ffffffff", "00", "00", "ffffffff", "00", "00", "00", "00"}));
}

TEST(GroupLayout, ConsumerGroupHeartbeatResponse)
{
    // throttle, error, message (null), member id, epoch, interval, assignment (present:
    // [topic id, [partitions], tags], tags), tags.
    const std::string bytes = cat({"00000000", "0000", "00", "026d", "00000001", "00001388", "01", "02", uuid_hex,
                                   "03" "00000000" "00000001", "00", "00", "00"});
    auto r = decoded<consumer_group_heartbeat_response>(bytes, 0);
    EXPECT_EQ(r.member_id, "m");
    EXPECT_EQ(r.member_epoch, 1);
    EXPECT_EQ(r.heartbeat_interval_ms, 5000);
    ASSERT_TRUE(r.assignment.has_value());
    ASSERT_EQ(r.assignment->size(), 1u);
    EXPECT_EQ(r.assignment->front().topic_id, uuid);
    EXPECT_EQ(r.assignment->front().partitions, (std::vector<std::int32_t>{0, 1}));
    EXPECT_EQ(encoded_hex(r, 0), bytes);

    // No change to the assignment: the struct is null (marker -1).
    auto fenced = decoded<consumer_group_heartbeat_response>(
        cat({"00000000", "006e", "0474686f", "00", "00000000", "00000000", "ff", "00"}), 0);
    EXPECT_EQ(fenced.error_code, 110); // FENCED_MEMBER_EPOCH
    EXPECT_EQ(fenced.error_message, "tho");
    EXPECT_FALSE(fenced.member_id.has_value());
    EXPECT_FALSE(fenced.assignment.has_value());
}

TEST(GroupLayout, ImpossibleCountsFailBeforeAllocating)
{
    // JoinGroup v0 response claiming 2^31-1 members in a few bytes.
    byte_buffer bytes = test::unhex(cat({"0000", "00000005", range, m1, m1, "7fffffff"}));
    wire::reader r(bytes);
    join_group_response out;
    auto error = decode(r, out, 0);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, wire::errc::bad_length);
    EXPECT_EQ(error->context, "JoinGroup v0 response");

    // A compact array count far beyond the bytes left.
    byte_buffer flexible = test::unhex(cat({"00000000", "0000", "00", "00", "00000001", "00000000", "01", "ffffff7f"}));
    wire::reader f(flexible);
    consumer_group_heartbeat_response cgh;
    auto cgh_error = decode(f, cgh, 0);
    ASSERT_TRUE(cgh_error.has_value());
    EXPECT_EQ(cgh_error->code, wire::errc::bad_length);

    wire::reader unknown(bytes);
    EXPECT_EQ(decode(unknown, out, 10)->code, wire::errc::unsupported_version);
}

} // namespace
} // namespace kspout::messages
