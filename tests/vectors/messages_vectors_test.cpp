// Our codecs against kafka-python's encodings: decode gives the recorded field values, encode the same bytes.
#include "protocol/messages/api_versions.hpp"
#include "protocol/messages/fetch.hpp"
#include "protocol/messages/find_coordinator.hpp"
#include "protocol/messages/heartbeat.hpp"
#include "protocol/messages/join_group.hpp"
#include "protocol/messages/leave_group.hpp"
#include "protocol/messages/list_offsets.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/messages/offset_commit.hpp"
#include "protocol/messages/offset_fetch.hpp"
#include "protocol/messages/produce.hpp"
#include "protocol/messages/sync_group.hpp"
#include "protocol/wire/frame.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <concepts>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace kspout::messages {
namespace {

using wire::api_key;
using wire::byte_buffer;
using wire::bytes_view;

// Field values as "path=value" lines, in the format make_message_vectors.py writes.
class flat {
public:
    template <std::integral T>
    void num(const std::string& path, T value)
    {
        lines.push_back(path + "=" + std::to_string(static_cast<long long>(value)));
    }
    void boolean(const std::string& path, bool value)
    {
        lines.push_back(path + (value ? "=true" : "=false"));
    }
    void str(const std::string& path, std::string_view value)
    {
        lines.push_back(path + "=\"" + std::string(value) + "\"");
    }
    void nstr(const std::string& path, const std::optional<std::string>& value)
    {
        if (value) {
            str(path, *value);
        } else {
            lines.push_back(path + "=null");
        }
    }
    void bytes(const std::string& path, bytes_view value)
    {
        static constexpr char digits[] = "0123456789abcdef";
        std::string text = path + "=hex:";
        for (std::uint8_t b : value) {
            text += digits[b >> 4];
            text += digits[b & 15];
        }
        lines.push_back(text);
    }
    template <typename T, typename Each>
    void array(const std::string& path, const std::vector<T>& items, Each each)
    {
        lines.push_back(path + ".count=" + std::to_string(items.size()));
        for (std::size_t i = 0; i < items.size(); ++i) {
            each(path + "[" + std::to_string(i) + "]", items[i]);
        }
    }
    void ints(const std::string& path, const std::vector<std::int32_t>& items)
    {
        array(path, items, [&](const std::string& p, std::int32_t v) { num(p, v); });
    }

