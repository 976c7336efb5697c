// cluster: metadata refresh across brokers, leader and coordinator lookup.
#include "protocol/io/cluster.hpp"

#include "protocol/io/error.hpp"
#include "protocol/io/tls_stream.hpp"
#include "protocol/messages/find_coordinator.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/wire/broker_error.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace kspout::io {

std::vector<broker_address> parse_bootstrap(const std::vector<std::string>& servers)
{
    std::vector<broker_address> out;
    for (const auto& list : servers) {
        std::size_t begin = 0;
        while (begin <= list.size()) {
            std::size_t end = std::min(list.find(',', begin), list.size());
            std::string entry = list.substr(begin, end - begin);
            begin = end + 1;
            entry.erase(0, entry.find_first_not_of(' '));
            entry.erase(entry.find_last_not_of(' ') + 1);
            if (entry.empty()) continue;
            auto colon = entry.rfind(':');
            unsigned port = 0;
            auto [ptr, ec] = colon == std::string::npos
                                 ? std::from_chars_result{nullptr, std::errc::invalid_argument}
                                 : std::from_chars(entry.data() + colon + 1, entry.data() + entry.size(), port);
            if (colon == 0 || ec != std::errc{} || ptr != entry.data() + entry.size() || port == 0 ||
                port > 65535) {
                throw std::invalid_argument("bad broker address '" + entry + "' (expected host:port)");
            }
            out.push_back({-1, entry.substr(0, colon), static_cast<std::uint16_t>(port)});
        }
    }
    if (out.empty()) throw std::invalid_argument("no bootstrap servers given");
    return out;
}

std::shared_ptr<cluster> cluster::create(boost::asio::any_io_executor executor, cluster_options options,
                                         log::logger log)
{
    return std::shared_ptr<cluster>(new cluster(std::move(executor), std::move(options), std::move(log)));
}

cluster::cluster(boost::asio::any_io_executor executor, cluster_options options, log::logger log)
    : executor_(executor), options_(std::move(options)), log_(std::move(log))
{
    if (uses_tls(options_.broker.security) && !options_.broker.loaded_tls) {
        options_.broker.loaded_tls = make_tls_context(options_.broker.tls);
    }
    for (auto& address : parse_bootstrap(options_.bootstrap_servers)) {
        bootstrap_.push_back(broker::create(executor_, address, options_.broker, log_));
    }
}

void cluster::refresh_metadata(const std::vector<std::string>& topics, done_handler done)
{
    if (shut_down_) {
        boost::asio::post(executor_, [done = std::move(done)] { done(make_error_code(errc::shut_down)); });
        return;
    }
    bool added = false;
    for (const auto& t : topics) added |= tracked_topics_.insert(t).second;
    refresh_waiters_.push_back(std::move(done));
    if (refresh_in_flight_) {
        refresh_again_ |= added; // the request in flight does not ask for the new topics
        return;
    }
    start_refresh();
}

std::vector<std::shared_ptr<broker>> cluster::refresh_candidates()
{
    // Known brokers first, rotating the start so one dead broker does not delay every refresh.
    std::vector<std::shared_ptr<broker>> candidates;
    for (auto& [id, b] : brokers_) candidates.push_back(b);
    if (!candidates.empty()) {
        std::rotate(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(next_candidate_++ % candidates.size()),
                    candidates.end());
    }
    std::stable_partition(candidates.begin(), candidates.end(), [](const auto& b) { return b->connected(); });
    candidates.insert(candidates.end(), bootstrap_.begin(), bootstrap_.end());
    return candidates;
}

void cluster::start_refresh()
{
    refresh_in_flight_ = true;
    refresh_again_ = false;
    try_metadata_from(refresh_candidates(), 0);
}

