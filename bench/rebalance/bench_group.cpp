// bench_group: in-process members of a benchmarked group, their ownership, duplicates and deliveries.
#include "bench/rebalance/bench_group.hpp"

#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace kspout::bench {

namespace {

// KSPOUT_BENCH_LOG=info (or warning) shows the members' own logs on stderr, each line with its member's number.
log::logger member_log(std::size_t number)
{
    log::logger log;
    const char* wanted = std::getenv("KSPOUT_BENCH_LOG");
    if (!wanted)
        return log;
    log.threshold = std::string_view(wanted) == "info" ? log::log_level::info : log::log_level::warning;
    log.sink = [number](log::log_level level, std::string_view text) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now().time_since_epoch()).count();
        std::fprintf(stderr, "%lld member %zu %s: %.*s\n", static_cast<long long>(ms), number,
                     std::string(log::level_name(level)).c_str(), static_cast<int>(text.size()), text.data());
    };
    return log;
}

} // namespace

struct bench_group::member {
    std::shared_ptr<kspout::member::group_member> consumer;
    std::set<std::int32_t> live;
    std::map<std::int32_t, std::int64_t> consumed; // next offset to read
};

bench_group::bench_group(boost::asio::io_context& ioc, testing::member_setup setup, int partitions,
                         std::chrono::milliseconds commit_interval)
    : ioc_(ioc), setup_(std::move(setup)), partitions_(partitions), commit_interval_(commit_interval),
      commit_timer_(ioc)
{
    commit_tick();
}

bench_group::~bench_group()
{
    commit_timer_.cancel();
}

void bench_group::add(std::optional<std::string> instance_id)
{
    auto m = std::make_unique<member>();
    member* raw = m.get();
    kspout::member::member_listener l;
    l.on_assigned = [this, raw](const std::map<std::int32_t, std::int64_t>& starts) {
        ++counters_.changes;
        for (const auto& [p, offset] : starts) {
            if (auto it = owner_.find(p); it != owner_.end() && it->second != raw)
                ++counters_.two_owners;
            owner_[p] = raw;
            raw->live.insert(p);
            raw->consumed[p] = offset;
        }
    };
    l.on_revoking = [this, raw](const std::vector<std::int32_t>& partitions, std::function<void()> done) {
        ++counters_.changes;
        std::map<std::int32_t, std::int64_t> offsets;
        for (std::int32_t p : partitions) {
            raw->live.erase(p);
            if (auto it = owner_.find(p); it != owner_.end() && it->second == raw)
                owner_.erase(it);
            if (auto it = raw->consumed.find(p); it != raw->consumed.end())
                offsets[p] = it->second;
        }
        if (offsets.empty()) {
            done();
            return;
        }
        raw->consumer->commit(offsets, [done = std::move(done)](std::error_code) { done(); });
    };
    l.on_error = [](std::error_code, const std::string& what) { std::fprintf(stderr, "member error: %s\n", what.c_str()); };
    testing::member_setup setup = setup_;
    setup.instance_id = std::move(instance_id);
    m->consumer = kspout::member::make_group_member(ioc_.get_executor(), testing::make_member_options(setup), std::move(l),
                                                    member_log(members_.size()));
    m->consumer->start();
    members_.push_back(std::move(m));
}

void bench_group::stop_all()
{
    std::size_t stopped = 0;
    for (auto& m : members_)
        m->consumer->stop([&stopped] { ++stopped; });
    auto deadline = clock_type::now() + std::chrono::seconds(60);
    while (stopped < members_.size() && clock_type::now() < deadline)
        pump(std::chrono::milliseconds(10));
    members_.clear();
    owner_.clear();
    last_message_.clear();
}

void bench_group::commit_tick()
{
    if (commit_interval_.count() <= 0)
        return;
    commit_timer_.expires_after(commit_interval_);
    commit_timer_.async_wait([this](std::error_code ec) {
        if (ec)
            return;
        for (auto& m : members_) {
            std::map<std::int32_t, std::int64_t> offsets;
            for (std::int32_t p : m->live)
                if (auto it = m->consumed.find(p); it != m->consumed.end())
                    offsets[p] = it->second;
            if (!offsets.empty())
                m->consumer->commit(offsets, [](std::error_code) {});
        }
        commit_tick();
    });
}

void bench_group::note(std::int32_t partition, std::int64_t offset)
{
    auto [it, first] = highest_consumed_.try_emplace(partition, offset);
    if (!first) {
        if (offset <= it->second)
            ++counters_.duplicates;
        else
            it->second = offset;
    }
}

void bench_group::consumed_elsewhere(std::int32_t partition, std::int64_t offset, clock_type::time_point at)
{
    note(partition, offset);
    auto& last = last_message_[partition];
    last = std::max(last, at);
}

void bench_group::pump(std::chrono::milliseconds slice)
{
    ioc_.restart();
    ioc_.run_for(slice);
    auto now = clock_type::now();
    for (auto& m : members_) {
        for (;;) {
            auto batch = m->consumer->poll(1000);
            if (batch.empty())
                break;
            for (const auto& msg : batch) {
                auto& next = m->consumed[msg.partition];
                next = std::max(next, msg.offset + 1);
                note(msg.partition, msg.offset);
                last_message_[msg.partition] = now;
            }
        }
    }
}

std::size_t bench_group::owned_here() const
{
    std::size_t held = 0;
    for (const auto& m : members_)
        held += m->live.size();
    return held;
}

bool bench_group::all_owned() const
{
    if (members_.empty())
        return false;
    std::size_t total = 0;
    std::set<std::int32_t> all;
    std::size_t low = static_cast<std::size_t>(partitions_) / members_.size();
    for (const auto& m : members_) {
        if (m->live.size() < low || m->live.size() > low + 1)
            return false;
        total += m->live.size();
        all.insert(m->live.begin(), m->live.end());
    }
    return total == all.size() && all.size() == static_cast<std::size_t>(partitions_);
}

bool bench_group::delivered_all_since(clock_type::time_point t) const
{
    for (int p = 0; p < partitions_; ++p) {
        auto it = last_message_.find(p);
        if (it == last_message_.end() || it->second <= t)
            return false;
    }
    return true;
}

std::string bench_group::why_not_consuming(clock_type::time_point t) const
{
    std::size_t smallest = SIZE_MAX, largest = 0;
    std::set<std::int32_t> owned;
    for (const auto& m : members_) {
        smallest = std::min(smallest, m->live.size());
        largest = std::max(largest, m->live.size());
        owned.insert(m->live.begin(), m->live.end());
    }
    int silent = 0;
    for (int p = 0; p < partitions_; ++p) {
        auto it = last_message_.find(p);
        silent += it == last_message_.end() || it->second <= t ? 1 : 0;
    }
    return std::to_string(members_.size()) + " members hold " + std::to_string(owned_here()) + " (" +
           std::to_string(owned.size()) + " distinct) of " + std::to_string(partitions_) + " partitions, " +
           std::to_string(smallest) + " to " + std::to_string(largest) + " each; " + std::to_string(silent) +
           " partitions delivered nothing since the event";
}

} // namespace kspout::bench
