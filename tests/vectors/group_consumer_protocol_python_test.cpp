// Our consumer protocol payloads byte for byte against kafka-python's, read back by it, and our
// range and roundrobin assignors against its own (consumer_protocol_peer.py).
#include "protocol/group/assignor.hpp"
#include "protocol/group/consumer_protocol.hpp"
#include "tests/unit/hex_text.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace kspout::group {
namespace {

using test::hex;

std::string json_string(std::string_view s)
{
    return "\"" + std::string(s) + "\"";
}

std::string json_strings(const std::vector<std::string>& items)
{
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + json_string(items[i]);
    return out + "]";
}

std::string json_topic_partitions(const std::vector<topic_partitions>& topics)
{
    std::string out = "[";
    for (std::size_t i = 0; i < topics.size(); ++i) {
        out += (i ? ",[" : "[") + json_string(topics[i].topic) + ",[";
        for (std::size_t k = 0; k < topics[i].partitions.size(); ++k) {
            out += (k ? "," : "") + std::to_string(topics[i].partitions[k]);
        }
        out += "]]";
    }
    return out + "]";
}

std::string json_bytes(const std::optional<wire::byte_buffer>& b)
{
    return b ? json_string(hex(*b)) : "null";
}

std::string subscription_case(const consumer_subscription& s)
{
    return "{\"kind\":\"subscription\",\"version\":" + std::to_string(s.version) +
           ",\"topics\":" + json_strings(s.topics) + ",\"user_data\":" + json_bytes(s.user_data) +
           ",\"owned\":" + json_topic_partitions(s.owned_partitions) +
           ",\"generation\":" + std::to_string(s.generation_id) +
           ",\"rack\":" + (s.rack_id ? json_string(*s.rack_id) : "null") + ",\"ours\":" + json_string(hex(encode(s))) + "}";
}

std::string assignment_case(const consumer_assignment& a)
{
    return "{\"kind\":\"assignment\",\"version\":" + std::to_string(a.version) +
           ",\"assigned\":" + json_topic_partitions(a.assigned_partitions) +
           ",\"user_data\":" + json_bytes(a.user_data) + ",\"ours\":" + json_string(hex(encode(a))) + "}";
}

// Runs the peer over the cases, one output line per case; empty on failure (with a test failure).
std::vector<std::string> run_peer(const std::vector<std::string>& cases)
{
    auto path = std::filesystem::temp_directory_path() /
                ("kspout_consumer_protocol_" + std::to_string(::getpid()) + ".jsonl");
    {
        std::ofstream out(path);
        for (const auto& c : cases) out << c << "\n";
    }
    std::string command = std::string("'") + KSPOUT_PYTHON + "' '" + KSPOUT_SOURCE_DIR +
                          "/tests/vectors/consumer_protocol_peer.py' '" + path.string() + "'";
    FILE* pipe = ::popen(command.c_str(), "r");
    EXPECT_NE(pipe, nullptr) << command;
    if (pipe == nullptr) return {};
    std::string text;
    char chunk[4096];
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0;) text.append(chunk, n);
    const int status = ::pclose(pipe);
    std::filesystem::remove(path);
    EXPECT_EQ(status, 0) << command;

    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    EXPECT_EQ(lines.size(), cases.size());
    return lines;
}

std::vector<consumer_subscription> subscriptions()
{
    std::vector<consumer_subscription> out;
    for (std::int16_t v = 0; v <= consumer_protocol_version; ++v) {
        consumer_subscription plain;
        plain.version = v;
        plain.topics = {"clicks"};
        out.push_back(plain);

        consumer_subscription full;
        full.version = v;
        full.topics = {"clicks", "views", "ünïcode"};
        full.user_data = wire::byte_buffer{0, 1, 0xfe};
        if (v >= 1) full.owned_partitions = {{"clicks", {0, 5, 17}}, {"views", {}}};
        if (v >= 2) full.generation_id = 42;
        if (v >= 3) full.rack_id = "rack-2";
        out.push_back(full);

        consumer_subscription empty;
        empty.version = v;
        empty.user_data = wire::byte_buffer{};
        out.push_back(empty);
    }
    return out;
}

