// classic_group_member: runs classic_member's actions (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) on the coordinator.
#include "protocol/member/classic_group_member.hpp"

namespace kspout::member {

using namespace classic;

namespace {

// JoinGroup is answered once the rebalance completes: allow the rebalance timeout and some more.
constexpr auto join_grace = std::chrono::seconds(5);

io::consumer_options with_group(io::consumer_options consumer, const classic_member_options& member)
{
    consumer.topic = member.topic;
    consumer.group_id = member.group_id;
    return consumer;
}

} // namespace

std::shared_ptr<classic_group_member> classic_group_member::create(boost::asio::any_io_executor executor,
                                                                   io::cluster_options cluster,
                                                                   classic_group_options options,
                                                                   member_listener listener, log::logger log,
                                                                   io::fetch_engine_factory make_engine)
{
    return std::shared_ptr<classic_group_member>(new classic_group_member(std::move(executor), std::move(cluster),
                                                                          std::move(options), std::move(listener),
                                                                          std::move(log), make_engine));
}

classic_group_member::classic_group_member(boost::asio::any_io_executor executor, io::cluster_options cluster,
                                           classic_group_options options, member_listener listener,
                                           log::logger log, const io::fetch_engine_factory& make_engine)
    : coordinated_member(std::move(executor), std::move(cluster), with_group(options.consumer, options.member),
                         std::move(listener), std::move(log), make_engine),
      options_(std::move(options.member)), request_timeout_(options.consumer.request_timeout), machine_(options_)
{
}

void classic_group_member::feed(const event& e)
{
    if (has_stopped())
        return;
    for (action& a : machine_.resume(e))
        run(std::move(a));
    set_member_id(machine_.member_id());
}

std::optional<io::group_member_identity> classic_group_member::commit_identity() const
{
    // Only inside a generation: partitions lost with one are another member's now.
    if (machine_.generation_id() < 0 || machine_.member_id().empty())
        return std::nullopt;
    return io::group_member_identity{machine_.generation_id(), machine_.member_id(), options_.group_instance_id};
}

void classic_group_member::run(action a)
{
    if (run_shared(a))
        return;
    switch (a.type) {
    case action_type::send_join:
        send<messages::join_group_request, messages::join_group_response>(
            wire::api_key::join_group, std::move(a.join), options_.rebalance_timeout + join_grace,
            [this](std::error_code ec, io::response<messages::join_group_response> r) {
                if (ec)
                    return coordinator_failed(ec);
                bool static_membership = r.version >= messages::join_group_static_membership_version;
                feed(join_answered{clock::now(), std::move(r.body), static_membership});
            });
        return;
    case action_type::count_partitions:
        cluster()->refresh_metadata({options_.topic}, [weak = weak_from_this(), this](std::error_code ec) {
            auto self = weak.lock();
            if (!self || has_stopped())
                return;
            std::optional<std::int32_t> count;
            const io::topic_metadata* t = cluster()->topic(options_.topic);
            if (!ec && t && t->error_code == 0)
                count = static_cast<std::int32_t>(t->partitions.size());
            feed(partitions_counted{clock::now(), count});
        });
        return;
    case action_type::send_sync:
        send<messages::sync_group_request, messages::sync_group_response>(
            wire::api_key::sync_group, std::move(a.sync), request_timeout_,
            [this](std::error_code ec, io::response<messages::sync_group_response> r) {
                if (ec)
                    return coordinator_failed(ec);
                feed(sync_answered{clock::now(), std::move(r.body)});
            });
        return;
    case action_type::send_heartbeat: {
        std::int32_t generation = a.heartbeat.generation_id;
        send<messages::heartbeat_request, messages::heartbeat_response>(
            wire::api_key::heartbeat, std::move(a.heartbeat), options_.session_timeout,
            [this, generation](std::error_code ec, io::response<messages::heartbeat_response> r) {
                if (ec)
                    return coordinator_failed(ec);
                feed(heartbeat_answered{clock::now(), generation, r.body.error_code});
            });
        return;
    }
    case action_type::send_leave:
        if (!coordinator()) {
            feed(leave_done{});
            return;
        }
        coordinator()->request<messages::leave_group_request, messages::leave_group_response>(
            wire::api_key::leave_group, std::move(a.leave), request_timeout_,
            [weak = weak_from_this(), this](std::error_code, io::response<messages::leave_group_response>) {
                if (auto self = weak.lock())
                    feed(leave_done{});
            });
        return;
    default:
        return;
    }
}

} // namespace kspout::member
