// Chaos soak on the mock cluster: kafka-spout tasks of one balanced group consume a topic while,
// at random, tasks are SIGKILLed and restarted, stalled past their ZooKeeper session, ZooKeeper
// restarts, brokers go down and come back, leaders move, errors are injected, and tuples fail or
// time out. The short run is a test; scripts/chaos-soak.sh runs the long one (200k messages over
// 64 partitions) through the same code with KSPOUT_CHAOS_* settings.
#include "protocol/wire/api_key.hpp"
#include "tests/integration/chaos_run.hpp"

#include <gtest/gtest.h>

#include <iostream>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

class mock_brokers : public chaos_brokers {
public:
    std::string bootstrap() const override { return mock_.bootstrap(); }
    void create_topic(const std::string& topic, int partitions) override { mock_.create_topic(topic, partitions); }
    std::vector<std::string> faults() const override
    {
        return {"broker down and up", "partition leader moved", "broker errors injected"};
    }

    void inject(const std::string& fault, const std::string& topic, int partitions, std::mt19937& rng,
                const keep_driving& drive) override
    {
        auto any = [&rng](int from, int to) { return std::uniform_int_distribution<int>(from, to)(rng); };
        if (fault == "broker down and up") {
            int broker = any(1, 3);
            mock_.broker_down(broker);
            drive(1s, false);
            mock_.broker_up(broker);
        } else if (fault == "partition leader moved") {
            for (int i = 0; i < partitions / 4 + 1; ++i) mock_.set_leader(topic, any(0, partitions - 1), any(1, 3));
        } else {
            mock_.push_errors(wire::api_key::fetch, 6, 5);          // NOT_LEADER_OR_FOLLOWER
            mock_.push_errors(wire::api_key::offset_commit, 16, 3); // NOT_COORDINATOR
            mock_.push_errors(wire::api_key::list_offsets, 7, 2);   // REQUEST_TIMED_OUT
        }
    }

private:
    mock_cluster mock_{3};
};

TEST(SpoutChaos, NothingIsLostAndNoCommitPassesAnUnackedTupleUnderFaults)
{
    mock_brokers brokers;
    chaos_run run(chaos_settings{}.with_environment(), brokers, "chaos");
    run.run_faults();
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    bool reached = run.drive_to_end();
    run.leave_all();
    run.print_report(std::cerr);
    run.expect_at_least_once(reached);
}

} // namespace
} // namespace kspout::testing
