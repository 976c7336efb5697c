// The group membership codecs (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, ConsumerGroupHeartbeat)
// at every version: round trips, every cut fails cleanly, garbage never crashes.
#include "protocol/messages/consumer_group_heartbeat.hpp"
#include "protocol/messages/heartbeat.hpp"
#include "protocol/messages/join_group.hpp"
#include "protocol/messages/leave_group.hpp"
#include "protocol/messages/sync_group.hpp"
#include "tests/unit/messages_codec_case.hpp"

#include <gtest/gtest.h>

#include <random>

namespace kspout::messages {
namespace {

using namespace codec_test;

const byte_buffer metadata_a{0, 1, 0, 0, 0, 1, 0, 1, 't'};
const byte_buffer metadata_b{0xff, 0x00, 0x7f};

join_group_request sample_join_group_request(std::int16_t v)
{
    join_group_request r;
    r.group_id = "storm-group";
    r.session_timeout_ms = 45000;
    if (v >= 1) r.rebalance_timeout_ms = 300000;
    r.member_id = "member-1";
    if (v >= 5) r.group_instance_id = "topology-spout-3";
    r.protocol_type = "consumer";
    r.protocols = {{"cooperative-sticky", metadata_a}, {"range", metadata_b}};
    if (v >= 8) r.reason = "rebalance needed";
    return r;
}

join_group_response sample_join_group_response(std::int16_t v)
{
    join_group_response r;
    if (v >= 2) r.throttle_time_ms = 12;
    r.generation_id = 7;
    if (v >= 7) r.protocol_type = "consumer";
    r.protocol_name = "range";
    r.leader = "member-1";
    if (v >= 9) r.skip_assignment = true;
    r.member_id = "member-1";
    r.members = {{"member-1", std::nullopt, metadata_a}, {"member-2", std::nullopt, metadata_b}};
    if (v >= 5) r.members[1].group_instance_id = "topology-spout-4";
    return r;
}

sync_group_request sample_sync_group_request(std::int16_t v)
{
    sync_group_request r;
    r.group_id = "storm-group";
    r.generation_id = 7;
    r.member_id = "member-1";
    if (v >= 3) r.group_instance_id = "topology-spout-3";
    if (v >= 5) {
        r.protocol_type = "consumer";
        r.protocol_name = "range";
    }
    r.assignments = {{"member-1", metadata_a}, {"member-2", {}}};
    return r;
}

sync_group_response sample_sync_group_response(std::int16_t v)
{
    sync_group_response r;
    if (v >= 1) r.throttle_time_ms = 3;
    r.error_code = 0;
    if (v >= 5) r.protocol_name = "range"; // protocol_type left null
    r.assignment = metadata_b;
    return r;
}

heartbeat_request sample_heartbeat_request(std::int16_t v)
{
    heartbeat_request r{"storm-group", 7, "member-1", std::nullopt};
    if (v >= 3) r.group_instance_id = "topology-spout-3";
    return r;
}

heartbeat_response sample_heartbeat_response(std::int16_t v)
{
    return {v >= 1 ? 9 : 0, 27};
}

leave_group_request sample_leave_group_request(std::int16_t v)
{
    leave_group_request r;
    r.group_id = "storm-group";
    r.members = {{"member-1", std::nullopt, std::nullopt}};
    if (v >= 3) r.members.push_back({"member-2", "topology-spout-4", std::nullopt});
    if (v >= 5) r.members[1].reason = "stopping";
    return r;
}

leave_group_response sample_leave_group_response(std::int16_t v)
{
    leave_group_response r;
    if (v >= 1) r.throttle_time_ms = 4;
    if (v >= 3) r.members = {{"member-1", std::nullopt, 0}, {"member-2", "topology-spout-4", 25}};
    return r;
}

constexpr topic_id id_a{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
constexpr topic_id id_b{0xf0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff};

consumer_group_heartbeat_request sample_consumer_group_heartbeat_request(std::int16_t v)
{
    consumer_group_heartbeat_request r;
    r.group_id = "storm-group";
    r.member_id = "m-uuid";
    r.member_epoch = 12;
    r.instance_id = "topology-spout-3";
    r.rack_id = "rack-a";
    r.rebalance_timeout_ms = 300000;
    r.subscribed_topic_names = std::vector<std::string>{"clicks", "views"};
    if (v >= 1) r.subscribed_topic_regex = "^logs-.*";
    r.server_assignor = "uniform";
    r.topic_partitions = std::vector<consumer_group_topic_partitions>{{id_a, {0, 3}}, {id_b, {}}};
    return r;
}

consumer_group_heartbeat_response sample_consumer_group_heartbeat_response(std::int16_t)
{
    consumer_group_heartbeat_response r;
    r.throttle_time_ms = 1;
    r.error_message = std::nullopt;
    r.member_id = "m-uuid";
    r.member_epoch = 13;
    r.heartbeat_interval_ms = 5000;
    r.assignment = std::vector<consumer_group_topic_partitions>{{id_a, {0, 1, 2}}, {id_b, {7}}};
    return r;
}

std::vector<codec_case> all_cases()
{
    std::vector<codec_case> cases;
    add_cases(cases, "JoinGroup", join_group_versions, sample_join_group_request, sample_join_group_response);
    add_cases(cases, "SyncGroup", sync_group_versions, sample_sync_group_request, sample_sync_group_response);
    add_cases(cases, "Heartbeat", heartbeat_versions, sample_heartbeat_request, sample_heartbeat_response);
    add_cases(cases, "LeaveGroup", leave_group_versions, sample_leave_group_request, sample_leave_group_response);
    add_cases(cases, "ConsumerGroupHeartbeat", consumer_group_heartbeat_versions,
              sample_consumer_group_heartbeat_request, sample_consumer_group_heartbeat_response);
    return cases;
}

class GroupMessagesRoundTrip : public ::testing::TestWithParam<codec_case> {};

TEST_P(GroupMessagesRoundTrip, DecodesWhatItEncodes)
{
    expect_round_trip(GetParam());
}

TEST_P(GroupMessagesRoundTrip, EveryTruncationFailsNamingApiAndVersion)
{
    expect_every_truncation_fails(GetParam());
}

// Random bytes, and the sample with random bytes flipped: decoding returns, with an error or
// a value, and never reads past the input (the sanitizer builds check the memory side).
TEST_P(GroupMessagesRoundTrip, GarbageNeverCrashes)
{
    const codec_case& c = GetParam();
    std::mt19937 random(1234);
    const byte_buffer sample = c.encode_sample();
    int failures = 0;
    for (int round = 0; round < 300; ++round) {
        byte_buffer bytes = sample;
        if (round % 2 == 0) {
            bytes.resize(random() % 64);
            for (auto& b : bytes) b = static_cast<std::uint8_t>(random());
        } else {
            for (int k = 0; k < 3; ++k) bytes[random() % bytes.size()] = static_cast<std::uint8_t>(random());
        }
        bool same = false;
        if (auto error = c.decode_and_compare(bytes, same)) {
            ++failures;
            EXPECT_EQ(error->context, c.context);
            EXPECT_LE(error->offset, bytes.size());
        }
    }
    EXPECT_GT(failures, 0) << "no garbage was rejected";
}

INSTANTIATE_TEST_SUITE_P(AllVersions, GroupMessagesRoundTrip, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<codec_case>& p) { return p.param.name; });

} // namespace
} // namespace kspout::messages
