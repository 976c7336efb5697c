// A broker-managed classic group on a real Kafka broker (flexible JoinGroup/SyncGroup/Heartbeat on 4.x).
#include "tests/integration/group_members_fixture.hpp"
#include "tests/integration/kafka_broker.hpp"

#include <gtest/gtest.h>

namespace kspout::io::consumer_testing {
namespace {

class RealBrokerBase : public ConsumerFixtureBase {
protected:
    testing::kafka_broker& broker = testing::shared_kafka_broker();
    std::string bootstrap() const override { return broker.bootstrap(); }
};

using RealClassicGroup = GroupMembersFixture<RealBrokerBase>;

TEST_F(RealClassicGroup, TwoMembersSplitThePartitionsAndCommitInTheirGeneration)
{
    broker.create_topic("real-split", 4);
    for (std::int32_t p = 0; p < 4; ++p)
        produce("real-split", p, 10);

    auto& a = join("real-split-group", "real-split");
    auto& b = join("real-split-group", "real-split");
    ASSERT_TRUE(run_until_split(a, b, 4, 0));
    EXPECT_FALSE(overlap);

    std::map<std::int32_t, std::int64_t> done;
    for (std::int32_t p : a.owned)
        done[p] = 10;
    std::optional<std::error_code> committed;
    a.member->commit(done, [&](std::error_code ec) { committed = ec; });
    ASSERT_TRUE(testing::run_until(ioc, [&] { return committed.has_value(); }));
    EXPECT_FALSE(*committed) << committed->message();

    // b leaves: a gets every partition.
    ASSERT_TRUE(run_until_handed_over(a, b, 4));
    EXPECT_FALSE(overlap);
    EXPECT_TRUE(a.errors.empty());
    EXPECT_TRUE(b.errors.empty());
}

} // namespace
} // namespace kspout::io::consumer_testing
