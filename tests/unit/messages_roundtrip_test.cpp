// Every message codec at every version: encode -> decode gives the same struct; any cut fails cleanly.
#include "protocol/messages/api_versions.hpp"
#include "protocol/messages/fetch.hpp"
#include "protocol/messages/find_coordinator.hpp"
#include "protocol/messages/list_offsets.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/messages/offset_commit.hpp"
#include "protocol/messages/offset_fetch.hpp"
#include "protocol/messages/produce.hpp"
#include "protocol/messages/sasl_authenticate.hpp"
#include "protocol/messages/sasl_handshake.hpp"
#include "tests/unit/messages_codec_case.hpp"

#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <string>
#include <vector>

namespace kspout::messages {
namespace {

using wire::byte_buffer;
using wire::bytes_view;
using namespace codec_test;

// Stand-ins for record data; the codecs treat it as opaque bytes.
constexpr std::array<std::uint8_t, 7> records_a{0, 0, 0, 0, 0, 0, 42};
constexpr std::array<std::uint8_t, 3> records_b{0xde, 0xad, 0x01};

api_versions_response sample_api_versions_response(std::int16_t v)
{
    api_versions_response r;
    r.error_code = 0;
    r.api_keys = {{0, 3, 12}, {1, 4, 17}, {999, 0, 1}};
    if (v >= 1) r.throttle_time_ms = 250;
    return r;
}

metadata_request sample_metadata_request(std::int16_t v)
{
    metadata_request r;
    r.topics = std::vector<std::string>{"alpha", "beta"};
    if (v >= 4) r.allow_auto_topic_creation = false;
    if (v >= 8 && v <= 10) r.include_cluster_authorized_operations = true;
    if (v >= 8) r.include_topic_authorized_operations = true;
    return r;
}

metadata_response sample_metadata_response(std::int16_t v)
{
    metadata_response r;
    if (v >= 3) r.throttle_time_ms = 17;
    r.brokers = {{1, "broker-one", 9092, std::nullopt}, {2, "broker-two", 9093, std::nullopt}};
    if (v >= 1) r.brokers[1].rack = "rack-b";
    if (v >= 2) r.cluster_id = "cluster-x";
    if (v >= 1) r.controller_id = 2;
    metadata_partition p0{0, 0, 1, -1, {1, 2}, {1}, {}};
    metadata_partition p1{6, 1, 2, -1, {2, 1, 3}, {2, 3}, {}};
    if (v >= 7) {
        p0.leader_epoch = 5;
        p1.leader_epoch = 9;
    }
    if (v >= 5) p1.offline_replicas = {1};
    metadata_topic t0{0, "alpha", false, {p0, p1}, authorized_operations_unknown};
    metadata_topic t1{3, "missing", false, {}, authorized_operations_unknown};
    if (v >= 1) t0.is_internal = true;
    if (v >= 8) t0.topic_authorized_operations = 0x0df8;
    if (v >= 8 && v <= 10) r.cluster_authorized_operations = 0x1234;
    if (v >= 10) t0.topic_id = {0xa1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0xff};
    r.topics = {t0, t1};
    return r;
}

produce_request sample_produce_request(std::int16_t v)
{
    produce_request r;
    if (v >= 3) r.transactional_id = "txn-1";
    r.acks = 1;
    r.timeout_ms = 1500;
    r.topics = {{"alpha", {{0, records_a}, {3, records_b}}}, {"beta", {{1, {}}}}};
    return r;
}

produce_response sample_produce_response(std::int16_t v)
{
    produce_response r;
    produce_partition_response p0{0, 0, 100, -1, -1, {}, std::nullopt};
    produce_partition_response p1{3, 87, -1, -1, -1, {}, std::nullopt};
    if (v >= 2) p0.log_append_time_ms = 1700000000000;
    if (v >= 5) {
        p0.log_start_offset = 7;
        p1.log_start_offset = 8;
    }
    if (v >= 8) {
        p1.record_errors = {{0, "bad record"}, {2, std::nullopt}};
        p1.error_message = "batch dropped";
    }
    r.topics = {{"alpha", {p0, p1}}, {"beta", {}}};
    if (v >= 1) r.throttle_time_ms = 3;
    return r;
}

fetch_request sample_fetch_request(std::int16_t v)
{
    fetch_request r;
    r.replica_id = -1;
    r.max_wait_ms = 250;
    r.min_bytes = 16;
    if (v >= 3) r.max_bytes = 1 << 20;
    if (v >= 4) r.isolation = isolation_level::read_committed;
    if (v >= 7) {
        r.session_id = 77;
        r.session_epoch = 4;
        r.forgotten = {{"gone", {1, 2}}, {"old", {}}};
    }
    fetch_partition p0{0, -1, 1234, -1, 65536};
    fetch_partition p1{5, -1, 0, -1, 1024};
    if (v >= 5) p1.log_start_offset = 12;
    if (v >= 9) p0.current_leader_epoch = 3;
    r.topics = {{"alpha", {p0, p1}}, {"beta", {{2, -1, 99, -1, 10}}}};
    if (v >= 11) r.rack_id = "rack-a";
    return r;
}

fetch_response sample_fetch_response(std::int16_t v)
{
    fetch_response r;
    if (v >= 1) r.throttle_time_ms = 11;
    if (v >= 7) {
        r.error_code = 0;
        r.session_id = 77;
    }
    fetch_partition_response p0{0, 0, 500, -1, -1, {}, -1, records_a};
    fetch_partition_response p1{1, 1, 40, -1, -1, {}, -1, {}};
    if (v >= 4) {
        p0.last_stable_offset = 490;
        p0.aborted_transactions = {{1000, 450}, {1001, 470}};
    }
    if (v >= 5) p0.log_start_offset = 3;
    if (v >= 11) p1.preferred_read_replica = 2;
    r.topics = {{"alpha", {p0, p1}}, {"beta", {{4, 6, -1, -1, -1, {}, -1, records_b}}}};
    return r;
}

list_offsets_request sample_list_offsets_request(std::int16_t v)
{
    list_offsets_request r;
    if (v >= 2) r.isolation = isolation_level::read_committed;
    list_offsets_partition p0{0, -1, earliest_offset_timestamp, 1};
    list_offsets_partition p1{4, -1, 1700000000000, 1};
    if (v == 0) p1.max_num_offsets = 5;
    if (v >= 4) p1.current_leader_epoch = 8;
    r.topics = {{"alpha", {p0, p1}}};
    return r;
}

list_offsets_response sample_list_offsets_response(std::int16_t v)
{
    list_offsets_response r;
    if (v >= 2) r.throttle_time_ms = 1;
    list_offsets_partition_response p0{0, 0, {}, -1, -1, -1};
    list_offsets_partition_response p1{4, 1, {}, -1, -1, -1};
    if (v == 0) {
        p0.old_style_offsets = {900, 0};
    } else {
        p0.timestamp = 1700000000123;
        p0.offset = 900;
    }
    if (v >= 4) p0.leader_epoch = 6;
    r.topics = {{"alpha", {p0, p1}}, {"beta", {}}};
    return r;
}

offset_commit_request sample_offset_commit_request(std::int16_t v)
{
    offset_commit_request r;
    r.group_id = "group-1";
    if (v >= 1) {
        r.generation_id = 4;
        r.member_id = "member-1";
    }
    if (v >= 7) r.group_instance_id = "instance-1";
    if (v >= 2 && v <= 4) r.retention_time_ms = 86400000;
    offset_commit_partition p0{0, 42, -1, -1, "meta"};
    offset_commit_partition p1{2, 7, -1, -1, std::nullopt};
    if (v == 1) p0.commit_timestamp = 1700000000000;
    if (v >= 6) p1.committed_leader_epoch = 3;
    r.topics = {{"alpha", {p0, p1}}, {"beta", {}}};
    return r;
}

offset_commit_response sample_offset_commit_response(std::int16_t v)
{
    offset_commit_response r;
    if (v >= 3) r.throttle_time_ms = 9;
    r.topics = {{"alpha", {{0, 0}, {2, 22}}}, {"beta", {}}};
    return r;
}

offset_fetch_request sample_offset_fetch_request(std::int16_t)
{
    offset_fetch_request r;
    r.group_id = "group-1";
    r.topics = std::vector<offset_fetch_topic>{{"alpha", {0, 2}}, {"beta", {}}};
    return r;
}

offset_fetch_response sample_offset_fetch_response(std::int16_t v)
{
    offset_fetch_response r;
    if (v >= 3) r.throttle_time_ms = 5;
    offset_fetch_partition_response p0{0, 42, -1, "meta", 0};
    offset_fetch_partition_response p1{2, -1, -1, std::nullopt, 3};
    if (v >= 5) p0.committed_leader_epoch = 2;
    r.topics = {{"alpha", {p0, p1}}};
    if (v >= 2) r.error_code = 14;
    return r;
}

find_coordinator_request sample_find_coordinator_request(std::int16_t v)
{
    find_coordinator_request r;
    r.key = "group-1";
    if (v >= 1) r.key_type = coordinator_type::transaction;
    return r;
}

find_coordinator_response sample_find_coordinator_response(std::int16_t v)
{
    find_coordinator_response r;
    if (v >= 1) {
        r.throttle_time_ms = 2;
        r.error_message = "not yet";
    }
    r.error_code = 15;
    r.node_id = 3;
    r.host = "broker-three";
    r.port = 9094;
    return r;
}

sasl_handshake_request sample_sasl_handshake_request(std::int16_t)
{
    return {"SCRAM-SHA-256"};
}

sasl_handshake_response sample_sasl_handshake_response(std::int16_t)
{
    return {33, {"PLAIN", "SCRAM-SHA-512"}};
}

sasl_authenticate_request sample_sasl_authenticate_request(std::int16_t)
{
    const std::string plain("\0alice\0alice-secret", 19);
    return {byte_buffer(plain.begin(), plain.end())};
}

sasl_authenticate_response sample_sasl_authenticate_response(std::int16_t v)
{
    sasl_authenticate_response r;
    r.error_code = 58;
    r.error_message = "Authentication failed: Invalid username or password";
    r.auth_bytes = {'r', '=', 'n', 'o', 'n', 'c', 'e'};
    if (v >= 1) r.session_lifetime_ms = 3'600'000;
    return r;
}

api_versions_request sample_api_versions_request(std::int16_t)
{
    return {};
}

std::vector<codec_case> all_cases()
{
    std::vector<codec_case> cases;
    add_cases(cases, "ApiVersions", api_versions_versions, sample_api_versions_request,
              sample_api_versions_response);
    add_cases(cases, "Metadata", metadata_versions, sample_metadata_request, sample_metadata_response);
    add_cases(cases, "Produce", produce_versions, sample_produce_request, sample_produce_response);
    add_cases(cases, "Fetch", fetch_versions, sample_fetch_request, sample_fetch_response);
    add_cases(cases, "ListOffsets", list_offsets_versions, sample_list_offsets_request,
              sample_list_offsets_response);
    add_cases(cases, "OffsetCommit", offset_commit_versions, sample_offset_commit_request,
              sample_offset_commit_response);
    add_cases(cases, "OffsetFetch", offset_fetch_versions, sample_offset_fetch_request,
              sample_offset_fetch_response);
    add_cases(cases, "FindCoordinator", find_coordinator_versions, sample_find_coordinator_request,
              sample_find_coordinator_response);
    add_cases(cases, "SaslHandshake", sasl_handshake_versions, sample_sasl_handshake_request,
              sample_sasl_handshake_response);
    add_cases(cases, "SaslAuthenticate", sasl_authenticate_versions, sample_sasl_authenticate_request,
              sample_sasl_authenticate_response);
    return cases;
}

class MessagesRoundTrip : public ::testing::TestWithParam<codec_case> {};

TEST_P(MessagesRoundTrip, DecodesWhatItEncodes)
{
    expect_round_trip(GetParam());
}

TEST_P(MessagesRoundTrip, EveryTruncationFailsNamingApiAndVersion)
{
    expect_every_truncation_fails(GetParam());
}

INSTANTIATE_TEST_SUITE_P(AllVersions, MessagesRoundTrip, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<codec_case>& p) { return p.param.name; });

} // namespace
} // namespace kspout::messages
