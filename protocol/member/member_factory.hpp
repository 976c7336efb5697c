// Picks and builds the group member a consumer runs, from its options.
#pragma once

#include "protocol/balanced/balanced_options.hpp"
#include "protocol/io/cluster.hpp"
#include "protocol/log/logger.hpp"
#include "protocol/member/group_member.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>

namespace kspout::member {

struct member_options {
    io::cluster_options cluster;
    // The topic, the group and how it is coordinated: group.fixed set gives a static share by
    // index, else a member of a ZooKeeper-coordinated group (pykafka's layout).
    balanced::balanced_options group;
};

// The member is built stopped; start() joins. Invalid options are reported through
// listener.on_error at start().
std::shared_ptr<group_member> make_group_member(boost::asio::any_io_executor executor, member_options options,
                                                member_listener listener, log::logger log = {});

} // namespace kspout::member
