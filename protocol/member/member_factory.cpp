// make_group_member: a broker-managed group's member (KIP-848 or classic), or balanced_consumer for ZooKeeper and static shares; all fetch with the chosen engine.
#include "protocol/member/member_factory.hpp"

#include "protocol/balanced/balanced_consumer.hpp"
#include "protocol/engine/engines.hpp"
#include "protocol/member/best_protocol_member.hpp"
#include "protocol/member/classic_group_member.hpp"
#include "protocol/member/kip848_group_member.hpp"

namespace kspout::member {

namespace {

kip848_member_options kip848_options(const classic_member_options& o, const io::consumer_options& consumer)
{
    kip848_member_options out;
    out.group_id = o.group_id;
    out.topic = o.topic;
    out.rebalance_timeout = o.rebalance_timeout;
    out.retry_backoff = consumer.retry_backoff;
    out.heartbeat_interval = o.heartbeat_interval;
    out.group_instance_id = o.group_instance_id;
    return out;
}

} // namespace

std::shared_ptr<group_member> make_group_member(boost::asio::any_io_executor executor, member_options options,
                                                member_listener listener, log::logger log)
{
    auto make_engine = engine::fetch_engine_factory(executor, options.cluster, log);
    if (!options.broker_group)
        return balanced::balanced_consumer::create(std::move(executor), std::move(options.cluster),
                                                   std::move(options.group), std::move(listener), std::move(log),
                                                   std::move(make_engine));
    const io::consumer_options& consumer = options.group.consumer;
    auto classic = [=](member_listener l) -> std::shared_ptr<group_member> {
        return classic_group_member::create(executor, options.cluster, {*options.broker_group, consumer}, std::move(l),
                                            log, make_engine);
    };
    auto kip848 = [=](member_listener l) -> std::shared_ptr<group_member> {
        return kip848_group_member::create(executor, options.cluster,
                                           {kip848_options(*options.broker_group, consumer), consumer}, std::move(l),
                                           log, make_engine);
    };
    switch (options.protocol) {
    case group_protocol::classic:
        return classic(std::move(listener));
    case group_protocol::consumer:
        return kip848(std::move(listener));
    case group_protocol::best_offered:
        break;
    }
    return best_protocol_member::create(executor, std::move(kip848), std::move(classic), std::move(listener), log);
}

} // namespace kspout::member