void cluster::try_metadata_from(std::vector<std::shared_ptr<broker>> candidates, std::size_t index)
{
    if (shut_down_) return;
    if (index >= candidates.size()) {
        log_.warning("metadata refresh failed: no broker answered");
        finish_refresh(make_error_code(errc::connection_closed));
        return;
    }
    messages::metadata_request req;
    req.topics = std::vector<std::string>(tracked_topics_.begin(), tracked_topics_.end());
    req.allow_auto_topic_creation = false;
    auto target = candidates[index];
    target->request<messages::metadata_request, messages::metadata_response>(
        wire::api_key::metadata, std::move(req), options_.request_timeout,
        [weak = weak_from_this(), candidates = std::move(candidates), index](
            std::error_code ec, response<messages::metadata_response> resp) mutable {
            auto self = weak.lock();
            if (!self || self->shut_down_) return;
            if (ec) {
                self->log_.debug("metadata from " + candidates[index]->address().to_string() +
                                 " failed: " + ec.message());
                self->try_metadata_from(std::move(candidates), index + 1);
                return;
            }
            bool changed = false;
            for (const auto& b : resp.body.brokers) {
                auto it = self->brokers_.find(b.node_id);
                broker_address address{b.node_id, b.host, static_cast<std::uint16_t>(b.port)};
                if (it != self->brokers_.end() && it->second->address().host == b.host &&
                    it->second->address().port == address.port) {
                    continue;
                }
                if (it != self->brokers_.end()) it->second->shut_down();
                self->brokers_[b.node_id] = broker::create(self->executor_, address, self->options_.broker, self->log_);
                changed = true;
            }
            for (const auto& t : resp.body.topics) {
                topic_metadata meta{t.name, t.error_code, {}, t.topic_id};
                for (const auto& p : t.partitions) {
                    meta.partitions.push_back({p.partition_index, p.leader_id, p.error_code, p.leader_epoch});
                }
                std::sort(meta.partitions.begin(), meta.partitions.end(),
                          [](const auto& a, const auto& b) { return a.partition < b.partition; });
                auto& slot = self->topics_[t.name];
                auto leaders = [](const topic_metadata& m) {
                    std::vector<std::pair<std::int32_t, std::int32_t>> out;
                    for (const auto& p : m.partitions) out.emplace_back(p.partition, p.leader);
                    return out;
                };
                if (slot.name.empty() || leaders(slot) != leaders(meta) || slot.error_code != meta.error_code) {
                    changed = true;
                }
                slot = std::move(meta);
            }
            if (changed) ++self->metadata_version_;
            self->finish_refresh({});
        });
}

void cluster::finish_refresh(std::error_code ec)
{
    refresh_in_flight_ = false;
    if (refresh_again_ && !ec) {
        start_refresh(); // waiters stay queued until the topics they asked for are in
        return;
    }
    auto waiters = std::move(refresh_waiters_);
    refresh_waiters_.clear();
    for (auto& w : waiters) w(ec);
}

const topic_metadata* cluster::topic(const std::string& name) const
{
    auto it = topics_.find(name);
    return it == topics_.end() ? nullptr : &it->second;
}

std::shared_ptr<broker> cluster::broker_by_id(std::int32_t node_id)
{
    auto it = brokers_.find(node_id);
    return it == brokers_.end() ? nullptr : it->second;
}

std::shared_ptr<broker> cluster::leader_for(const std::string& topic_name, std::int32_t partition)
{
    const topic_metadata* t = topic(topic_name);
    if (!t) return nullptr;
    for (const auto& p : t->partitions) {
        if (p.partition == partition) return p.leader < 0 ? nullptr : broker_by_id(p.leader);
    }
    return nullptr;
}

std::shared_ptr<broker> cluster::any_broker()
{
    for (auto& [id, b] : brokers_) {
        if (b->connected()) return b;
    }
    if (!brokers_.empty()) return brokers_.begin()->second;
    return bootstrap_.front();
}

void cluster::find_coordinator(const std::string& group, coordinator_handler handler)
{
    if (auto it = coordinators_.find(group); it != coordinators_.end()) {
        if (auto b = broker_by_id(it->second)) {
            boost::asio::post(executor_, [handler = std::move(handler), b] { handler({}, b); });
            return;
        }
    }
    messages::find_coordinator_request req;
    req.key = group;
    any_broker()->request<messages::find_coordinator_request, messages::find_coordinator_response>(
        wire::api_key::find_coordinator, std::move(req), options_.request_timeout,
        [weak = weak_from_this(), group, handler = std::move(handler)](
            std::error_code ec, response<messages::find_coordinator_response> resp) {
            auto self = weak.lock();
            if (!self) return;
            if (!ec && resp.body.error_code != 0) ec = wire::make_broker_error(resp.body.error_code);
            if (ec) {
                handler(ec, nullptr);
                return;
            }
            auto& c = resp.body;
            auto b = self->broker_by_id(c.node_id);
            if (!b) {
                b = broker::create(self->executor_, {c.node_id, c.host, static_cast<std::uint16_t>(c.port)},
                                   self->options_.broker, self->log_);
                self->brokers_[c.node_id] = b;
            }
            self->coordinators_[group] = c.node_id;
            handler({}, b);
        });
}

void cluster::invalidate_coordinator(const std::string& group)
{
    coordinators_.erase(group);
}

void cluster::shut_down()
{
    shut_down_ = true;
    for (auto& b : bootstrap_) b->shut_down();
    for (auto& [id, b] : brokers_) b->shut_down();
    auto waiters = std::move(refresh_waiters_);
    refresh_waiters_.clear();
    for (auto& w : waiters) {
        boost::asio::post(executor_, [w = std::move(w)] { w(make_error_code(errc::shut_down)); });
    }
}

} // namespace kspout::io
