// Broker-managed groups on a real 4.x broker: the classic protocol (flexible JoinGroup/SyncGroup/Heartbeat) and KIP-848's.
#include "tests/integration/group_members_fixture.hpp"
#include "tests/integration/kafka_broker.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace kspout::io::consumer_testing {
namespace {

class RealBrokerBase : public ConsumerFixtureBase {
protected:
    testing::kafka_broker& broker = testing::shared_kafka_broker();
    std::string bootstrap() const override { return broker.bootstrap(); }
    void create_topic(std::string_view name, int partitions) { broker.create_topic(name, partitions); }
};

using RealClassicGroup = GroupMembersFixture<RealBrokerBase>;

TEST_F(RealClassicGroup, TwoMembersSplitThePartitionsAndCommitInTheirGeneration)
{
    topic_with_records("real-split", 4, 10);

    auto& a = join("real-split-group", "real-split");
    auto& b = join("real-split-group", "real-split");
    ASSERT_TRUE(run_until_split(a, b, 4, 0));
    EXPECT_FALSE(overlap);

    std::string read, expected;
    std::error_code committed = commit_owned(a, 10, "real-split-group", "real-split", &read, &expected);
    EXPECT_FALSE(committed) << committed.message();
    EXPECT_EQ(read, expected);

    // b leaves: a gets every partition.
    ASSERT_TRUE(run_until_handed_over(a, b, 4));
    EXPECT_FALSE(overlap);
    EXPECT_TRUE(a.errors.empty());
    EXPECT_TRUE(b.errors.empty());
}

// cooperative-sticky (KIP-429): the first member keeps what it keeps and gives up only the
// partitions that move, in a first round; the second member gets them in a second. An eager
// assignor would revoke all six and hand three back.
TEST_F(RealClassicGroup, CooperativeMembersGiveUpOnlyThePartitionsThatMove)
{
    topic_with_records("real-cooperative", 6, 5);

    auto& a = join("real-cooperative-group", "real-cooperative", member::group_protocol::classic,
                   group::assignor_kind::cooperative_sticky);
    ASSERT_TRUE(testing::run_until(ioc, [&] { return a.owned.size() == 6; }, std::chrono::seconds(60)));
    const std::set<std::int32_t> before = a.owned;
    auto& b = join("real-cooperative-group", "real-cooperative", member::group_protocol::classic,
                   group::assignor_kind::cooperative_sticky);
    ASSERT_TRUE(run_until_split(a, b, 6, 30));
    EXPECT_FALSE(overlap);
    EXPECT_EQ(a.owned.size(), 3u);
    EXPECT_EQ(b.owned.size(), 3u);
    // a gave up exactly what b got, each once; what it kept it never gave up.
    std::vector<std::int32_t> revoked = a.revoked;
    std::sort(revoked.begin(), revoked.end());
    EXPECT_EQ(revoked, std::vector<std::int32_t>(b.owned.begin(), b.owned.end()));
    for (std::int32_t p : a.owned)
        EXPECT_TRUE(before.contains(p)) << p;
    EXPECT_TRUE(a.errors.empty());
    EXPECT_TRUE(b.errors.empty());
}

class RealKip848Group : public GroupMembersFixture<RealBrokerBase> {
protected:
    // A new 4-partition topic of 40 records, and our KIP-848 member holding all of it.
    member_under_test& sole_member(const std::string& group, const std::string& topic)
    {
        topic_with_records(topic, 4, 10);
        auto& ours = join(group, topic, member::group_protocol::consumer);
        EXPECT_TRUE(testing::run_until(ioc, [&] { return ours.owned.size() == 4; }, std::chrono::seconds(60)));
        return ours;
    }
};

// Static membership on KIP-848 (KIP-345's ids in ConsumerGroupHeartbeat): a static member that
// stops leaves with epoch -2, so the broker keeps its partitions for the session; a new process
// with the same instance id gets exactly them back, and the other member sees no rebalance.
TEST_F(RealKip848Group, AStaticMemberRestartedWithinTheSessionGetsItsPartitionsBackUnseen)
{
    topic_with_records("real-static-848", 4, 10);
    const auto kip848 = member::group_protocol::consumer;
    const auto range = group::assignor_kind::range;
    auto& a = join("real-static-848-group", "real-static-848", kip848, range, "task-0");
    auto& b = join("real-static-848-group", "real-static-848", kip848, range, "task-1");
    ASSERT_TRUE(run_until_split(a, b, 4, 40));
    const std::set<std::int32_t> a_owned = a.owned, b_owned = b.owned;
    const std::size_t a_revokes = a.revoked.size();

    b.member->stop([&] { b.stopped = true; });
    ASSERT_TRUE(testing::run_until(ioc, [&] { return b.stopped; }));
    // The property is about time: for the session (6 s on the test broker) nobody else gets b's
    // partitions. Three of a's heartbeat intervals (500 ms) would have moved them to a were b a
    // dynamic member.
    const auto reserved_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    testing::run_until(ioc, [&] {
        a.poll_all();
        return std::chrono::steady_clock::now() >= reserved_until;
    });
    EXPECT_EQ(a.owned, a_owned) << "b's partitions moved while its static id was reserved";
    auto& again = join("real-static-848-group", "real-static-848", kip848, range, "task-1");
    ASSERT_TRUE(testing::run_until(ioc, [&] {
        a.poll_all();
        return again.owned == b_owned;
    }, std::chrono::seconds(30)));
    EXPECT_EQ(a.owned, a_owned);
    EXPECT_EQ(a.revoked.size(), a_revokes);
    EXPECT_FALSE(overlap);
    EXPECT_TRUE(a.errors.empty());
    EXPECT_TRUE(again.errors.empty());
}

// KIP-848: the broker assigns; a member takes a share, the next one gets part of it moved over
// without a stop of the group, commits carry the member epoch, and a leaving member's share goes
// back to the other.
TEST_F(RealKip848Group, TwoMembersSplitThePartitionsAndCommitWithTheirEpoch)
{
    topic_with_records("kip848-split", 4, 10);

    auto& a = join("kip848-group", "kip848-split", member::group_protocol::consumer);
    ASSERT_TRUE(testing::run_until(ioc, [&] { return a.owned.size() == 4; }, std::chrono::seconds(60)));
    auto& b = join("kip848-group", "kip848-split", member::group_protocol::consumer);
    ASSERT_TRUE(run_until_split(a, b, 4, 40));
    EXPECT_FALSE(overlap);
    std::set<std::pair<std::int32_t, std::int64_t>> all = a.consumed;
    all.insert(b.consumed.begin(), b.consumed.end());
    EXPECT_EQ(all.size(), 40u);

    std::string read, expected;
    std::error_code committed = commit_owned(a, 10, "kip848-group", "kip848-split", &read, &expected);
    EXPECT_FALSE(committed) << committed.message();
    EXPECT_EQ(read, expected);

    ASSERT_TRUE(run_until_handed_over(a, b, 4));
    EXPECT_FALSE(overlap);
    EXPECT_TRUE(a.errors.empty()) << a.errors.front();
    EXPECT_TRUE(b.errors.empty()) << b.errors.front();
    auto joined = std::count_if(logs.begin(), logs.end(), [](const std::string& l) {
        return l.find("joined with KIP-848's consumer protocol") != std::string::npos;
    });
    EXPECT_EQ(joined, 2);
}

// The default choice on 4.x is KIP-848's protocol: no fallback, a KIP-848 join.
TEST_F(RealKip848Group, TheBestOfferedProtocolOn4xIsKip848)
{
    broker.create_topic("kip848-auto", 2);
    auto& a = join("kip848-auto-group", "kip848-auto", member::group_protocol::best_offered);
    ASSERT_TRUE(testing::run_until(ioc, [&] { return a.owned.size() == 2; }, std::chrono::seconds(60)));
    auto has = [&](std::string_view text) {
        return std::any_of(logs.begin(), logs.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; });
    };
    EXPECT_TRUE(has("joined with KIP-848's consumer protocol"));
    EXPECT_FALSE(has("using the classic one"));
}

