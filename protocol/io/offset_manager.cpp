// offset_manager: OffsetCommit / OffsetFetch at the group coordinator, re-finding it and retrying.
#include "protocol/io/offset_manager.hpp"

#include "protocol/io/consumer_error.hpp"
#include "protocol/io/error.hpp"
#include "protocol/messages/offset_commit.hpp"
#include "protocol/messages/offset_fetch.hpp"

#include <boost/asio/post.hpp>

namespace kspout::io {

namespace {

template <typename ActionOf>
offsets_verdict worst_of(std::span<const std::int16_t> codes, ActionOf action_of) noexcept
{
    // The actions these requests can take, worst last.
    auto rank = [](wire::error_action a) {
        switch (a) {
        case wire::error_action::none: return 0;
        case wire::error_action::retry: return 1;
        case wire::error_action::find_coordinator: return 2;
        case wire::error_action::rejoin: return 3;
        default: return 4;
        }
    };
    offsets_verdict worst;
    for (std::int16_t code : codes) {
        auto action = action_of(code);
        if (rank(action) > rank(worst.action)) worst = {action, code};
    }
    return worst;
}

} // namespace

offsets_verdict offsets_response_verdict(wire::api_key api, std::span<const std::int16_t> codes) noexcept
{
    return worst_of(codes, [api](std::int16_t code) { return wire::broker_error_action(api, code); });
}

offsets_verdict member_commit_verdict(std::span<const std::int16_t> codes) noexcept
{
    return worst_of(codes, wire::member_commit_error_action);
}

std::shared_ptr<offset_manager> offset_manager::create(std::shared_ptr<cluster> c, offset_manager_options options,
                                                       log::logger log)
{
    return std::shared_ptr<offset_manager>(new offset_manager(std::move(c), std::move(options), std::move(log)));
}

offset_manager::offset_manager(std::shared_ptr<cluster> c, offset_manager_options options, log::logger log)
    : cluster_(std::move(c)), options_(std::move(options)), log_(std::move(log))
{
}

void offset_manager::commit(std::map<std::int32_t, std::int64_t> offsets, commit_handler handler)
{
    commit(std::move(offsets), std::chrono::steady_clock::time_point::max(), std::move(handler));
}

void offset_manager::commit(std::map<std::int32_t, std::int64_t> offsets, std::chrono::steady_clock::time_point send_by,
                            commit_handler handler)
{
    operation op;
    op.is_commit = true;
    op.offsets = std::move(offsets);
    op.send_by = send_by;
    op.on_commit = std::move(handler);
    start(std::move(op));
}

void offset_manager::commit_as_member(group_member_identity member, std::map<std::int32_t, std::int64_t> offsets,
                                      commit_handler handler)
{
    operation op;
    op.is_commit = true;
    op.offsets = std::move(offsets);
    op.member = std::move(member);
    op.on_commit = std::move(handler);
    start(std::move(op));
}

void offset_manager::fetch_committed(std::vector<std::int32_t> partitions, committed_handler handler)
{
    operation op;
    op.partitions = std::move(partitions);
    op.on_committed = std::move(handler);
    start(std::move(op));
}

void offset_manager::start(operation op)
{
    std::uint64_t id = next_id_++;
    op.deadline = std::chrono::steady_clock::now() + options_.request_timeout;
    op.timer = std::make_shared<boost::asio::steady_timer>(cluster_->executor());
    bool is_commit = op.is_commit;
    bool empty = is_commit ? op.offsets.empty() : op.partitions.empty();
    operations_.emplace(id, std::move(op));
    std::error_code early;
    if (stopped_) {
        early = make_error_code(errc::shut_down);
    } else if (options_.group_id.empty()) {
        early = make_error_code(consumer_errc::no_group);
    }
    if (early || empty) {
        // Complete on the executor, never inside the caller's call.
        boost::asio::post(cluster_->executor(), [weak = weak_from_this(), id, early] {
            if (auto self = weak.lock()) self->finish(id, early);
        });
        return;
    }
    if (is_commit) {
        commits_in_order_.push_back(id);
        if (commits_in_order_.size() > 1) return; // sent once the commits made before it are done
    }
    post_attempt(id);
}

void offset_manager::post_attempt(std::uint64_t id)
{
    boost::asio::post(cluster_->executor(), [weak = weak_from_this(), id] {
        if (auto self = weak.lock()) self->attempt(id);
    });
}

void offset_manager::attempt(std::uint64_t id)
{
    if (stopped_ || !operations_.contains(id)) return;
    cluster_->find_coordinator(options_.group_id,
                               [weak = weak_from_this(), id](std::error_code ec, std::shared_ptr<broker> coordinator) {
                                   auto self = weak.lock();
                                   if (!self || self->stopped_ || !self->operations_.contains(id)) return;
                                   if (ec && ec.category() == wire::broker_category()) {
                                       std::int16_t code = static_cast<std::int16_t>(ec.value());
                                       auto verdict = offsets_response_verdict(wire::api_key::find_coordinator,
                                                                               {&code, 1});
                                       self->on_verdict(id, verdict, {});
                                       return;
                                   }
                                   if (ec) {
                                       self->retry_later(id, ec, true);
                                       return;
                                   }
                                   self->send(id, coordinator);
                               });
}

void offset_manager::send(std::uint64_t id, const std::shared_ptr<broker>& coordinator)
{
    auto& op = operations_.at(id);
    if (op.is_commit && std::chrono::steady_clock::now() >= op.send_by) {
        finish(id, make_error_code(consumer_errc::commit_window_closed));
        return;
    }
    if (op.is_commit) {
        messages::offset_commit_request req;
        req.group_id = options_.group_id;
        if (op.member) {
            req.generation_id = op.member->generation_id;
            req.member_id = op.member->member_id;
            req.group_instance_id = op.member->group_instance_id;
        }
        req.retention_time_ms = -1;
        messages::offset_commit_topic topic{options_.topic, {}};
        for (const auto& [partition, offset] : op.offsets) {
            messages::offset_commit_partition p;
            p.partition_index = partition;
            p.committed_offset = offset;
            p.committed_metadata = std::string();
            topic.partitions.push_back(p);
        }
        req.topics.push_back(std::move(topic));
        coordinator->request<messages::offset_commit_request, messages::offset_commit_response>(
            wire::api_key::offset_commit, std::move(req), options_.request_timeout,
            [weak = weak_from_this(), id, as_member = op.member.has_value()](
                std::error_code ec, response<messages::offset_commit_response> resp) {
                auto self = weak.lock();
                if (!self || self->stopped_ || !self->operations_.contains(id)) return;
                if (ec) {
                    self->retry_later(id, ec, true);
                    return;
                }
                std::vector<std::int16_t> codes;
                for (const auto& t : resp.body.topics) {
                    for (const auto& p : t.partitions) codes.push_back(p.error_code);
                }
                self->on_verdict(id,
                                 as_member ? member_commit_verdict(codes)
                                           : offsets_response_verdict(wire::api_key::offset_commit, codes),
                                 {});
            });
        return;
    }
    messages::offset_fetch_request req;
    req.group_id = options_.group_id;
    req.topics = std::vector<messages::offset_fetch_topic>{{options_.topic, op.partitions}};
    coordinator->request<messages::offset_fetch_request, messages::offset_fetch_response>(
        wire::api_key::offset_fetch, std::move(req), options_.request_timeout,
        [weak = weak_from_this(), id](std::error_code ec, response<messages::offset_fetch_response> resp) {
            auto self = weak.lock();
            if (!self || self->stopped_ || !self->operations_.contains(id)) return;
            if (ec) {
                self->retry_later(id, ec, true);
                return;
            }
            std::map<std::int32_t, std::int64_t> result;
            for (std::int32_t p : self->operations_.at(id).partitions) result[p] = -1;
            std::vector<std::int16_t> codes{resp.body.error_code};
            for (const auto& t : resp.body.topics) {
                if (t.name != self->options_.topic) continue;
                for (const auto& p : t.partitions) {
                    codes.push_back(p.error_code);
                    if (auto it = result.find(p.partition_index); it != result.end() && p.error_code == 0) {
                        it->second = p.committed_offset < 0 ? -1 : p.committed_offset;
                    }
                }
            }
            self->on_verdict(id, offsets_response_verdict(wire::api_key::offset_fetch, codes), std::move(result));
        });
}

void offset_manager::on_verdict(std::uint64_t id, offsets_verdict verdict, std::map<std::int32_t, std::int64_t> result)
{
    auto ec = wire::make_broker_error(verdict.code);
    switch (verdict.action) {
    case wire::error_action::none:
        finish(id, {}, std::move(result));
        return;
    case wire::error_action::find_coordinator:
        retry_later(id, ec, true);
        return;
    case wire::error_action::rejoin:
        finish(id, ec); // fenced: the member rejoins, and its owner hears why
        return;
    case wire::error_action::fatal:
        log_.error("group " + options_.group_id + " topic " + options_.topic + ": " + ec.message());
        finish(id, ec);
        return;
    default:
        retry_later(id, ec, false);
        return;
    }
}

void offset_manager::retry_later(std::uint64_t id, std::error_code why, bool find_coordinator_again)
{
    auto& op = operations_.at(id);
    if (find_coordinator_again) cluster_->invalidate_coordinator(options_.group_id);
    auto at = std::chrono::steady_clock::now() + options_.retry_backoff;
    if (at >= op.send_by) {
        finish(id, make_error_code(consumer_errc::commit_window_closed));
        return;
    }
    if (at >= op.deadline) {
        log_.warning("group " + options_.group_id + ": giving up on " +
                     (op.is_commit ? "offset commit" : "committed offset lookup") + ": " + why.message());
        finish(id, why);
        return;
    }
    log_.debug("group " + options_.group_id + ": " + (op.is_commit ? "offset commit" : "committed offset lookup") +
               " will be retried: " + why.message());
    op.timer->expires_at(at);
    op.timer->async_wait([weak = weak_from_this(), id](std::error_code ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        self->attempt(id);
    });
}

void offset_manager::finish(std::uint64_t id, std::error_code ec, std::map<std::int32_t, std::int64_t> result)
{
    auto it = operations_.find(id);
    if (it == operations_.end()) return;
    operation op = std::move(it->second);
    operations_.erase(it);
    if (op.is_commit) {
        bool was_under_way = !commits_in_order_.empty() && commits_in_order_.front() == id;
        std::erase(commits_in_order_, id);
        if (was_under_way && !commits_in_order_.empty()) post_attempt(commits_in_order_.front());
        op.on_commit(ec);
    } else {
        if (ec) result.clear();
        op.on_committed(ec, std::move(result));
    }
}

void offset_manager::stop()
{
    stopped_ = true;
    auto pending = std::move(operations_);
    operations_.clear();
    commits_in_order_.clear();
    auto ec = make_error_code(errc::shut_down);
    for (auto& [id, op] : pending) {
        op.timer->cancel();
        if (op.is_commit) {
            boost::asio::post(cluster_->executor(), [h = std::move(op.on_commit), ec] { h(ec); });
        } else {
            boost::asio::post(cluster_->executor(), [h = std::move(op.on_committed), ec] { h(ec, {}); });
        }
    }
}

} // namespace kspout::io
