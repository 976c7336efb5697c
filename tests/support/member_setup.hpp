// The ways a group member is coordinated, by name, and the options each needs: shared by the member program and the rebalance bench.
#pragma once

#include "protocol/member/member_factory.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kspout::testing {

enum class member_mode {
    zookeeper,           // pykafka's BalancedConsumer layout
    classic_eager,       // the broker's classic protocol, range assignor: every partition revoked per rebalance
    classic_cooperative, // the classic protocol with cooperative-sticky: only moved partitions revoked
    kip848,              // KIP-848's ConsumerGroupHeartbeat, the broker assigns
};

// "zookeeper", "classic", "cooperative", "kip848".
std::optional<member_mode> parse_member_mode(std::string_view name) noexcept;
std::string_view member_mode_name(member_mode mode) noexcept;

struct member_setup {
    member_mode mode = member_mode::zookeeper;
    std::string bootstrap;
    std::string zookeeper; // zookeeper mode only
    std::string topic;
    std::string group;
    // ZooKeeper's session, or the classic protocol's; KIP-848's is the broker's setting.
    std::chrono::milliseconds session_timeout{2000};
    std::chrono::milliseconds heartbeat_interval{500};
    std::optional<std::string> instance_id; // static membership (broker modes)
    io::offset_reset start_from = io::offset_reset::earliest;
};

// Short timeouts and backoffs, so that what is measured is the group protocol and not a retry.
member::member_options make_member_options(const member_setup& setup);

} // namespace kspout::testing