// A mixed group on 4.x: our KIP-848 member and librdkafka's classic one (kcat -G) share it, the
// broker bridging the two protocols.
TEST_F(RealKip848Group, AClassicKcatMemberTakesAShareBesideOurs)
{
    auto& ours = sole_member("kip848-mixed-group", "kip848-mixed");
    ASSERT_FALSE(HasFailure()) << "our member never held every partition";
    expect_share_with_kcat(ours, "kip848-mixed-group", "kip848-mixed", 40);
}

// A member whose process stalls past its session (its io_context is not run) is fenced: its
// partitions go to the other member, the commit it makes when it wakes is refused by the broker so
// the new owner's offsets stand, and it gives the partitions up as lost and joins again.
TEST_F(RealKip848Group, AStalledMembersLateCommitIsRefused)
{
    const std::string group = "kip848-fence-group";
    const std::string topic = "kip848-fence";
    broker.create_topic(topic, 2);
    boost::asio::io_context stalled;
    member_under_test a;
    member::member_listener listener;
    listener.on_assigned = [&](const std::map<std::int32_t, std::int64_t>& starts) {
        for (const auto& [p, at] : starts)
            a.owned.insert(p);
    };
    listener.on_revoking = [&](const std::vector<std::int32_t>& partitions, std::function<void()> done) {
        for (std::int32_t p : partitions)
            a.owned.erase(p);
        done();
    };
    listener.on_error = [&](std::error_code, const std::string& what) { a.errors.push_back(what); };
    member::member_options o;
    o.cluster = fast_cluster_options();
    o.group.consumer = options_for(topic);
    o.broker_group.emplace();
    o.broker_group->group_id = group;
    o.broker_group->topic = topic;
    o.protocol = member::group_protocol::consumer;
    a.member = member::make_group_member(stalled.get_executor(), std::move(o), std::move(listener), test_logger());
    a.member->start();
    ASSERT_TRUE(testing::run_until(stalled, [&] { return a.owned.size() == 2; }, std::chrono::seconds(60)));

    auto& b = join(group, topic, member::group_protocol::consumer);
    ASSERT_TRUE(testing::run_until(ioc, [&] { return b.owned.size() == 2; }, std::chrono::seconds(60)))
        << "the broker never gave the stalled member's partitions to the other";
    std::string read, expected;
    EXPECT_FALSE(commit_owned(b, 7, group, topic, &read, &expected));
    EXPECT_EQ(read, expected);

    std::optional<std::error_code> late;
    a.member->commit({{0, 3}, {1, 3}}, [&](std::error_code ec) { late = ec; });
    ASSERT_TRUE(testing::run_until(stalled, [&] { return late.has_value(); }));
    EXPECT_TRUE(*late) << "the fenced member's commit was taken";
    EXPECT_EQ(python_committed(group, topic, {0, 1}), "0=7\n1=7\n");
    ASSERT_TRUE(testing::run_until(stalled, [&] {
        return std::any_of(logs.begin(), logs.end(), [&](const std::string& l) {
            return l.find("group " + group + ": lost partitions") != std::string::npos;
        });
    })) << "the stalled member never noticed it was fenced";

    a.member->stop([&] { a.stopped = true; });
    EXPECT_TRUE(testing::run_until(stalled, [&] { return a.stopped; }));
}

// And kafka-python's classic KafkaConsumer beside our KIP-848 member.
TEST_F(RealKip848Group, AKafkaPythonMemberTakesAShareBesideOurs)
{
    auto& ours = sole_member("kip848-python-group", "kip848-python");
    ASSERT_FALSE(HasFailure()) << "our member never held every partition";
    expect_share_with_kafka_python(ours, "kip848-python-group", "kip848-python", 40);
}

} // namespace
} // namespace kspout::io::consumer_testing
