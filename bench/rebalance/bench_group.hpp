// The members of one benchmarked group in this process: who owns what, what was consumed twice, and when each partition last delivered.
#pragma once

#include "protocol/member/group_member.hpp"
#include "tests/support/member_setup.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace kspout::bench {

using clock_type = std::chrono::steady_clock;

// One group's members in this process, all on one io_context. Each commits what it consumed every
// commit interval and in on_revoking, as the spout commits what Storm acked. Ownership is checked
// at every callback: a partition assigned while another member still holds it counts as two owners.
class bench_group {
public:
    bench_group(boost::asio::io_context& ioc, testing::member_setup setup, int partitions,
                std::chrono::milliseconds commit_interval);
    ~bench_group();

    // A new member, started; `instance_id` makes it static (broker modes).
    void add(std::optional<std::string> instance_id = std::nullopt);
    void stop_all(); // runs the io_context until every member has stopped

    // Runs the io_context for `slice`, then drains every member's messages.
    void pump(std::chrono::milliseconds slice = std::chrono::milliseconds(2));
    // A message another member (a process) consumed at `at`: counted like the members' own.
    void consumed_elsewhere(std::int32_t partition, std::int64_t offset, clock_type::time_point at);

    std::size_t size() const { return members_.size(); }
    int partitions() const { return partitions_; }
    std::size_t owned_here() const;
    // Every partition held by exactly one member here, each with a fair share (within one).
    bool all_owned() const;
    // Every partition delivered a message after t (here or elsewhere).
    bool delivered_all_since(clock_type::time_point t) const;
    // Why all_consuming_since(t) is false, in one line (for a run that did not finish).
    std::string why_not_consuming(clock_type::time_point t) const;
    // all_owned, and delivered_all_since(t).
    bool all_consuming_since(clock_type::time_point t) const { return all_owned() && delivered_all_since(t); }

    // Counters since the last reset_counters().
    struct counters {
        std::size_t duplicates = 0;   // messages at or below an offset some member had consumed
        std::size_t changes = 0;      // on_assigned and on_revoking calls (a rebalance round each, per member)
        std::size_t two_owners = 0;   // partitions assigned while another member held them
    };
    const counters& seen() const { return counters_; }
    void reset_counters() { counters_ = {}; }

private:
    struct member;

    void commit_tick();
    void note(std::int32_t partition, std::int64_t offset);

    boost::asio::io_context& ioc_;
    testing::member_setup setup_;
    int partitions_;
    std::chrono::milliseconds commit_interval_;
    boost::asio::steady_timer commit_timer_;
    std::vector<std::unique_ptr<member>> members_;
    std::map<std::int32_t, const member*> owner_;
    std::map<std::int32_t, std::int64_t> highest_consumed_;
    std::map<std::int32_t, clock_type::time_point> last_message_;
    counters counters_;
};

} // namespace kspout::bench
