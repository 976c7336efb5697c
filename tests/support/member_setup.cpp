// member_setup: a mode's name and the member options for it.
#include "tests/support/member_setup.hpp"

namespace kspout::testing {

using namespace std::chrono_literals;

namespace {

constexpr std::pair<member_mode, std::string_view> mode_names[] = {
    {member_mode::zookeeper, "zookeeper"},
    {member_mode::classic_eager, "classic"},
    {member_mode::classic_cooperative, "cooperative"},
    {member_mode::kip848, "kip848"},
};

} // namespace

std::optional<member_mode> parse_member_mode(std::string_view name) noexcept
{
    for (const auto& [mode, text] : mode_names)
        if (text == name)
            return mode;
    return std::nullopt;
}

std::string_view member_mode_name(member_mode mode) noexcept
{
    for (const auto& [m, text] : mode_names)
        if (m == mode)
            return text;
    return "?";
}

member::member_options make_member_options(const member_setup& setup)
{
    member::member_options o;
    o.cluster.bootstrap_servers = {setup.bootstrap};
    o.cluster.request_timeout = 5s;
    o.cluster.broker.reconnect_backoff = 20ms;
    o.cluster.broker.reconnect_backoff_max = 200ms;
    o.cluster.broker.connect_timeout = 2s;
    o.cluster.broker.api_versions_timeout = 2s;

    auto& g = o.group;
    g.topic = setup.topic;
    g.group_id = setup.group;
    g.zookeeper_connect = setup.zookeeper;
    g.zookeeper_session_timeout = setup.session_timeout;
    g.metadata_check_interval = 500ms;
    g.rebalance_backoff = 50ms;
    g.rebalance_backoff_max = 500ms;
    g.rebalance_deadline = 20s;
    g.consumer.topic = setup.topic;
    g.consumer.group_id = setup.group;
    g.consumer.auto_offset_reset = setup.start_from;
    g.consumer.fetch_max_wait = 50ms;
    g.consumer.retry_backoff = 30ms;
    g.consumer.request_timeout = 5s;
    if (setup.mode == member_mode::zookeeper)
        return o;

    member::classic_member_options b;
    b.group_id = setup.group;
    b.topic = setup.topic;
    b.assignor = setup.mode == member_mode::classic_cooperative ? group::assignor_kind::cooperative_sticky
                                                                : group::assignor_kind::range;
    b.session_timeout = setup.session_timeout;
    b.rebalance_timeout = 20s;
    b.heartbeat_interval = setup.heartbeat_interval;
    b.retry_backoff = 50ms;
    b.group_instance_id = setup.instance_id;
    o.broker_group = b;
    o.protocol = setup.mode == member_mode::kip848 ? member::group_protocol::consumer : member::group_protocol::classic;
    return o;
}

} // namespace kspout::testing
