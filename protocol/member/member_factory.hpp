// Picks and builds the group member a consumer runs, from its options.
#pragma once

#include "protocol/balanced/balanced_options.hpp"
#include "protocol/io/cluster.hpp"
#include "protocol/log/logger.hpp"
#include "protocol/member/classic_member.hpp"
#include "protocol/member/group_member.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <optional>

namespace kspout::member {

// The protocol of a broker-managed group: KIP-848's (ConsumerGroupHeartbeat, Kafka 4.0+) when the
// coordinator offers it, else the classic one; or either by name.
enum class group_protocol { best_offered, classic, consumer };

struct member_options {
    io::cluster_options cluster;
    // The topic, the group and how it is coordinated: group.fixed set gives a static share by
    // index, else a member of a ZooKeeper-coordinated group (pykafka's layout).
    balanced::balanced_options group;
    // Set: a member of a broker-managed group instead (kafka.spout.assignment=kafka), with the
    // group id, topic, timeouts and instance id given here (the assignor applies to the classic
    // protocol; KIP-848's broker assigns); `group` then gives only the consumer options.
    std::optional<classic_member_options> broker_group;
    group_protocol protocol = group_protocol::best_offered;
};

// The member is built stopped; start() joins. Invalid options are reported through
// listener.on_error at start().
std::shared_ptr<group_member> make_group_member(boost::asio::any_io_executor executor, member_options options,
                                                member_listener listener, log::logger log = {});

} // namespace kspout::member
