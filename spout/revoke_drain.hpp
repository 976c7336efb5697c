// Partitions a rebalance takes away wait briefly for the acks of their tuples still in flight.
#pragma once

#include "spout/offset_book.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kspout::spout {

// When a rebalance revokes partitions, the balanced consumer has already stopped handing out
// their records. Committing at once would leave every tuple still in flight to the next owner,
// which reads it again. A drain holds the last commit (and so the release) until none of the
// partitions has a tuple waiting for its ack or fail, or until the limit passes. A failed tuple
// is not waited for: it is not replayed here, the next owner reads it. A revoke that comes while
// a drain runs joins it, keeping its deadline. Time is passed in: the owner arms a timer for
// deadline() and calls expire() when it fires.
class revoke_drain {
public:
    using time_point = std::chrono::steady_clock::time_point;

    // Runs `then` once the partitions settle in `book` (at once if they already have), or once
    // expire() is called past now + limit.
    void start(std::string topic, std::vector<std::int32_t> partitions, std::chrono::milliseconds limit,
               const offset_book& book, time_point now, std::function<void()> then);
    // After an ack or fail: ends the drain if its partitions have settled.
    void check(const offset_book& book);
    // Ends the drain if its deadline has come.
    void expire(time_point now);
    // Ends the drain now (every `then` runs), e.g. when the spout stops and no acks will come.
    void end();

    bool active() const noexcept { return !thens_.empty(); }
    std::optional<time_point> deadline() const noexcept;

private:
    bool settled(const offset_book& book) const;

    std::string topic_;
    std::vector<std::int32_t> partitions_;
    std::vector<std::function<void()>> thens_;
    time_point deadline_{};
};

} // namespace kspout::spout
