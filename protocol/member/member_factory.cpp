// make_group_member: ZooKeeper and static shares are both balanced_consumer, fetching with the chosen engine.
#include "protocol/member/member_factory.hpp"

#include "protocol/balanced/balanced_consumer.hpp"
#include "protocol/engine/engines.hpp"

namespace kspout::member {

std::shared_ptr<group_member> make_group_member(boost::asio::any_io_executor executor, member_options options,
                                                member_listener listener, log::logger log)
{
    auto make_engine = engine::fetch_engine_factory(executor, options.cluster, log);
    return balanced::balanced_consumer::create(std::move(executor), std::move(options.cluster),
                                               std::move(options.group), std::move(listener), std::move(log),
                                               std::move(make_engine));
}

} // namespace kspout::member