    std::vector<std::string> lines;
};

void flatten(flat&, const api_versions_request&, std::int16_t)
{
}

void flatten(flat& f, const api_versions_response& r, std::int16_t v)
{
    f.num("error_code", r.error_code);
    f.array("api_keys", r.api_keys, [&](const std::string& p, const api_version_entry& e) {
        f.num(p + ".api_key", e.api_key);
        f.num(p + ".min_version", e.min_version);
        f.num(p + ".max_version", e.max_version);
    });
    if (v >= 1) f.num("throttle_time_ms", r.throttle_time_ms);
}

void flatten(flat& f, const metadata_request& r, std::int16_t v)
{
    if (r.topics) {
        f.array("topics", *r.topics, [&](const std::string& p, const std::string& t) { f.str(p, t); });
    } else {
        f.lines.push_back("topics=null");
    }
    if (v >= 4) f.boolean("allow_auto_topic_creation", r.allow_auto_topic_creation);
    if (v >= 8) {
        f.boolean("include_cluster_authorized_operations", r.include_cluster_authorized_operations);
        f.boolean("include_topic_authorized_operations", r.include_topic_authorized_operations);
    }
}

void flatten(flat& f, const metadata_response& r, std::int16_t v)
{
    if (v >= 3) f.num("throttle_time_ms", r.throttle_time_ms);
    f.array("brokers", r.brokers, [&](const std::string& p, const metadata_broker& b) {
        f.num(p + ".node_id", b.node_id);
        f.str(p + ".host", b.host);
        f.num(p + ".port", b.port);
        if (v >= 1) f.nstr(p + ".rack", b.rack);
    });
    if (v >= 2) f.nstr("cluster_id", r.cluster_id);
    if (v >= 1) f.num("controller_id", r.controller_id);
    f.array("topics", r.topics, [&](const std::string& p, const metadata_topic& t) {
        f.num(p + ".error_code", t.error_code);
        f.str(p + ".name", t.name);
        if (v >= 1) f.boolean(p + ".is_internal", t.is_internal);
        f.array(p + ".partitions", t.partitions, [&](const std::string& q, const metadata_partition& x) {
            f.num(q + ".error_code", x.error_code);
            f.num(q + ".partition_index", x.partition_index);
            f.num(q + ".leader_id", x.leader_id);
            if (v >= 7) f.num(q + ".leader_epoch", x.leader_epoch);
            f.ints(q + ".replica_nodes", x.replica_nodes);
            f.ints(q + ".isr_nodes", x.isr_nodes);
            if (v >= 5) f.ints(q + ".offline_replicas", x.offline_replicas);
        });
        if (v >= 8) f.num(p + ".topic_authorized_operations", t.topic_authorized_operations);
    });
    if (v >= 8) f.num("cluster_authorized_operations", r.cluster_authorized_operations);
}

void flatten(flat& f, const produce_request& r, std::int16_t v)
{
    if (v >= 3) f.nstr("transactional_id", r.transactional_id);
    f.num("acks", r.acks);
    f.num("timeout_ms", r.timeout_ms);
    f.array("topics", r.topics, [&](const std::string& p, const produce_topic_data& t) {
        f.str(p + ".name", t.name);
        f.array(p + ".partitions", t.partitions, [&](const std::string& q, const produce_partition_data& x) {
            f.num(q + ".partition_index", x.partition_index);
            f.bytes(q + ".records", x.records);
        });
    });
}

void flatten(flat& f, const produce_response& r, std::int16_t v)
{
    f.array("topics", r.topics, [&](const std::string& p, const produce_topic_response& t) {
        f.str(p + ".name", t.name);
        f.array(p + ".partitions", t.partitions, [&](const std::string& q, const produce_partition_response& x) {
            f.num(q + ".partition_index", x.partition_index);
            f.num(q + ".error_code", x.error_code);
            f.num(q + ".base_offset", x.base_offset);
            if (v >= 2) f.num(q + ".log_append_time_ms", x.log_append_time_ms);
            if (v >= 5) f.num(q + ".log_start_offset", x.log_start_offset);
            if (v >= 8) {
                f.array(q + ".record_errors", x.record_errors, [&](const std::string& e, const produce_record_error& y) {
                    f.num(e + ".batch_index", y.batch_index);
                    f.nstr(e + ".message", y.message);
                });
                f.nstr(q + ".error_message", x.error_message);
            }
        });
    });
    if (v >= 1) f.num("throttle_time_ms", r.throttle_time_ms);
}

void flatten(flat& f, const fetch_request& r, std::int16_t v)
{
    f.num("replica_id", r.replica_id);
    f.num("max_wait_ms", r.max_wait_ms);
    f.num("min_bytes", r.min_bytes);
    if (v >= 3) f.num("max_bytes", r.max_bytes);
    if (v >= 4) f.num("isolation", static_cast<std::int8_t>(r.isolation));
    if (v >= 7) {
        f.num("session_id", r.session_id);
        f.num("session_epoch", r.session_epoch);
    }
    f.array("topics", r.topics, [&](const std::string& p, const fetch_topic& t) {
        f.str(p + ".name", t.name);
        f.array(p + ".partitions", t.partitions, [&](const std::string& q, const fetch_partition& x) {
            f.num(q + ".partition_index", x.partition_index);
            if (v >= 9) f.num(q + ".current_leader_epoch", x.current_leader_epoch);
            f.num(q + ".fetch_offset", x.fetch_offset);
            if (v >= 5) f.num(q + ".log_start_offset", x.log_start_offset);
            f.num(q + ".max_bytes", x.max_bytes);
        });
    });
    if (v >= 7) {
        f.array("forgotten", r.forgotten, [&](const std::string& p, const forgotten_topic& t) {
            f.str(p + ".name", t.name);
            f.ints(p + ".partitions", t.partitions);
        });
    }
    if (v >= 11) f.str("rack_id", r.rack_id);
}

void flatten(flat& f, const fetch_response& r, std::int16_t v)
{
    if (v >= 1) f.num("throttle_time_ms", r.throttle_time_ms);
    if (v >= 7) {
        f.num("error_code", r.error_code);
        f.num("session_id", r.session_id);
    }
    f.array("topics", r.topics, [&](const std::string& p, const fetch_topic_response& t) {
        f.str(p + ".name", t.name);
        f.array(p + ".partitions", t.partitions, [&](const std::string& q, const fetch_partition_response& x) {
            f.num(q + ".partition_index", x.partition_index);
            f.num(q + ".error_code", x.error_code);
            f.num(q + ".high_watermark", x.high_watermark);
            if (v >= 4) f.num(q + ".last_stable_offset", x.last_stable_offset);
            if (v >= 5) f.num(q + ".log_start_offset", x.log_start_offset);
            if (v >= 4) {
                f.array(q + ".aborted_transactions", x.aborted_transactions,
                        [&](const std::string& a, const aborted_transaction& y) {
                            f.num(a + ".producer_id", y.producer_id);
                            f.num(a + ".first_offset", y.first_offset);
                        });
            }
            if (v >= 11) f.num(q + ".preferred_read_replica", x.preferred_read_replica);
            f.bytes(q + ".records", x.records);
        });
    });
}

void flatten(flat& f, const list_offsets_request& r, std::int16_t v)
{
    f.num("replica_id", r.replica_id);
    if (v >= 2) f.num("isolation", static_cast<std::int8_t>(r.isolation));
    f.array("topics", r.topics, [&](const std::string& p, const list_offsets_topic& t) {
        f.str(p + ".name", t.name);
        f.array(p + ".partitions", t.partitions, [&](const std::string& q, const list_offsets_partition& x) {
            f.num(q + ".partition_index", x.partition_index);
            if (v >= 4) f.num(q + ".current_leader_epoch", x.current_leader_epoch);
            f.num(q + ".timestamp", x.timestamp);
            if (v == 0) f.num(q + ".max_num_offsets", x.max_num_offsets);
        });
    });
}

void flatten(flat& f, const list_offsets_response& r, std::int16_t v)
{
    if (v >= 2) f.num("throttle_time_ms", r.throttle_time_ms);
    f.array("topics", r.topics, [&](const std::string& p, const list_offsets_topic_response& t) {
        f.str(p + ".name", t.name);
        f.array(p + ".partitions", t.partitions,
                [&](const std::string& q, const list_offsets_partition_response& x) {
                    f.num(q + ".partition_index", x.partition_index);
                    f.num(q + ".error_code", x.error_code);
                    if (v == 0) {
                        f.array(q + ".old_style_offsets", x.old_style_offsets,
                                [&](const std::string& o, std::int64_t y) { f.num(o, y); });
                    } else {
                        f.num(q + ".timestamp", x.timestamp);
                        f.num(q + ".offset", x.offset);
                    }
                    if (v >= 4) f.num(q + ".leader_epoch", x.leader_epoch);
                });
    });
}

void flatten(flat& f, const offset_commit_request& r, std::int16_t v)
{
    f.str("group_id", r.group_id);
    if (v >= 1) {
        f.num("generation_id", r.generation_id);
        f.str("member_id", r.member_id);
    }
    if (v >= 7) f.nstr("group_instance_id", r.group_instance_id);
    if (v >= 2 && v <= 4) f.num("retention_time_ms", r.retention_time_ms);
    f.array("topics", r.topics, [&](const std::string& p, const offset_commit_topic& t) {
        f.str(p + ".name", t.name);
        f.array(p + ".partitions", t.partitions, [&](const std::string& q, const offset_commit_partition& x) {
            f.num(q + ".partition_index", x.partition_index);
            f.num(q + ".committed_offset", x.committed_offset);
            if (v >= 6) f.num(q + ".committed_leader_epoch", x.committed_leader_epoch);
            if (v == 1) f.num(q + ".commit_timestamp", x.commit_timestamp);
            f.nstr(q + ".committed_metadata", x.committed_metadata);
        });
    });
}

void flatten(flat& f, const offset_commit_response& r, std::int16_t v)
{
    if (v >= 3) f.num("throttle_time_ms", r.throttle_time_ms);
    f.array("topics", r.topics, [&](const std::string& p, const offset_commit_topic_response& t) {
        f.str(p + ".name", t.name);
        f.array(p + ".partitions", t.partitions,
                [&](const std::string& q, const offset_commit_partition_response& x) {
                    f.num(q + ".partition_index", x.partition_index);
                    f.num(q + ".error_code", x.error_code);
                });
    });
}

void flatten(flat& f, const offset_fetch_request& r, std::int16_t)
{
    f.str("group_id", r.group_id);
    if (!r.topics) {
        f.lines.push_back("topics=null");
        return;
    }
    f.array("topics", *r.topics, [&](const std::string& p, const offset_fetch_topic& t) {
        f.str(p + ".name", t.name);
        f.ints(p + ".partition_indexes", t.partition_indexes);
    });
}

void flatten(flat& f, const offset_fetch_response& r, std::int16_t v)
{
    if (v >= 3) f.num("throttle_time_ms", r.throttle_time_ms);
    f.array("topics", r.topics, [&](const std::string& p, const offset_fetch_topic_response& t) {
        f.str(p + ".name", t.name);
        f.array(p + ".partitions", t.partitions,
                [&](const std::string& q, const offset_fetch_partition_response& x) {
                    f.num(q + ".partition_index", x.partition_index);
                    f.num(q + ".committed_offset", x.committed_offset);
                    if (v >= 5) f.num(q + ".committed_leader_epoch", x.committed_leader_epoch);
                    f.nstr(q + ".metadata", x.metadata);
                    f.num(q + ".error_code", x.error_code);
                });
    });
    if (v >= 2) f.num("error_code", r.error_code);
}

void flatten(flat& f, const find_coordinator_request& r, std::int16_t v)
{
    f.str("key", r.key);
    if (v >= 1) f.num("key_type", static_cast<std::int8_t>(r.key_type));
}

void flatten(flat& f, const find_coordinator_response& r, std::int16_t v)
{
    if (v >= 1) f.num("throttle_time_ms", r.throttle_time_ms);
    f.num("error_code", r.error_code);
    if (v >= 1) f.nstr("error_message", r.error_message);
    f.num("node_id", r.node_id);
    f.str("host", r.host);
    f.num("port", r.port);
}

void flatten(flat& f, const join_group_request& r, std::int16_t v)
{
    f.str("group_id", r.group_id);
    f.num("session_timeout_ms", r.session_timeout_ms);
    if (v >= 1) f.num("rebalance_timeout_ms", r.rebalance_timeout_ms);
    f.str("member_id", r.member_id);
    f.str("protocol_type", r.protocol_type);
    f.array("protocols", r.protocols, [&](const std::string& p, const join_group_protocol& x) {
        f.str(p + ".name", x.name);
        f.bytes(p + ".metadata", x.metadata);
    });
}

void flatten(flat& f, const join_group_response& r, std::int16_t v)
{
    if (v >= 2) f.num("throttle_time_ms", r.throttle_time_ms);
    f.num("error_code", r.error_code);
    f.num("generation_id", r.generation_id);
    f.nstr("protocol_name", r.protocol_name);
    f.str("leader", r.leader);
    f.str("member_id", r.member_id);
    f.array("members", r.members, [&](const std::string& p, const join_group_member& m) {
        f.str(p + ".member_id", m.member_id);
        f.bytes(p + ".metadata", m.metadata);
    });
}

void flatten(flat& f, const sync_group_request& r, std::int16_t)
{
    f.str("group_id", r.group_id);
    f.num("generation_id", r.generation_id);
    f.str("member_id", r.member_id);
    f.array("assignments", r.assignments, [&](const std::string& p, const sync_group_assignment& a) {
        f.str(p + ".member_id", a.member_id);
        f.bytes(p + ".assignment", a.assignment);
    });
}

void flatten(flat& f, const sync_group_response& r, std::int16_t v)
{
    if (v >= 1) f.num("throttle_time_ms", r.throttle_time_ms);
    f.num("error_code", r.error_code);
    f.bytes("assignment", r.assignment);
}

void flatten(flat& f, const heartbeat_request& r, std::int16_t)
{
    f.str("group_id", r.group_id);
    f.num("generation_id", r.generation_id);
    f.str("member_id", r.member_id);
}

void flatten(flat& f, const heartbeat_response& r, std::int16_t v)
{
    if (v >= 1) f.num("throttle_time_ms", r.throttle_time_ms);
    f.num("error_code", r.error_code);
}

// kafka-python has v0-1, which name the one member leaving.
void flatten(flat& f, const leave_group_request& r, std::int16_t)
{
    f.str("group_id", r.group_id);
    f.str("member_id", r.members.empty() ? "" : r.members.front().member_id);
}

void flatten(flat& f, const leave_group_response& r, std::int16_t v)
{
    if (v >= 1) f.num("throttle_time_ms", r.throttle_time_ms);
    f.num("error_code", r.error_code);
}

std::string vector_path(const std::string& stem, const char* extension)
{
    return std::string(KSPOUT_VECTOR_DIR) + "/messages/" + stem + extension;
}

std::optional<byte_buffer> read_bytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    return byte_buffer(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::optional<std::vector<std::string>> read_lines(const std::string& path)
{
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line[0] != '#') lines.push_back(line);
    }
    return lines;
}

