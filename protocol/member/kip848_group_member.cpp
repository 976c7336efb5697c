// kip848_group_member: runs kip848_member's actions (ConsumerGroupHeartbeat, the topic's id) on the coordinator and the cluster.
#include "protocol/member/kip848_group_member.hpp"

#include "protocol/member/group_error_codes.hpp"

#include <array>
#include <random>

namespace kspout::member {

using namespace kip848;

namespace {

io::consumer_options with_group(io::consumer_options consumer, const kip848_member_options& member)
{
    consumer.topic = member.topic;
    consumer.group_id = member.group_id;
    return consumer;
}

kip848_member_options with_member_id(kip848_member_options member)
{
    if (member.member_id.empty())
        member.member_id = random_member_id();
    return member;
}

} // namespace

std::string random_member_id()
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::random_device device;
    std::array<std::uint8_t, 16> bytes{};
    for (auto& b : bytes)
        b = static_cast<std::uint8_t>(device());
    std::string out;
    std::uint32_t bits = 0;
    int held = 0;
    for (std::uint8_t b : bytes) {
        bits = (bits << 8) | b;
        held += 8;
        while (held >= 6) {
            held -= 6;
            out += alphabet[(bits >> held) & 0x3f];
        }
    }
    if (held > 0)
        out += alphabet[(bits << (6 - held)) & 0x3f];
    return out;
}

std::shared_ptr<kip848_group_member> kip848_group_member::create(boost::asio::any_io_executor executor,
                                                                 io::cluster_options cluster,
                                                                 kip848_group_options options,
                                                                 member_listener listener, log::logger log,
                                                                 io::fetch_engine_factory make_engine)
{
    return std::shared_ptr<kip848_group_member>(new kip848_group_member(std::move(executor), std::move(cluster),
                                                                        std::move(options), std::move(listener),
                                                                        std::move(log), make_engine));
}

kip848_group_member::kip848_group_member(boost::asio::any_io_executor executor, io::cluster_options cluster,
                                         kip848_group_options options, member_listener listener, log::logger log,
                                         const io::fetch_engine_factory& make_engine)
    : coordinated_member(std::move(executor), std::move(cluster), with_group(options.consumer, options.member),
                         std::move(listener), std::move(log), make_engine),
      options_(with_member_id(std::move(options.member))), request_timeout_(options.consumer.request_timeout),
      machine_(options_)
{
}

void kip848_group_member::feed(const event& e)
{
    if (has_stopped())
        return;
    const std::int32_t epoch_before = machine_.member_epoch();
    for (action& a : machine_.resume(e))
        run(std::move(a));
    set_member_id(machine_.member_id());
    if (epoch_before <= 0 && machine_.member_epoch() > 0)
        logger().info("group " + group_id() + ": member " + machine_.member_id() +
                      " joined with KIP-848's consumer protocol at epoch " + std::to_string(machine_.member_epoch()));
}

std::optional<io::group_member_identity> kip848_group_member::commit_identity() const
{
    // OffsetCommit's generation field carries the member epoch; without one nothing is committed.
    if (machine_.member_epoch() <= 0)
        return std::nullopt;
    return io::group_member_identity{machine_.member_epoch(), machine_.member_id(), std::nullopt};
}

void kip848_group_member::resolve_topic()
{
    cluster()->refresh_metadata({options_.topic}, [weak = weak_from_this(), this](std::error_code ec) {
        auto self = weak.lock();
        if (!self || has_stopped())
            return;
        std::optional<messages::topic_id> id;
        const io::topic_metadata* t = cluster()->topic(options_.topic);
        if (!ec && t && t->error_code == 0)
            id = t->topic_id;
        feed(topic_resolved{clock::now(), id});
    });
}

void kip848_group_member::run(action a)
{
    if (run_shared(a))
        return;
    switch (a.type) {
    case action_type::resolve_topic:
        resolve_topic();
        return;
    case action_type::send_heartbeat:
        send<messages::consumer_group_heartbeat_request, messages::consumer_group_heartbeat_response>(
            wire::api_key::consumer_group_heartbeat, std::move(a.heartbeat), request_timeout_,
            [this](std::error_code ec, io::response<messages::consumer_group_heartbeat_response> r) {
                heartbeat_answered answer{clock::now(), std::move(r.body)};
                if (ec) { // the broker has no ConsumerGroupHeartbeat
                    answer.response = {};
                    answer.response.error_code = group_error::unsupported_version;
                }
                feed(answer);
            });
        return;
    case action_type::send_leave:
        if (!coordinator()) {
            feed(leave_done{});
            return;
        }
        coordinator()->request<messages::consumer_group_heartbeat_request,
                               messages::consumer_group_heartbeat_response>(
            wire::api_key::consumer_group_heartbeat, std::move(a.heartbeat), request_timeout_,
            [weak = weak_from_this(), this](std::error_code, io::response<messages::consumer_group_heartbeat_response>) {
                if (auto self = weak.lock())
                    feed(leave_done{});
            });
        return;
    default:
        return;
    }
}

} // namespace kspout::member
