// simple_consumer: how assigned partitions find where to start: committed offsets, then ListOffsets.
#include "protocol/io/simple_consumer.hpp"

#include "protocol/error/error_kind.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/messages/list_offsets.hpp"

namespace kspout::io {
namespace {

using clock = std::chrono::steady_clock;

// The librdkafka 2.0.2 mock writes ListOffsets v4/v5 replies with an 8-byte leader epoch.
constexpr std::int16_t list_offsets_max_version = 3;

} // namespace

void simple_consumer::lookup_committed(std::vector<std::int32_t> ids)
{
    std::vector<std::pair<std::int32_t, std::uint64_t>> sent;
    for (std::int32_t id : ids) {
        auto& p = partitions_.at(id);
        p.in_flight = true;
        sent.emplace_back(id, p.epoch);
    }
    offsets_->fetch_committed(std::move(ids), [weak = weak_from_this(), sent](
                                                  std::error_code ec, std::map<std::int32_t, std::int64_t> result) {
        auto self = weak.lock();
        if (!self || self->stopped_) return;
        auto now = clock::now();
        for (auto [id, epoch] : sent) {
            auto* p = self->find(id);
            if (!p || p->epoch != epoch) continue;
            p->in_flight = false;
            if (p->phase != partition_phase::awaiting_committed) continue;
            std::string at = partition_label(self->options_.topic, id);
            if (ec) {
                // A malformed answer may come out right on another try; the rest of what is fatal will not.
                if (ec == error_kind::fatal && ec.category() != wire::wire_category()) {
                    p->phase = partition_phase::stopped;
                } else {
                    p->not_before = now + self->options_.retry_backoff;
                }
                self->report(*p, ec, at + ": committed offset lookup for group " + self->options_.group_id +
                                         " failed: " + ec.message());
                continue;
            }
            std::int64_t committed = result.contains(id) ? result.at(id) : -1;
            if (committed >= 0) {
                p->phase = partition_phase::active;
                p->fetch_offset = committed;
                self->log_.info(at + " starts at committed offset " + std::to_string(committed));
            } else {
                self->start_reset(*p, "no committed offset for group " + self->options_.group_id);
            }
        }
        self->request_schedule();
    });
}

void simple_consumer::send_list_offsets(const std::shared_ptr<broker>& leader, std::vector<std::int32_t> ids)
{
    messages::list_offsets_request req;
    req.isolation = options_.isolation;
    messages::list_offsets_topic topic{options_.topic, {}};
    std::vector<std::pair<std::int32_t, std::uint64_t>> sent;
    std::int64_t timestamp = options_.auto_offset_reset == offset_reset::earliest
                                 ? messages::earliest_offset_timestamp
                                 : messages::latest_offset_timestamp;
    for (std::int32_t id : ids) {
        auto& p = partitions_.at(id);
        p.in_flight = true;
        sent.emplace_back(id, p.epoch);
        topic.partitions.push_back({id, -1, timestamp, 1});
    }
    req.topics.push_back(std::move(topic));
    leader->request<messages::list_offsets_request, messages::list_offsets_response>(
        wire::api_key::list_offsets, std::move(req), options_.request_timeout,
        [weak = weak_from_this(), sent](std::error_code ec, response<messages::list_offsets_response> resp) {
            auto self = weak.lock();
            if (!self || self->stopped_) return;
            self->on_list_offsets(sent, ec, resp);
        },
        list_offsets_max_version);
}

void simple_consumer::on_list_offsets(const std::vector<std::pair<std::int32_t, std::uint64_t>>& sent,
                                      std::error_code ec, const response<messages::list_offsets_response>& resp)
{
    auto now = clock::now();
    bool refresh = false;
    std::map<std::int32_t, const messages::list_offsets_partition_response*> entries;
    for (const auto& t : resp.body.topics) {
        if (t.name != options_.topic) continue;
        for (const auto& e : t.partitions) entries[e.partition_index] = &e;
    }
    if (ec) log_.info("ListOffsets for topic " + options_.topic + " failed: " + ec.message());
    for (auto [id, epoch] : sent) {
        auto* p = find(id);
        if (!p || p->epoch != epoch) continue;
        p->in_flight = false;
        if (p->phase != partition_phase::awaiting_reset) continue;
        auto it = entries.find(id);
        if (ec || it == entries.end()) {
            p->not_before = now + options_.retry_backoff;
            refresh |= bool(ec);
            continue;
        }
        const auto& e = *it->second;
        std::string at = partition_label(options_.topic, id);
        switch (wire::broker_error_action(wire::api_key::list_offsets, e.error_code)) {
        case wire::error_action::none: {
            std::int64_t offset = resp.version == 0 ? (e.old_style_offsets.empty() ? -1 : e.old_style_offsets.front())
                                                    : e.offset;
            if (offset < 0) {
                log_.warning(at + ": ListOffsets returned no offset; retrying");
                p->not_before = now + options_.retry_backoff;
                break;
            }
            p->phase = partition_phase::active;
            p->fetch_offset = offset;
            log_.info(at + " reset to offset " + std::to_string(offset) + " (" +
                      (options_.auto_offset_reset == offset_reset::earliest ? "earliest" : "latest") + ")");
            break;
        }
        case wire::error_action::fatal:
            p->phase = partition_phase::stopped;
            report(*p, wire::make_broker_error(e.error_code),
                   at + ": ListOffsets failed: " + wire::make_broker_error(e.error_code).message());
            break;
        case wire::error_action::refresh_metadata:
            refresh = true;
            [[fallthrough]];
        default: // retry: the ListOffsets overrides leave no other action
            log_.info(at + ": ListOffsets error " + wire::make_broker_error(e.error_code).message() + "; retrying");
            p->not_before = now + options_.retry_backoff;
            break;
        }
    }
    if (refresh) refresh_metadata();
    request_schedule();
}

} // namespace kspout::io