// Both sides sorted; lines only one side has are listed, so a wrong field is easy to spot.
void expect_same_lines(std::vector<std::string> ours, std::vector<std::string> theirs)
{
    std::ranges::sort(ours);
    std::ranges::sort(theirs);
    std::vector<std::string> only_ours;
    std::vector<std::string> only_theirs;
    std::ranges::set_difference(ours, theirs, std::back_inserter(only_ours));
    std::ranges::set_difference(theirs, ours, std::back_inserter(only_theirs));
    std::ostringstream diff;
    for (const auto& l : only_theirs) diff << "\n  kafka-python: " << l;
    for (const auto& l : only_ours) diff << "\n  ours:         " << l;
    EXPECT_TRUE(only_ours.empty() && only_theirs.empty()) << "field values differ:" << diff.str();
}

struct vector_case {
    std::string stem; // "fetch_v4_request"
    api_key key{};
    std::int16_t version = 0;
    std::function<void(const vector_case&, bytes_view, const std::vector<std::string>&)> check;
};

void PrintTo(const vector_case& c, std::ostream* os)
{
    *os << c.stem;
}

template <typename T>
void check_request(const vector_case& c, bytes_view bytes, const std::vector<std::string>& expected)
{
    wire::reader r(bytes);
    std::int32_t size = r.int32();
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(static_cast<std::size_t>(size), r.remaining());
    wire::request_header header;
    header.key = static_cast<api_key>(r.int16());
    header.version = r.int16();
    header.correlation_id = r.int32();
    header.client_id = r.nullable_string();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(header.key, c.key);
    EXPECT_EQ(header.version, c.version);

    T message;
    auto error = decode(r, message, c.version);
    ASSERT_FALSE(error.has_value()) << error->message();
    EXPECT_TRUE(r.at_end()) << r.remaining() << " bytes left after " << c.stem;

    flat f;
    f.num("header.api_key", static_cast<std::int16_t>(header.key));
    f.num("header.api_version", header.version);
    f.num("header.correlation_id", header.correlation_id);
    f.str("header.client_id", header.client_id.value_or("<null>"));
    flatten(f, message, c.version);
    expect_same_lines(f.lines, expected);

    wire::writer w;
    std::size_t start = wire::begin_request(w, header);
    encode(w, message, c.version);
    wire::end_frame(w, start);
    EXPECT_TRUE(std::ranges::equal(w.view(), bytes)) << "our encoding of " << c.stem << " differs";
}

