// Broker-managed group members under test: what each listener was told and what each consumed.
#pragma once

#include "protocol/member/member_factory.hpp"
#include "tests/integration/io_consumer_fixture.hpp"
#include "tests/integration/process.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

namespace kspout::io::consumer_testing {

// One member with what its listener was told, consuming whatever poll() returns.
struct member_under_test {
    std::shared_ptr<member::group_member> member;
    std::set<std::int32_t> owned;
    std::vector<std::int32_t> revoked; // every partition on_revoking named, in order
    std::set<std::pair<std::int32_t, std::int64_t>> consumed; // (partition, offset)
    std::vector<std::string> errors;
    bool stopped = false;

    void poll_all()
    {
        for (;;) {
            auto batch = member->poll(100);
            if (batch.empty())
                return;
            for (const auto& m : batch)
                consumed.emplace(m.partition, m.offset);
        }
    }
};

// Base says where the brokers are (the mock, or a real broker).
template <typename Base>
class GroupMembersFixture : public Base {
protected:
    std::vector<std::unique_ptr<member_under_test>> members;
    bool overlap = false; // a partition announced to one member while another still owned it

    member_under_test& join(const std::string& group, const std::string& topic,
                            member::group_protocol protocol = member::group_protocol::classic,
                            group::assignor_kind assignor = group::assignor_kind::range,
                            std::optional<std::string> instance_id = std::nullopt)
    {
        auto m = std::make_unique<member_under_test>();
        member_under_test* self = m.get();
        member::member_listener listener;
        listener.on_assigned = [this, self](const std::map<std::int32_t, std::int64_t>& starts) {
            for (const auto& [p, at] : starts) {
                for (const auto& other : members)
                    if (other.get() != self && other->owned.contains(p))
                        overlap = true;
                self->owned.insert(p);
            }
        };
        listener.on_revoking = [self](const std::vector<std::int32_t>& partitions, std::function<void()> done) {
            for (std::int32_t p : partitions)
                self->owned.erase(p);
            self->revoked.insert(self->revoked.end(), partitions.begin(), partitions.end());
            done();
        };
        listener.on_error = [self](std::error_code, const std::string& what) { self->errors.push_back(what); };
        member::member_options o;
        o.cluster = this->fast_cluster_options();
        o.group.consumer = Base::options_for(topic);
        member::classic_member_options group_options;
        group_options.group_id = group;
        group_options.topic = topic;
        group_options.assignor = assignor;
        group_options.session_timeout = 6s;
        group_options.rebalance_timeout = 10s;
        group_options.heartbeat_interval = 300ms;
        group_options.group_instance_id = std::move(instance_id);
        o.broker_group = group_options;
        o.protocol = protocol;
        self->member = member::make_group_member(this->ioc.get_executor(), std::move(o), std::move(listener), this->test_logger());
        self->member->start();
        members.push_back(std::move(m));
        return *self;
    }

    // A new topic whose every partition holds `per_partition` records. Base creates topics.
    void topic_with_records(const std::string& topic, int partitions, int per_partition)
    {
        this->create_topic(topic, partitions);
        for (std::int32_t p = 0; p < partitions; ++p)
            this->produce(topic, p, per_partition);
    }

    bool owns_exactly(std::initializer_list<const member_under_test*> owners, std::size_t partitions)
    {
        std::size_t total = 0;
        for (const auto* m : owners)
            total += m->owned.size();
        return total == partitions;
    }

    // Runs until a and b together own `partitions`, each some, and have consumed `records`.
    bool run_until_split(member_under_test& a, member_under_test& b, std::size_t partitions, std::size_t records)
    {
        return testing::run_until(
            this->ioc,
            [&] {
                a.poll_all();
                b.poll_all();
                return !a.owned.empty() && !b.owned.empty() && owns_exactly({&a, &b}, partitions) &&
                       a.consumed.size() + b.consumed.size() >= records;
            },
            std::chrono::seconds(90));
    }

    // b stops (leaving the group); runs until a owns all `partitions`.
    bool run_until_handed_over(member_under_test& a, member_under_test& b, std::size_t partitions)
    {
        b.member->stop([&] { b.stopped = true; });
        return testing::run_until(
            this->ioc,
            [&] {
                a.poll_all();
                return b.stopped && a.owned.size() == partitions;
            },
            std::chrono::seconds(90));
    }

