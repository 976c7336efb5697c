// make_group_member: a broker-managed group's member, or balanced_consumer for ZooKeeper and static shares; both fetch with the chosen engine.
#include "protocol/member/member_factory.hpp"

#include "protocol/balanced/balanced_consumer.hpp"
#include "protocol/engine/engines.hpp"
#include "protocol/member/classic_group_member.hpp"

namespace kspout::member {

std::shared_ptr<group_member> make_group_member(boost::asio::any_io_executor executor, member_options options,
                                                member_listener listener, log::logger log)
{
    auto make_engine = engine::fetch_engine_factory(executor, options.cluster, log);
    if (options.broker_group)
        return classic_group_member::create(std::move(executor), std::move(options.cluster),
                                            {std::move(*options.broker_group), std::move(options.group.consumer)},
                                            std::move(listener), std::move(log), std::move(make_engine));
    return balanced::balanced_consumer::create(std::move(executor), std::move(options.cluster),
                                               std::move(options.group), std::move(listener), std::move(log),
                                               std::move(make_engine));
}

} // namespace kspout::member
