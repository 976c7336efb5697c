// Byte layouts written out field by field from the Kafka schemas, null arrays, zero copy, bad input.
#include "protocol/messages/api_versions.hpp"
#include "protocol/messages/fetch.hpp"
#include "protocol/messages/find_coordinator.hpp"
#include "protocol/messages/init_producer_id.hpp"
#include "protocol/messages/list_offsets.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/messages/offset_commit.hpp"
#include "protocol/messages/offset_fetch.hpp"
#include "protocol/messages/produce.hpp"
#include "tests/unit/hex_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace kspout::messages {
namespace {

using wire::byte_buffer;
using wire::bytes_view;

template <typename T>
byte_buffer encoded(const T& message, std::int16_t version)
{
    wire::writer w;
    encode(w, message, version);
    return w.take();
}

// Decodes all of `bytes`, failing the test on an error or leftover bytes.
template <typename T>
T decoded(bytes_view bytes, std::int16_t version)
{
    wire::reader r(bytes);
    T out;
    auto error = decode(r, out, version);
    EXPECT_FALSE(error.has_value()) << error->message();
    EXPECT_TRUE(r.at_end()) << r.remaining() << " bytes left";
    return out;
}

using test::hex;

TEST(MessagesLayout, MetadataV0RequestMatchesTheReferenceNote)
{
    metadata_request r;
    r.topics = std::vector<std::string>{"t1"};
    EXPECT_EQ(hex(encoded(r, 0)), "0000000100027431");
}

TEST(MessagesLayout, MetadataAllTopicsIsEmptyAtV0AndNullFromV1)
{
    metadata_request all; // topics = nullopt
    EXPECT_EQ(hex(encoded(all, 0)), "00000000");
    EXPECT_EQ(hex(encoded(all, 1)), "ffffffff");
    EXPECT_EQ(hex(encoded(all, 4)), "ffffffff01");
    EXPECT_FALSE(decoded<metadata_request>(encoded(all, 1), 1).topics.has_value());
    EXPECT_EQ(decoded<metadata_request>(encoded(all, 4), 4), all);

    metadata_request none;
    none.topics = std::vector<std::string>{};
    auto back = decoded<metadata_request>(encoded(none, 1), 1);
    ASSERT_TRUE(back.topics.has_value());
    EXPECT_TRUE(back.topics->empty());
}

TEST(MessagesLayout, MetadataV8Request)
{
    metadata_request r;
    r.topics = std::vector<std::string>{"t1"};
    r.allow_auto_topic_creation = false;
    r.include_cluster_authorized_operations = false;
    r.include_topic_authorized_operations = true;
    EXPECT_EQ(hex(encoded(r, 8)), "00000001000274310000" "01");
}

TEST(MessagesLayout, MetadataFlexibleRequests)
{
    metadata_request r;
    r.topics = std::vector<std::string>{"t1"};
    r.allow_auto_topic_creation = false;
    r.include_topic_authorized_operations = true;
    // [topic: compact name, tags], allow auto creation, cluster operations (v8-10), topic operations, tags.
    EXPECT_EQ(hex(encoded(r, 9)), "02" "037431" "00" "00" "00" "01" "00");
    // v10: each topic starts with a topic id, zero when asking by name.
    const std::string zero_id(32, '0');
    EXPECT_EQ(hex(encoded(r, 10)), "02" + zero_id + "037431" "00" "00" "00" "01" "00");
    EXPECT_EQ(hex(encoded(r, 11)), "02" + zero_id + "037431" "00" "00" "01" "00");
    EXPECT_EQ(decoded<metadata_request>(encoded(r, 12), 12), r);

    metadata_request all; // every topic: a null compact array
    EXPECT_EQ(hex(encoded(all, 9)), "00" "01" "00" "00" "00");
    EXPECT_FALSE(decoded<metadata_request>(encoded(all, 9), 9).topics.has_value());
}

TEST(MessagesLayout, MetadataV10ResponseCarriesTopicIds)
{
    const std::string id = "a1a2a3a4a5a6a7a8a9aaabacadaeafb0";
    const std::string bytes = std::string("00000000")  // throttle_time_ms
        + "02" "00000001" "0268" "00002384" "00" "00"  // brokers: node, host "h", port, rack (null), tags
        + "00"                                         // cluster_id (null)
        + "00000001"                                   // controller_id
        + "02" "0000" "037431" + id + "00"             // topics: error, name "t1", topic id, is_internal
        + "02" "0000" "00000000" "00000001" "00000007" //   partitions: error, index, leader, epoch
        + "0200000001" "0200000001" "01" "00"          //     replicas, isr, offline replicas, tags
        + "80000000" "00"                              //   topic authorized operations, tags
        + "80000000" "00";                             // cluster authorized operations (v8-10), tags
    auto r = decoded<metadata_response>(test::unhex(bytes), 10);
    ASSERT_EQ(r.topics.size(), 1u);
    EXPECT_EQ(r.topics[0].name, "t1");
    EXPECT_EQ(hex(r.topics[0].topic_id), id);
    ASSERT_EQ(r.topics[0].partitions.size(), 1u);
    EXPECT_EQ(r.topics[0].partitions[0].leader_epoch, 7);
    EXPECT_EQ(r.brokers[0].host, "h");
    EXPECT_EQ(r.brokers[0].port, 9092);
    EXPECT_EQ(hex(encoded(r, 10)), bytes);
}

// A KIP-848 member commits with v9, its member epoch where the generation goes.
TEST(MessagesLayout, OffsetCommitV9CarriesTheMemberEpoch)
{
    offset_commit_request r;
    r.group_id = "g";
    r.generation_id = 5;
    r.member_id = "m";
    r.topics = {{"t", {{0, 10, -1, -1, std::nullopt}}}};
    // group, epoch, member, instance (null), [topic, [partition, offset, leader epoch, metadata, tags], tags], tags
    const std::string v9 = "0267" "00000005" "026d" "00" "02" "0274" "02" "00000000" "000000000000000a" "ffffffff" "00" "00" "00" "00";
    EXPECT_EQ(hex(encoded(r, 8)), v9);
    EXPECT_EQ(hex(encoded(r, 9)), v9);
    EXPECT_EQ(hex(encoded(r, 7)), "000167" "00000005" "00016d" "ffff" "00000001" "000174" "00000001" "00000000"
                                  "000000000000000a" "ffffffff" "ffff");

    auto answer = decoded<offset_commit_response>(test::unhex("00000000" "02" "0274" "02" "00000000" "0071" "00" "00" "00"), 9);
    ASSERT_EQ(answer.topics.size(), 1u);
    EXPECT_EQ(answer.topics[0].partitions[0].error_code, 113); // STALE_MEMBER_EPOCH
}

TEST(MessagesLayout, MetadataV8Response)
{
    wire::writer w;
    w.int32(5);                 // throttle_time_ms
    w.int32(1);                 // brokers
    w.int32(1);                 //   node_id
    w.string("h");              //   host
    w.int32(9092);              //   port
    w.nullable_string("r1");    //   rack
    w.nullable_string("c1");    // cluster_id
    w.int32(1);                 // controller_id
    w.int32(1);                 // topics
    w.int16(0);                 //   error_code
    w.string("t1");             //   name
    w.boolean(false);           //   is_internal
    w.int32(1);                 //   partitions
    w.int16(0);                 //     error_code
    w.int32(0);                 //     partition_index
    w.int32(1);                 //     leader_id
    w.int32(7);                 //     leader_epoch (v7+)
    w.int32(2);                 //     replica_nodes
    w.int32(1);
    w.int32(2);
    w.int32(1);                 //     isr_nodes
    w.int32(1);
    w.int32(1);                 //     offline_replicas (v5+)
    w.int32(2);
    w.int32(0x0df8);            //   topic_authorized_operations (v8)
    w.int32(0x1234);            // cluster_authorized_operations (v8)

    auto r = decoded<metadata_response>(w.view(), 8);
    EXPECT_EQ(r.throttle_time_ms, 5);
    ASSERT_EQ(r.brokers.size(), 1u);
    EXPECT_EQ(r.brokers[0].rack, "r1");
    EXPECT_EQ(r.cluster_id, "c1");
    EXPECT_EQ(r.controller_id, 1);
    ASSERT_EQ(r.topics.size(), 1u);
    ASSERT_EQ(r.topics[0].partitions.size(), 1u);
    const metadata_partition& p = r.topics[0].partitions[0];
    EXPECT_EQ(p.leader_id, 1);
    EXPECT_EQ(p.leader_epoch, 7);
    EXPECT_EQ(p.replica_nodes, (std::vector<std::int32_t>{1, 2}));
    EXPECT_EQ(p.isr_nodes, (std::vector<std::int32_t>{1}));
    EXPECT_EQ(p.offline_replicas, (std::vector<std::int32_t>{2}));
    EXPECT_EQ(r.topics[0].topic_authorized_operations, 0x0df8);
    EXPECT_EQ(r.cluster_authorized_operations, 0x1234);
    EXPECT_EQ(encoded(r, 8), w.buffer());
}

TEST(MessagesLayout, ProduceV8ResponseCarriesRecordErrors)
{
    wire::writer w;
    w.int32(1);                      // topics
    w.string("t");
    w.int32(1);                      //   partitions
    w.int32(0);                      //     partition_index
    w.int16(87);                     //     error_code
    w.int64(-1);                     //     base_offset
    w.int64(-1);                     //     log_append_time_ms
    w.int64(4);                      //     log_start_offset
    w.int32(1);                      //     record_errors
    w.int32(3);                      //       batch_index
    w.nullable_string(std::nullopt); //       message
    w.nullable_string("bad");        //     error_message
    w.int32(0);                      // throttle_time_ms
    auto r = decoded<produce_response>(w.view(), 8);
    ASSERT_EQ(r.topics.size(), 1u);
    const produce_partition_response& p = r.topics[0].partitions.at(0);
    EXPECT_EQ(p.log_start_offset, 4);
    ASSERT_EQ(p.record_errors.size(), 1u);
    EXPECT_EQ(p.record_errors[0].batch_index, 3);
    EXPECT_FALSE(p.record_errors[0].message.has_value());
    EXPECT_EQ(p.error_message, "bad");
    EXPECT_EQ(encoded(r, 8), w.buffer());
}

TEST(MessagesLayout, FetchV11RequestDefaultsToASessionlessFullFetch)
{
    fetch_request r;
    r.max_wait_ms = 100;
    r.min_bytes = 1;
    r.max_bytes = 1000;
    r.topics = {{"t", {{0, -1, 5, -1, 200}}}};
    r.rack_id = "r";
    wire::writer w;
    w.int32(-1);   // replica_id
    w.int32(100);  // max_wait_ms
    w.int32(1);    // min_bytes
    w.int32(1000); // max_bytes
    w.int8(0);     // isolation_level
    w.int32(0);    // session_id
    w.int32(-1);   // session_epoch
    w.int32(1);    // topics
    w.string("t");
    w.int32(1);    //   partitions
    w.int32(0);    //     partition_index
    w.int32(-1);   //     current_leader_epoch (v9+)
    w.int64(5);    //     fetch_offset
    w.int64(-1);   //     log_start_offset (v5+)
    w.int32(200);  //     max_bytes
    w.int32(0);    // forgotten
    w.string("r"); // rack_id
    EXPECT_EQ(hex(encoded(r, 11)), hex(w.view()));
}

TEST(MessagesLayout, FetchRecordsPointIntoTheResponseBuffer)
{
    fetch_response sent;
    const byte_buffer records{1, 2, 3, 4, 5};
    sent.topics = {{"t", {{0, 0, 10, 10, -1, {{7, 1}}, -1, records}}}};
    byte_buffer bytes = encoded(sent, 4);
    auto got = decoded<fetch_response>(bytes, 4);
    ASSERT_EQ(got, sent);
    bytes_view view = got.topics[0].partitions[0].records;
    ASSERT_EQ(view.size(), records.size());
    EXPECT_GE(view.data(), bytes.data());
    EXPECT_EQ(view.data() + view.size(), bytes.data() + bytes.size());
}

TEST(MessagesLayout, FetchNullRecordsAndNullAbortedListReadAsEmpty)
{
    wire::writer w;
    w.int32(0);                     // throttle_time_ms
    w.int32(1);                     // topics
    w.string("t");
    w.int32(1);                     //   partitions
    w.int32(0);
    w.int16(0);
    w.int64(10);                    //     high_watermark
    w.int64(10);                    //     last_stable_offset
    w.int32(-1);                    //     aborted_transactions: null
    w.nullable_bytes(std::nullopt); //     records: null
    auto r = decoded<fetch_response>(w.view(), 4);
    ASSERT_EQ(r.topics.size(), 1u);
    EXPECT_TRUE(r.topics[0].partitions.at(0).aborted_transactions.empty());
    EXPECT_TRUE(r.topics[0].partitions.at(0).records.empty());
}

TEST(MessagesLayout, ListOffsetsV4CarriesA4ByteLeaderEpoch)
{
    list_offsets_request req;
    req.topics = {{"t", {{0, 3, earliest_offset_timestamp, 1}}}};
    EXPECT_EQ(hex(encoded(req, 4)),
              "ffffffff" "00" "00000001" "0001" "74" "00000001" "00000000" "00000003" "fffffffffffffffe");
    EXPECT_EQ(hex(encoded(req, 0)),
              "ffffffff" "00000001" "0001" "74" "00000001" "00000000" "fffffffffffffffe" "00000001");

    // What the librdkafka 2.0.2 mock sends for v4: an 8-byte leader epoch. It cannot decode
    // cleanly, which is why callers cap ListOffsets at v3 for that mock.
    wire::writer w;
    w.int32(0);  // throttle_time_ms
    w.int32(1);  // topics
    w.string("t");
    w.int32(1);  //   partitions
    w.int32(0);
    w.int16(0);
    w.int64(-1); //     timestamp
    w.int64(7);  //     offset
    w.int64(-1); //     leader_epoch, 8 bytes
    wire::reader r(w.view());
    list_offsets_response out;
    auto error = decode(r, out, 4);
    EXPECT_TRUE(error.has_value() || !r.at_end());
}

TEST(MessagesLayout, OffsetCommitV7Request)
{
    offset_commit_request r;
    r.group_id = "g";
    r.generation_id = 3;
    r.member_id = "m";
    r.group_instance_id = std::nullopt;
    r.retention_time_ms = 555; // not on the wire after v4
    r.topics = {{"t", {{1, 42, 6, 999, std::nullopt}}}};
    wire::writer w;
    w.string("g");
    w.int32(3);
    w.string("m");
    w.nullable_string(std::nullopt); // group_instance_id (v7)
    w.int32(1);
    w.string("t");
    w.int32(1);
    w.int32(1);                      // partition_index
    w.int64(42);                     // committed_offset
    w.int32(6);                      // committed_leader_epoch (v6+)
    w.nullable_string(std::nullopt); // committed_metadata
    EXPECT_EQ(hex(encoded(r, 7)), hex(w.view()));
}

TEST(MessagesLayout, OffsetCommitRetentionOnlyInV2ToV4AndTimestampOnlyInV1)
{
    offset_commit_request r;
    r.group_id = "g";
    r.retention_time_ms = 1;
    r.topics = {{"t", {{0, 1, -1, 2, "x"}}}};
    std::size_t v1 = encoded(r, 1).size();
    std::size_t v2 = encoded(r, 2).size();
    std::size_t v4 = encoded(r, 4).size();
    std::size_t v5 = encoded(r, 5).size();
    EXPECT_EQ(v2, v1);     // retention (+8) replaces the per-partition timestamp (-8)
    EXPECT_EQ(v4, v2);
    EXPECT_EQ(v5, v4 - 8); // retention gone
}

TEST(MessagesLayout, OffsetFetchV5Response)
{
    wire::writer w;
    w.int32(4);           // throttle_time_ms (v3+)
    w.int32(1);           // topics
    w.string("t");
    w.int32(1);           //   partitions
    w.int32(0);           //     partition_index
    w.int64(100);         //     committed_offset
    w.int32(9);           //     committed_leader_epoch (v5+)
    w.nullable_string(""); //    metadata
    w.int16(0);           //     error_code
    w.int16(16);          // error_code (v2+)
    auto r = decoded<offset_fetch_response>(w.view(), 5);
    EXPECT_EQ(r.throttle_time_ms, 4);
    EXPECT_EQ(r.error_code, 16);
    ASSERT_EQ(r.topics.size(), 1u);
    const offset_fetch_partition_response& p = r.topics[0].partitions.at(0);
    EXPECT_EQ(p.committed_offset, 100);
    EXPECT_EQ(p.committed_leader_epoch, 9);
    EXPECT_EQ(p.metadata, "");
    EXPECT_EQ(encoded(r, 5), w.buffer());
}

TEST(MessagesLayout, OffsetFetchAllTopicsIsNullFromV2)
{
    offset_fetch_request all;
    all.group_id = "g";
    EXPECT_EQ(hex(encoded(all, 2)), "000167" "ffffffff");
    EXPECT_EQ(hex(encoded(all, 1)), "000167" "00000000");
    EXPECT_EQ(decoded<offset_fetch_request>(encoded(all, 5), 5), all);
    // v0 and v1 share a wire format.
    offset_fetch_request some{"g", std::vector<offset_fetch_topic>{{"t", {0, 1}}}};
    EXPECT_EQ(encoded(some, 0), encoded(some, 1));
}

TEST(MessagesLayout, FindCoordinatorV2)
{
    find_coordinator_request req{"g", coordinator_type::group};
    EXPECT_EQ(hex(encoded(req, 2)), "000167" "00");
    EXPECT_EQ(hex(encoded(req, 0)), "000167");

    wire::writer w;
    w.int32(0);                      // throttle_time_ms
    w.int16(0);                      // error_code
    w.nullable_string(std::nullopt); // error_message
    w.int32(2);                      // node_id
    w.string("h");
    w.int32(9092);
    auto r = decoded<find_coordinator_response>(w.view(), 2);
    EXPECT_EQ(r.node_id, 2);
    EXPECT_EQ(r.host, "h");
    EXPECT_EQ(r.port, 9092);
    EXPECT_FALSE(r.error_message.has_value());
}

TEST(MessagesLayout, InitProducerIdV0AndV1)
{
    // An idempotent producer: a null transactional id and no transaction timeout.
    init_producer_id_request req;
    EXPECT_EQ(hex(encoded(req, 0)), "ffff" "00000000");
    EXPECT_EQ(encoded(req, 0), encoded(req, 1));

    wire::writer w;
    w.int32(0);      // throttle_time_ms
    w.int16(0);      // error_code
    w.int64(4000);   // producer_id
    w.int16(3);      // producer_epoch
    auto r = decoded<init_producer_id_response>(w.view(), 1);
    EXPECT_EQ(r.producer_id, 4000);
    EXPECT_EQ(r.producer_epoch, 3);
}

TEST(MessagesLayout, ApiVersionsV3ErrorReplyMeansRetryWithV0)
{
    // The librdkafka 2.0.2 mock's reply body to ApiVersions v3: error 35 and a body that fits
    // neither encoding. Only the error code is read.
    const byte_buffer mock_reply{0x00, 0x23, 0x01, 0x00, 0x12, 0x00, 0x00, 0x00, 0x02,
                                 0x00, 0x00, 0x00, 0x00};
    wire::reader r(mock_reply);
    api_versions_response out;
    auto error = decode(r, out, 3);
    ASSERT_FALSE(error.has_value()) << error->message();
    EXPECT_EQ(out.error_code, unsupported_version_error);
    EXPECT_TRUE(should_retry_with_v0(out));
    EXPECT_TRUE(r.at_end());

    const byte_buffer other{0x00, 0x00, 0x01};
    wire::reader r2(other);
    auto error2 = decode(r2, out, 3);
    ASSERT_TRUE(error2.has_value());
    EXPECT_EQ(error2->code, wire::errc::unsupported_version);
    EXPECT_EQ(error2->context, "ApiVersions v3 response");
}

TEST(MessagesLayout, ApiVersionsResponseBecomesABrokerTable)
{
    api_versions_response r;
    r.api_keys = {{1, 4, 17}, {3, 0, 13}, {999, 0, 1}};
    version_table table = broker_versions(r);
    EXPECT_EQ(table.at(wire::api_key::fetch), (version_range{4, 17}));
    EXPECT_EQ(table.at(wire::api_key::metadata), (version_range{0, 13}));
    EXPECT_EQ(table.size(), 3u);
    EXPECT_FALSE(should_retry_with_v0(r));
}

TEST(MessagesLayout, UnsupportedVersionsAreDecodeErrorsNamingApiVersionAndDirection)
{
    const byte_buffer bytes(64, 0);
    auto check = [&](auto message, std::int16_t version, const char* context) {
        wire::reader r(bytes);
        auto error = decode(r, message, version);
        ASSERT_TRUE(error.has_value()) << context;
        EXPECT_EQ(error->code, wire::errc::unsupported_version);
        EXPECT_EQ(error->context, context);
    };
    check(fetch_request{}, 12, "Fetch v12 request");
    check(fetch_response{}, -1, "Fetch v-1 response");
    check(produce_response{}, 9, "Produce v9 response");
    check(metadata_response{}, 13, "Metadata v13 response");
    check(list_offsets_request{}, 6, "ListOffsets v6 request");
    check(offset_commit_request{}, 10, "OffsetCommit v10 request");
    check(offset_fetch_response{}, 6, "OffsetFetch v6 response");
    check(find_coordinator_request{}, 3, "FindCoordinator v3 request");
    check(api_versions_request{}, 3, "ApiVersions v3 request");
}

TEST(MessagesLayout, ImpossibleCountsAndNullNamesAreRejected)
{
    wire::writer huge;
    huge.int32(0x7fffffff); // topics: more than the bytes could hold
    wire::reader r1(huge.view());
    produce_response out;
    auto e1 = decode(r1, out, 0);
    ASSERT_TRUE(e1.has_value());
    EXPECT_EQ(e1->code, wire::errc::bad_length);
    EXPECT_EQ(e1->context, "Produce v0 response");

    wire::writer negative;
    negative.int32(-2);
    wire::reader r2(negative.view());
    auto e2 = decode(r2, out, 0);
    ASSERT_TRUE(e2.has_value());
    EXPECT_EQ(e2->code, wire::errc::bad_length);

    wire::writer null_name;
    null_name.int32(1);
    null_name.nullable_string(std::nullopt); // topic name may not be null
    null_name.int32(0);
    wire::reader r3(null_name.view());
    auto e3 = decode(r3, out, 0);
    ASSERT_TRUE(e3.has_value());
    EXPECT_EQ(e3->code, wire::errc::bad_length);
}

TEST(MessagesLayout, ProduceWithAcksZeroExpectsNoResponse)
{
    produce_request r;
    r.acks = 0;
    EXPECT_FALSE(expects_response(r));
    r.acks = -1;
    EXPECT_TRUE(expects_response(r));
}

} // namespace
} // namespace kspout::messages
