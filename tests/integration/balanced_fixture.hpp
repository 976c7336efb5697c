// Fixture of the balanced consumer tests: a ZooKeeper server, a mock Kafka cluster, members on one
// io_context that commit what they consumed when revoked, and a record of who returned what, when.
#pragma once

#include "protocol/balanced/balanced_consumer.hpp"
#include "protocol/group/paths.hpp"
#include "protocol/io/producer.hpp"
#include "protocol/zk/zk_client.hpp"
#include "tests/integration/mock_cluster.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/run_until.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kspout::balanced::testing {

using namespace std::chrono_literals;
using kspout::testing::run_for;
using kspout::testing::run_until;

// One stretch during which a member held a partition: from on_assigned to on_revoking, with the
// sequence numbers of the first and last message it returned in between (0: none).
struct ownership_segment {
    std::string member;
    std::int64_t start_offset = -1;
    std::uint64_t first_message = 0;
    std::uint64_t last_message = 0;
    bool open = true;
    std::int64_t first_ms = 0; // since the fixture was made, for failure messages
    std::int64_t last_ms = 0;
};

struct member {
    std::string name;
    std::shared_ptr<balanced_consumer> consumer;
    std::set<std::int32_t> live;                   // between on_assigned and on_revoking
    std::map<std::int32_t, std::int64_t> consumed; // partition -> next offset to process, this stretch
    std::vector<std::pair<std::error_code, std::string>> errors;
    std::vector<std::error_code> commit_results;
    int revocations = 0;
    int assignments = 0;
    std::vector<std::vector<std::int32_t>> revoked; // the partitions of each on_revoking
    bool stopped = false;
    bool hold_revocations = false;                     // keep done() until the test lets go
    std::vector<std::function<void()>> held_dones;

    bool saw_error(std::error_code code) const
    {
        for (const auto& [ec, what] : errors)
            if (ec == code)
                return true;
        return false;
    }
};

class BalancedFixture : public ::testing::Test {
protected:
    static constexpr const char* group = "kspout-balanced";

    std::unique_ptr<kspout::testing::zookeeper_server> zookeeper;
    std::unique_ptr<kspout::testing::mock_cluster> mock;
    boost::asio::io_context ioc;
    std::vector<std::string> logs;
    std::vector<std::unique_ptr<member>> members;
    std::map<std::pair<std::int32_t, std::int64_t>, int> seen; // (partition, offset) -> times returned
    std::map<std::int32_t, std::vector<ownership_segment>> segments;
    std::vector<std::string> violations; // messages returned outside an ownership segment
    std::map<std::int32_t, std::int64_t> produced;                 // partition -> messages produced
    std::uint64_t sequence = 0;
    std::chrono::steady_clock::time_point created_ = std::chrono::steady_clock::now();
    std::unique_ptr<zk::client> observer;
    std::optional<zk::auth_data> observer_auth; // for groups whose znodes are ACL'd

private:
    void trickle_tick(const std::string& topic, int partitions, std::chrono::milliseconds every)
    {
        for (int p = 0; p < partitions; ++p) {
            std::error_code ec = trickle_->produce(
                topic, p, "t" + std::to_string(p), "trickled to " + std::to_string(p), {}, std::nullopt,
                [this](std::error_code dec, std::int32_t partition, std::int64_t offset) {
                    if (dec)
                        trickle_errors_.push_back(dec.message());
                    else
                        produced[partition] = std::max(produced[partition], offset + 1);
                });
            if (ec)
                trickle_errors_.push_back(ec.message());
        }
        trickle_timer_->expires_after(every);
        trickle_timer_->async_wait([this, topic, partitions, every](std::error_code ec) {
            if (!ec && trickle_)
                trickle_tick(topic, partitions, every);
        });
    }

    std::shared_ptr<io::cluster> trickle_cluster_;
    std::shared_ptr<io::producer> trickle_;
    std::unique_ptr<boost::asio::steady_timer> trickle_timer_;
    std::vector<std::string> trickle_errors_;

protected:

    void SetUp() override
    {
        kspout::testing::ignore_sigpipe();
        zookeeper = std::make_unique<kspout::testing::zookeeper_server>();
        mock = std::make_unique<kspout::testing::mock_cluster>(3);
    }

    void TearDown() override
    {
        stop_trickle();
        if (HasFailure() || std::getenv("KSPOUT_TEST_LOGS")) {
            for (const auto& line : logs)
                std::cerr << "log: " << line << "\n";
        }
        for (auto& m : members) {
            for (auto& d : m->held_dones)
                d();
            m->held_dones.clear();
            m->hold_revocations = false;
            if (!m->stopped && m->consumer) {
                bool done = false;
                m->consumer->stop([&] { done = true; });
                run_until(ioc, [&] { return done; }, 10s);
            }
        }
        members.clear();
        observer.reset();
        ioc.restart();
        ioc.poll(); // runs the posted shut-down handlers
    }