    // a commits `offset` for every partition it owns; returns what the commit said, and
    // kafka-python's read of the group's offsets for them in *read.
    std::error_code commit_owned(member_under_test& a, std::int64_t offset, const std::string& group,
                                 const std::string& topic, std::string* read, std::string* expected,
                                 std::optional<std::int32_t> also = std::nullopt)
    {
        std::map<std::int32_t, std::int64_t> done;
        for (std::int32_t p : a.owned)
            done[p] = offset;
        if (also)
            done[*also] = offset;
        std::optional<std::error_code> committed;
        a.member->commit(done, [&](std::error_code ec) { committed = ec; });
        EXPECT_TRUE(testing::run_until(this->ioc, [&] { return committed.has_value(); }));
        std::vector<std::int32_t> ours(a.owned.begin(), a.owned.end());
        expected->clear();
        for (std::int32_t p : ours)
            *expected += std::to_string(p) + "=" + std::to_string(offset) + "\n";
        *read = this->python_committed(group, topic, ours);
        return committed.value_or(make_error_code(errc::request_timed_out));
    }

    // Another client's group member joins the group `ours` holds every partition of, takes its
    // share, reads it to the end, prints "PARTITION OFFSET" lines and leaves: no partition held by
    // both, and between them every one of `records` is read.
    void expect_share_with_kcat(member_under_test& ours, const std::string& group, const std::string& topic,
                                std::size_t records)
    {
        // librdkafka's balanced consumer, the classic protocol.
        expect_share_with_peer(ours, {"kcat", "-b", this->bootstrap(), "-G", group, topic, "-e", "-q", "-f",
                                      "%p %o\\n", "-X", "auto.offset.reset=earliest", "-X",
                                      "partition.assignment.strategy=range"},
                               records);
    }

    void expect_share_with_kafka_python(member_under_test& ours, const std::string& group, const std::string& topic,
                                        std::size_t records)
    {
        expect_share_with_peer(ours,
                               {KSPOUT_PYTHON, KSPOUT_SOURCE_DIR "/tests/integration/kafka_python_group_member.py",
                                this->bootstrap(), group, topic},
                               records);
    }

    void expect_share_with_peer(member_under_test& ours, const std::vector<std::string>& peer, std::size_t records)
    {
        const std::size_t every_partition = ours.owned.size();
        std::atomic<bool> peer_done = false;
        testing::process_result result;
        std::thread runner([&] {
            result = testing::run_process(peer, {}, std::chrono::seconds(90));
            peer_done = true;
        });
        std::set<std::int32_t> ours_while_shared;
        bool shared = false;
        testing::run_until(
            this->ioc,
            [&] {
                ours.poll_all();
                if (ours.owned.size() < every_partition && !ours.owned.empty() && !shared) {
                    shared = true;
                    ours_while_shared = ours.owned;
                }
                return peer_done.load();
            },
            std::chrono::seconds(100));
        runner.join();
        ASSERT_TRUE(result.ok()) << result.describe();
        ASSERT_TRUE(shared) << "our member never gave " << peer.front() << " a share";

        std::set<std::int32_t> peer_partitions;
        std::set<std::pair<std::int32_t, std::int64_t>> all = ours.consumed;
        std::istringstream lines(result.out);
        std::int32_t partition = 0;
        std::int64_t offset = 0;
        while (lines >> partition >> offset) {
            peer_partitions.insert(partition);
            all.emplace(partition, offset);
        }
        EXPECT_FALSE(peer_partitions.empty());
        for (std::int32_t p : peer_partitions)
            EXPECT_FALSE(ours_while_shared.contains(p)) << "partition " << p << " held by both";
        // Once the peer left, ours reads whatever it did not.
        ASSERT_TRUE(testing::run_until(
            this->ioc,
            [&] {
                ours.poll_all();
                for (const auto& m : ours.consumed)
                    all.insert(m);
                return all.size() == records;
            },
            std::chrono::seconds(60)));
        EXPECT_FALSE(overlap);
        EXPECT_TRUE(ours.errors.empty()) << ours.errors.front();
    }

    void TearDown() override
    {
        for (auto& m : members)
            if (!m->stopped)
                m->member->stop([self = m.get()] { self->stopped = true; });
        EXPECT_TRUE(testing::run_until(this->ioc, [&] {
            return std::all_of(members.begin(), members.end(), [](const auto& m) { return m->stopped; });
        }));
        members.clear();
        Base::TearDown();
    }
};

} // namespace kspout::io::consumer_testing
