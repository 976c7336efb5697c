// make_group_member: ZooKeeper and static shares are both balanced_consumer today.
#include "protocol/member/member_factory.hpp"

#include "protocol/balanced/balanced_consumer.hpp"

namespace kspout::member {

std::shared_ptr<group_member> make_group_member(boost::asio::any_io_executor executor, member_options options,
                                                member_listener listener, log::logger log)
{
    return balanced::balanced_consumer::create(std::move(executor), std::move(options.cluster),
                                               std::move(options.group), std::move(listener), std::move(log));
}

} // namespace kspout::member
