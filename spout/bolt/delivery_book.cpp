// delivery_book: tickets in flight, the waiting line, and one verdict per ticket.
#include "spout/bolt/delivery_book.hpp"

#include <limits>

namespace kspout::spout::bolt {

delivery_book::delivery_book(std::size_t max_in_flight) : max_in_flight_(max_in_flight == 0 ? 1 : max_in_flight) {}

void delivery_book::admit(std::string tuple_id, outgoing_record record)
{
    waiting_.push_back({next_ticket_++, std::move(tuple_id), std::move(record)});
}

std::vector<delivery_book::sendable> delivery_book::take_sendable()
{
    std::size_t room = max_in_flight_ > in_flight_.size() ? max_in_flight_ - in_flight_.size() : 0;
    return take(room);
}

std::vector<delivery_book::sendable> delivery_book::take_all()
{
    return take(std::numeric_limits<std::size_t>::max());
}

std::vector<delivery_book::sendable> delivery_book::take(std::size_t limit)
{
    std::vector<sendable> out;
    while (!waiting_.empty() && out.size() < limit) {
        out.push_back(std::move(waiting_.front()));
        waiting_.pop_front();
        in_flight_.emplace(out.back().ticket, out.back().tuple_id);
    }
    return out;
}

void delivery_book::put_back(sendable item)
{
    if (in_flight_.erase(item.ticket) == 0) return;
    waiting_.push_front(std::move(item));
}

std::optional<delivery_book::verdict> delivery_book::settle(std::uint64_t ticket, bool delivered)
{
    auto it = in_flight_.find(ticket);
    if (it == in_flight_.end()) return std::nullopt;
    verdict v{std::move(it->second), delivered};
    in_flight_.erase(it);
    ++(delivered ? acked_ : failed_);
    return v;
}

} // namespace kspout::spout::bolt