    log::logger logger_for(const std::string& who)
    {
        log::logger log;
        log.threshold = log::log_level::info;
        log.sink = [this, who](log::log_level level, std::string_view text) {
            auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - created_)
                          .count();
            logs.push_back(who + " " + std::string(log::level_name(level)) + ": " + std::string(text) + " [" +
                           std::to_string(ms) + " ms]");
        };
        return log;
    }

    io::cluster_options cluster_options()
    {
        io::cluster_options o;
        o.bootstrap_servers = {mock->bootstrap()};
        o.request_timeout = 5s;
        o.broker.reconnect_backoff = 20ms;
        o.broker.reconnect_backoff_max = 200ms;
        o.broker.connect_timeout = 2s;
        o.broker.api_versions_timeout = 2s;
        return o;
    }

    balanced_options options_for(const std::string& topic)
    {
        balanced_options o;
        o.topic = topic;
        o.group_id = group;
        o.zookeeper_connect = zookeeper->connect_string();
        // Long enough that a loaded machine does not expire sessions by accident; tests that
        // wait for a timeout shorten it.
        o.zookeeper_session_timeout = 6s;
        o.rebalance_backoff = 50ms;
        o.rebalance_backoff_max = 500ms;
        o.rebalance_deadline = 20s;
        o.metadata_check_interval = 300ms;
        o.consumer.auto_offset_reset = io::offset_reset::earliest;
        o.consumer.fetch_max_wait = 50ms;
        o.consumer.retry_backoff = 30ms;
        o.consumer.request_timeout = 5s;
        return o;
    }

    member& add_member(balanced_options o, io::cluster_options c = {})
    {
        if (c.bootstrap_servers.empty())
            c = cluster_options();
        auto m = std::make_unique<member>();
        m->name = "m" + std::to_string(members.size());
        member* raw = m.get();
        balanced_listener l;
        l.on_assigned = [this, raw](const std::map<std::int32_t, std::int64_t>& starts) {
            ++raw->assignments;
            for (const auto& [p, offset] : starts) {
                raw->live.insert(p);
                // What this stretch of ownership processes starts here; a commit of an older
                // stretch's position would move the group's offset back.
                raw->consumed[p] = offset;
                segments[p].push_back({raw->name, offset, 0, 0, true});
            }
        };
        l.on_revoking = [this, raw](const std::vector<std::int32_t>& partitions, std::function<void()> done) {
            ++raw->revocations;
            raw->revoked.push_back(partitions);
            std::map<std::int32_t, std::int64_t> offsets;
            for (std::int32_t p : partitions) {
                raw->live.erase(p);
                for (auto& s : segments[p])
                    if (s.member == raw->name)
                        s.open = false;
                if (auto it = raw->consumed.find(p); it != raw->consumed.end())
                    offsets[p] = it->second;
            }
            auto finish = [raw, done = std::move(done)]() mutable {
                if (raw->hold_revocations)
                    raw->held_dones.push_back(std::move(done));
                else
                    done();
            };
            if (offsets.empty()) {
                finish();
                return;
            }
            raw->consumer->commit(offsets, [raw, finish = std::move(finish)](std::error_code ec) mutable {
                raw->commit_results.push_back(ec);
                finish();
            });
        };
        l.on_error = [raw](std::error_code ec, const std::string& what) { raw->errors.emplace_back(ec, what); };
        m->consumer = balanced_consumer::create(ioc.get_executor(), c, std::move(o), std::move(l), logger_for(m->name));
        m->consumer->start();
        members.push_back(std::move(m));
        return *raw;
    }

    void stop_member(member& m)
    {
        bool done = false;
        m.consumer->stop([&] { done = true; });
        ASSERT_TRUE(run_until(ioc, [&] { return done; }, 20s)) << m.name << " did not stop";
        m.stopped = true;
        m.live.clear();
    }

    // Drains every running member's buffer once, recording what came back.
    void poll_members()
    {
        for (auto& m : members) {
            if (m->stopped)
                continue;
            for (;;) {
                auto batch = m->consumer->poll(200);
                if (batch.empty())
                    break;
                ++sequence;
                for (const auto& msg : batch) {
                    ++seen[{msg.partition, msg.offset}];
                    auto& next = m->consumed[msg.partition];
                    next = std::max(next, msg.offset + 1);
                    ownership_segment* open = nullptr;
                    for (auto& s : segments[msg.partition])
                        if (s.member == m->name && s.open)
                            open = &s;
                    if (!m->live.contains(msg.partition) || !open) {
                        violations.push_back(m->name + " returned partition " + std::to_string(msg.partition) +
                                             " offset " + std::to_string(msg.offset) + " without owning it");
                        continue;
                    }
                    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now() - created_)
                                  .count();
                    if (open->first_message == 0) {
                        open->first_message = sequence;
                        open->first_ms = ms;
                    }
                    open->last_message = sequence;
                    open->last_ms = ms;
                }
            }
        }
    }

    template <typename Predicate>
    bool drive_until(Predicate done, std::chrono::seconds limit = 30s)
    {
        return run_until(ioc, [&] {
            poll_members();
            return done();
        }, limit);
    }

    void drive_for(std::chrono::milliseconds duration)
    {
        auto until = std::chrono::steady_clock::now() + duration;
        drive_until([&] { return std::chrono::steady_clock::now() >= until; }, 60s);
    }

    std::vector<member*> running()
    {
        std::vector<member*> out;
        for (auto& m : members)
            if (!m->stopped)
                out.push_back(m.get());
        return out;
    }

    // Every partition of [0, partitions) is live at exactly one running member, and each holds
    // its fair share (the range assignment differs by at most one).
    bool settled(int partitions)
    {
        auto alive = running();
        if (alive.empty())
            return false;
        std::map<std::int32_t, int> holders;
        std::size_t low = static_cast<std::size_t>(partitions) / alive.size();
        for (member* m : alive) {
            if (m->live.size() < low || m->live.size() > low + 1)
                return false;
            if (m->consumer->owned() != std::vector<std::int32_t>(m->live.begin(), m->live.end()))
                return false;
            for (std::int32_t p : m->live)
                ++holders[p];
        }
        if (holders.size() != static_cast<std::size_t>(partitions))
            return false;
        for (const auto& [p, n] : holders)
            if (n != 1 || p < 0 || p >= partitions)
                return false;
        return true;
    }

    void produce(const std::string& topic, std::int32_t partition, int count)
    {
        std::string input;
        auto& have = produced[partition];
        for (int i = 0; i < count; ++i)
            input += "k" + std::to_string(have + i) + ":value " + std::to_string(have + i) + " of " +
                     std::to_string(partition) + "\n";
        auto result = kspout::testing::run_process({"kcat", "-b", mock->bootstrap(), "-P", "-t", topic, "-p",
                                                    std::to_string(partition), "-K:", "-X", "batch.num.messages=10"},
                                                   input);
        ASSERT_TRUE(result.ok()) << result.describe();
        have += count;
    }

    void produce_all(const std::string& topic, int partitions, int count)
    {
        for (int p = 0; p < partitions; ++p)
            produce(topic, p, count);
    }

    // Our producer on the same io_context, adding one message to every partition per tick while
    // the members run; produced[] follows the offsets it gets back.
    void start_trickle(const std::string& topic, int partitions, std::chrono::milliseconds every = 20ms)
    {
        io::producer_options o;
        o.acks = 1;
        o.linger = 1ms;
        o.retry_backoff = 30ms;
        o.request_timeout = 5s;
        o.delivery_timeout = 20s;
        trickle_cluster_ = io::cluster::create(ioc.get_executor(), cluster_options(), logger_for("producer"));
        trickle_ = io::producer::create(trickle_cluster_, o, logger_for("producer"));
        trickle_timer_ = std::make_unique<boost::asio::steady_timer>(ioc);
        trickle_tick(topic, partitions, every);
    }

    // Stops adding, and waits until everything added so far is acknowledged.
    void stop_trickle()
    {
        if (!trickle_)
            return;
        trickle_timer_->cancel();
        bool flushed = false;
        trickle_->flush([&](std::error_code) { flushed = true; });
        EXPECT_TRUE(run_until(ioc, [&] { return flushed; }));
        trickle_->stop();
        trickle_cluster_->shut_down();
        trickle_.reset();
        trickle_cluster_.reset();
        EXPECT_TRUE(trickle_errors_.empty()) << trickle_errors_.front();
    }

    std::size_t produced_total() const
    {
        std::size_t n = 0;
        for (const auto& [p, count] : produced)
            n += static_cast<std::size_t>(count);
        return n;
    }

    bool everything_seen() const
    {
        for (const auto& [p, count] : produced)
            for (std::int64_t o = 0; o < count; ++o)
                if (!seen.contains({p, o}))
                    return false;
        return true;
    }

    // Nothing produced is missing; with exactly_once, nothing came twice either.
    void expect_consumed(bool exactly_once)
    {
        for (const auto& [p, count] : produced) {
            for (std::int64_t o = 0; o < count; ++o) {
                auto it = seen.find({p, o});
                ASSERT_TRUE(it != seen.end()) << "partition " << p << " offset " << o << " never consumed";
                if (exactly_once) {
                    EXPECT_EQ(it->second, 1) << "partition " << p << " offset " << o;
                }
            }
        }
        for (const auto& [key, n] : seen)
            EXPECT_LT(key.second, produced[key.first]) << "partition " << key.first << " offset " << key.second;
    }

    // Messages of one partition were never returned by two members at the same time: the spans
    // [first, last message] of different members' segments do not overlap.
    void expect_no_concurrent_consumption()
    {
        EXPECT_TRUE(violations.empty()) << violations.front();
        for (const auto& [p, list] : segments) {
            std::vector<const ownership_segment*> used;
            for (const auto& s : list)
                if (s.first_message != 0)
                    used.push_back(&s);
            for (std::size_t i = 0; i < used.size(); ++i)
                for (std::size_t j = i + 1; j < used.size(); ++j) {
                    if (used[i]->member == used[j]->member)
                        continue;
                    bool apart = used[i]->last_message < used[j]->first_message ||
                                 used[j]->last_message < used[i]->first_message;
                    EXPECT_TRUE(apart) << "partition " << p << ": " << used[i]->member << " ["
                                       << used[i]->first_ms << " ms, " << used[i]->last_ms << " ms] and "
                                       << used[j]->member << " [" << used[j]->first_ms << " ms, "
                                       << used[j]->last_ms << " ms] overlap";
                }
        }
    }

    // --- ZooKeeper as ground truth --------------------------------------------------------

    zk::client& zk_observer()
    {
        if (!observer) {
            zk::client_options o;
            o.connect_string = zookeeper->connect_string();
            o.session_timeout = 10s;
            o.auth = observer_auth;
            observer = std::make_unique<zk::client>(ioc.get_executor(), o);
            EXPECT_FALSE(observer->start({}));
        }
        EXPECT_TRUE(run_until(ioc, [&] { return observer->state() == zk::session_state::connected; }));
        return *observer;
    }

    std::optional<std::vector<std::string>> zk_children(const std::string& path)
    {
        auto& zk = zk_observer();
        std::optional<std::vector<std::string>> result;
        bool answered = false;
        zk.get_children(path, [&](std::error_code ec, std::vector<std::string> names, zk::stat) {
            answered = true;
            if (!ec)
                result = std::move(names);
        });
        EXPECT_TRUE(run_until(ioc, [&] { return answered; }));
        return result;
    }

    std::optional<std::pair<std::string, zk::stat>> zk_get(const std::string& path)
    {
        auto& zk = zk_observer();
        std::optional<std::pair<std::string, zk::stat>> result;
        bool answered = false;
        zk.get(path, [&](std::error_code ec, std::string data, zk::stat st) {
            answered = true;
            if (!ec)
                result = std::pair{std::move(data), st};
        });
        EXPECT_TRUE(run_until(ioc, [&] { return answered; }));
        return result;
    }

    // partition -> consumer ids in its owner nodes, read from ZooKeeper.
    std::map<std::int32_t, std::vector<std::string>> zk_owners(
        const std::string& topic, group::owners_dir_style style = group::owners_dir_style::plain)
    {
        std::map<std::int32_t, std::vector<std::string>> owners;
        std::string dir = group::owners_path(group, topic, style);
        for (const std::string& name : zk_children(dir).value_or(std::vector<std::string>{})) {
            auto node = group::parse_owner_node_name(name);
            EXPECT_TRUE(node.has_value()) << "unexpected owner node " << name;
            if (!node)
                continue;
            if (auto got = zk_get(dir + "/" + name))
                owners[node->partition].push_back(got->first);
        }
        return owners;
    }

    // The owner nodes agree with the members: one node per partition, naming the member that
    // holds it, and nothing else.
    void expect_znodes_match_members(const std::string& topic, int partitions)
    {
        auto owners = zk_owners(topic);
        EXPECT_EQ(owners.size(), static_cast<std::size_t>(partitions));
        for (member* m : running()) {
            for (std::int32_t p : m->live) {
                ASSERT_EQ(owners[p].size(), 1u) << "partition " << p;
                EXPECT_EQ(owners[p][0], m->consumer->consumer_id()) << "partition " << p;
            }
        }
        auto registered = zk_children(group::ids_path(group)).value_or(std::vector<std::string>{});
        std::set<std::string> ids(registered.begin(), registered.end());
        std::set<std::string> expected;
        for (member* m : running())
            expected.insert(m->consumer->consumer_id());
        EXPECT_EQ(ids, expected);
    }
};

} // namespace kspout::balanced::testing
