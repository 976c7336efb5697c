// The classic protocol's client-side assignors as pure functions: the group leader's input
// (members with their subscriptions and owned partitions, partitions per topic) to each member's share.
#pragma once

#include "protocol/group/consumer_protocol.hpp"

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::group {

struct topic_partition {
    std::string topic;
    std::int32_t partition = 0;
    friend auto operator<=>(const topic_partition&, const topic_partition&) = default;
};

struct group_member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    consumer_subscription subscription; // as decoded from the member's JoinGroup metadata
};

// Topic name -> number of partitions. A subscribed topic missing here has none (yet).
using partition_counts = std::map<std::string, std::int32_t>;

struct member_assignment {
    std::vector<topic_partition> assigned; // sorted
    // Cooperative only: partitions the member owns and must give up; it keeps consuming
    // `assigned` and rejoins once these are revoked, so that another member can get them.
    std::vector<topic_partition> revoked; // sorted
    friend bool operator==(const member_assignment&, const member_assignment&) = default;
};

// Member id -> its share; every member of the input has an entry.
using group_assignment = std::map<std::string, member_assignment>;

enum class assignor_kind { range, round_robin, cooperative_sticky };

// The names the Java client, librdkafka and kafka-python put in JoinGroup: "range", "roundrobin",
// "cooperative-sticky".
std::string_view assignor_name(assignor_kind kind) noexcept;
std::optional<assignor_kind> parse_assignor(std::string_view name) noexcept;
// Eager assignors need every member to give up everything before joining; cooperative ones
// only what `revoked` says.
bool is_cooperative(assignor_kind kind) noexcept;

group_assignment assign(assignor_kind kind, std::span<const group_member> members, const partition_counts& partitions);

// The payload forms: partitions grouped by topic (topics and partitions sorted), and back.
std::vector<topic_partitions> group_by_topic(std::span<const topic_partition> partitions);
std::vector<topic_partition> flatten(std::span<const topic_partitions> topics);

} // namespace kspout::group
