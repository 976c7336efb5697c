// Ack-after-delivery bookkeeping: tuples whose records are in flight or wait for room, and what Storm is told.
#pragma once

#include "spout/bolt/record_mapping.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kspout::spout::bolt {

// Every admitted tuple ends exactly once: acked when the broker acknowledged its record, failed
// when the producer refused or gave up on it (or the bolt stopped before the broker answered).
// At most max_in_flight records are with the producer; later tuples wait their turn in order.
// No I/O and no clock: the bolt hands in what happened and does what the book answers.
class delivery_book {
public:
    explicit delivery_book(std::size_t max_in_flight);

    struct sendable {
        std::uint64_t ticket = 0; // settle() takes it back
        std::string tuple_id;
        outgoing_record record;
    };
    struct verdict {
        std::string tuple_id;
        bool ack = false;
    };

    void admit(std::string tuple_id, outgoing_record record);
    // The waiting tuples that fit under the bound now, oldest first, each counted in flight.
    std::vector<sendable> take_sendable();
    // Every waiting tuple, bound or not: when stopping, what is in hand still goes out.
    std::vector<sendable> take_all();
    // The producer had no room for it (its buffer is full): back to the front of the line, to
    // go out again once a record in flight settles.
    void put_back(sendable item);
    // The outcome of a ticket's record; nullopt for a ticket not in flight (settled already).
    std::optional<verdict> settle(std::uint64_t ticket, bool delivered);

    std::size_t in_flight() const noexcept { return in_flight_.size(); }
    std::size_t waiting() const noexcept { return waiting_.size(); }
    // As many tuples in hand as the bound: time to stop reading Storm's input.
    bool full() const noexcept { return in_flight_.size() + waiting_.size() >= max_in_flight_; }
    bool idle() const noexcept { return in_flight_.empty() && waiting_.empty(); }
    std::uint64_t acked() const noexcept { return acked_; }
    std::uint64_t failed() const noexcept { return failed_; }

private:
    std::vector<sendable> take(std::size_t limit);

    std::size_t max_in_flight_;
    std::deque<sendable> waiting_;
    std::map<std::uint64_t, std::string> in_flight_; // ticket -> tuple id
    std::uint64_t next_ticket_ = 0;
    std::uint64_t acked_ = 0;
    std::uint64_t failed_ = 0;
};

} // namespace kspout::spout::bolt