std::vector<consumer_assignment> assignments()
{
    std::vector<consumer_assignment> out;
    for (std::int16_t v = 0; v <= consumer_protocol_version; ++v) {
        out.push_back({v, {}, std::nullopt});
        out.push_back({v, {{"clicks", {1, 2}}, {"views", {0}}}, wire::byte_buffer{7, 7}});
    }
    return out;
}

TEST(ConsumerProtocolKafkaPython, SameBytesAndReadBackAtEveryVersion)
{
    std::vector<std::string> cases;
    std::vector<std::string> ours;
    for (const auto& s : subscriptions()) {
        cases.push_back(subscription_case(s));
        ours.push_back(hex(encode(s)));
    }
    for (const auto& a : assignments()) {
        cases.push_back(assignment_case(a));
        ours.push_back(hex(encode(a)));
    }
    const auto lines = run_peer(cases);
    ASSERT_EQ(lines.size(), cases.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        EXPECT_EQ(lines[i], ours[i] + " ok") << cases[i];
    }
}

std::string share_text(const group_assignment& a)
{
    std::string out;
    for (const auto& [member, share] : a) {
        out += (out.empty() ? "" : ";") + member + "=";
        for (std::size_t i = 0; i < share.assigned.size(); ++i) {
            out += (i ? "," : "") + share.assigned[i].topic + "-" + std::to_string(share.assigned[i].partition);
        }
    }
    return out;
}

// kafka-python orders members by member id alone, so these groups have no static members.
TEST(ConsumerProtocolKafkaPython, RangeAndRoundRobinAgreeWithKafkaPython)
{
    std::mt19937 random(99);
    std::vector<std::string> cases;
    std::vector<std::string> expected;
    for (int round = 0; round < 60; ++round) {
        partition_counts counts;
        const int topics = 1 + static_cast<int>(random() % 4);
        for (int t = 0; t < topics; ++t) counts["t" + std::to_string(t)] = static_cast<std::int32_t>(1 + random() % 12);
        std::vector<group_member> members;
        const int member_count = 1 + static_cast<int>(random() % 6);
        for (int m = 0; m < member_count; ++m) {
            group_member member;
            member.member_id = "consumer-" + std::to_string(random() % 100) + "-" + std::to_string(m);
            for (const auto& [topic, count] : counts) {
                if (round % 2 == 0 || random() % 2 == 0) member.subscription.topics.push_back(topic);
            }
            if (member.subscription.topics.empty()) member.subscription.topics.push_back("t0");
            members.push_back(member);
        }
        std::string members_json = "{";
        for (std::size_t m = 0; m < members.size(); ++m) {
            members_json += (m ? "," : "") + json_string(members[m].member_id) + ":" + json_strings(members[m].subscription.topics);
        }
        members_json += "}";
        std::string counts_json = "{";
        for (const auto& [topic, count] : counts) {
            counts_json += (counts_json.size() > 1 ? "," : "") + json_string(topic) + ":" + std::to_string(count);
        }
        counts_json += "}";
        for (auto kind : {assignor_kind::range, assignor_kind::round_robin}) {
            cases.push_back("{\"kind\":\"assign\",\"assignor\":" + json_string(assignor_name(kind)) +
                            ",\"members\":" + members_json + ",\"partitions\":" + counts_json + "}");
            expected.push_back(share_text(assign(kind, members, counts)));
        }
    }
    const auto lines = run_peer(cases);
    ASSERT_EQ(lines.size(), cases.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        EXPECT_EQ(lines[i], expected[i]) << cases[i];
    }
}

} // namespace
} // namespace kspout::group