template <typename T>
void check_response(const vector_case& c, bytes_view bytes, const std::vector<std::string>& expected)
{
    wire::reader r(bytes);
    T message;
    auto error = decode(r, message, c.version);
    ASSERT_FALSE(error.has_value()) << error->message();
    EXPECT_TRUE(r.at_end()) << r.remaining() << " bytes left after " << c.stem;

    flat f;
    flatten(f, message, c.version);
    expect_same_lines(f.lines, expected);

    wire::writer w;
    encode(w, message, c.version);
    EXPECT_TRUE(std::ranges::equal(w.view(), bytes)) << "our encoding of " << c.stem << " differs";
}

// The versions kafka-python 2.0.2 has of each API; the script must write every one of them.
template <typename Request, typename Response>
void add_cases(std::vector<vector_case>& cases, std::string_view name, api_key key, std::int16_t last)
{
    for (std::int16_t v = 0; v <= last; ++v) {
        std::string stem = std::string(name) + "_v" + std::to_string(v);
        cases.push_back({stem + "_request", key, v, check_request<Request>});
        cases.push_back({stem + "_response", key, v, check_response<Response>});
    }
}

std::vector<vector_case> all_cases()
{
    std::vector<vector_case> cases;
    add_cases<api_versions_request, api_versions_response>(cases, "api_versions", api_key::api_versions, 2);
    add_cases<metadata_request, metadata_response>(cases, "metadata", api_key::metadata, 5);
    add_cases<produce_request, produce_response>(cases, "produce", api_key::produce, 8);
    add_cases<fetch_request, fetch_response>(cases, "fetch", api_key::fetch, 11);
    add_cases<list_offsets_request, list_offsets_response>(cases, "list_offsets", api_key::list_offsets, 5);
    add_cases<offset_commit_request, offset_commit_response>(cases, "offset_commit", api_key::offset_commit, 3);
    add_cases<offset_fetch_request, offset_fetch_response>(cases, "offset_fetch", api_key::offset_fetch, 3);
    add_cases<find_coordinator_request, find_coordinator_response>(cases, "find_coordinator",
                                                                   api_key::find_coordinator, 1);
    add_cases<join_group_request, join_group_response>(cases, "join_group", api_key::join_group, 2);
    add_cases<sync_group_request, sync_group_response>(cases, "sync_group", api_key::sync_group, 1);
    add_cases<heartbeat_request, heartbeat_response>(cases, "heartbeat", api_key::heartbeat, 1);
    add_cases<leave_group_request, leave_group_response>(cases, "leave_group", api_key::leave_group, 1);
    return cases;
}

class MessagesVectors : public ::testing::TestWithParam<vector_case> {};

TEST_P(MessagesVectors, MatchesKafkaPython)
{
    const vector_case& c = GetParam();
    auto bytes = read_bytes(vector_path(c.stem, ".bin"));
    auto lines = read_lines(vector_path(c.stem, ".txt"));
    ASSERT_TRUE(bytes.has_value()) << "missing vector " << vector_path(c.stem, ".bin")
                                   << " (run make_message_vectors.py)";
    ASSERT_TRUE(lines.has_value()) << "missing vector " << vector_path(c.stem, ".txt");
    ASSERT_FALSE(lines->empty() && c.stem.find("api_versions") == std::string::npos)
        << c.stem << ".txt lists no fields";
    c.check(c, *bytes, *lines);
}

INSTANTIATE_TEST_SUITE_P(KafkaPython, MessagesVectors, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<vector_case>& p) { return p.param.stem; });

} // namespace
} // namespace kspout::messages
