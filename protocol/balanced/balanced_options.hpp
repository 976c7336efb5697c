// What a balanced consumer is asked to do: topic, group, ZooKeeper, rebalance pacing, or a static share.
#pragma once

#include "protocol/group/paths.hpp"
#include "protocol/io/consumer_options.hpp"
#include "protocol/zk/zk_types.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace kspout::balanced {

using namespace std::chrono_literals;

enum class assignment_strategy { range, round_robin };

struct static_member {
    int index = 0; // this member's position, 0 <= index < count
    int count = 1; // members in all; partition p belongs to member p % count
};

struct balanced_options {
    std::string topic;
    std::string group_id;
    // ZooKeeper connect string, with an optional chroot ("h1:2181,h2:2181/kafka"). Unused when
    // `fixed` is set.
    std::string zookeeper_connect;
    std::chrono::milliseconds zookeeper_session_timeout = 6s;
    // Credentials added to every ZooKeeper session before the member touches a znode.
    std::optional<zk::auth_data> zookeeper_auth;
    // The ACL of the znodes the member creates: /consumers/<group> and everything below it
    // (/consumers itself, shared by every group, stays open). creator needs zookeeper_auth, and
    // every member of the group then needs the same credentials: one without them is refused
    // (zk::errc::no_auth), reported once, and stays out of the group.
    zk::acl_policy zookeeper_acl = zk::acl_policy::open;
    assignment_strategy strategy = assignment_strategy::range;
    // Claims that collide with an owner node not yet released are retried with backoff
    // (backoff, 2*backoff, ... capped at rebalance_backoff_max) until this deadline, then reported.
    std::chrono::milliseconds rebalance_backoff = 100ms;
    std::chrono::milliseconds rebalance_backoff_max = 2s;
    std::chrono::milliseconds rebalance_deadline = 30s;
    // How often the topic's metadata is read again, so that partitions added later, and leaders
    // that moved (pykafka's assignment sorts by leader), start a rebalance.
    std::chrono::milliseconds metadata_check_interval = 5s;
    std::string consumer_id; // empty: "<hostname>:<uuid4>", as pykafka does
    // How the owners directory is spelled: "owners/<topic>" (pykafka under Python 2, and the
    // layout its docs describe) or "owners/b'<topic>'" (pykafka under Python 3 formats the
    // topic's bytes into the path). Every member of a group must use the same.
    group::owners_dir_style owners_dir = group::owners_dir_style::plain;
    // Static assignment instead of ZooKeeper.
    std::optional<static_member> fixed;
    // Fetching, buffering and where partitions start (committed offsets of group_id first).
    io::consumer_options consumer;
};

} // namespace kspout::balanced
