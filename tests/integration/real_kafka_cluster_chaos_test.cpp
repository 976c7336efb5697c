// Chaos soak on a real 3-node Kafka cluster (replication factor 3, min.insync.replicas 2): the
// run of the mock soak, with nodes SIGKILLed or shut down cleanly and started again as the
// brokers' faults.
#include "tests/integration/chaos_run.hpp"
#include "tests/integration/kafka_broker.hpp"

#include <gtest/gtest.h>

#include <iostream>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

class real_brokers : public chaos_brokers {
public:
    std::string bootstrap() const override { return cluster_.bootstrap(); }
    void create_topic(const std::string& topic, int partitions) override
    {
        cluster_.create_topic(topic, partitions, 3, {{"min.insync.replicas", "2"}});
    }
    std::vector<std::string> faults() const override
    {
        return {"leader node SIGKILLed and restarted", "leader node shut down cleanly and restarted"};
    }

    // The node leading most partitions goes; the group runs on while its leaderships move (a
    // killed node is fenced after 3 s), then it starts again and the group runs on while it
    // catches up.
    void inject(const std::string& fault, const std::string& topic, int, std::mt19937&,
                const keep_driving& drive) override
    {
        int node = cluster_.busiest_leader(topic);
        ASSERT_GT(node, 0);
        if (fault == "leader node SIGKILLed and restarted") {
            cluster_.kill(node);
            drive(4s, true);
        } else {
            cluster_.shut_down(node);
            drive(1s, true);
        }
        cluster_.restart(node);
        drive(1s, true);
        log_ << fault << ": node " << node << "\n";
    }

    std::string log() const { return log_.str(); }
    std::string cluster_log() const { return cluster_.log(); }

private:
    kafka_cluster cluster_;
    std::ostringstream log_;
};

TEST(RealClusterChaos, NothingIsLostAndNoCommitPassesAnUnackedTupleUnderFaults)
{
    real_brokers brokers;
    chaos_settings small;
    small.tasks = 3;
    small.partitions = 12;
    small.messages = 6000;
    small.faults = 6;
    chaos_run run(small.with_environment(), brokers, "chaos-real");
    run.run_faults();
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    bool reached = run.drive_to_end();
    run.leave_all();
    run.print_report(std::cerr);
    std::cerr << brokers.log();
    run.expect_at_least_once(reached);
    if (::testing::Test::HasFailure()) std::cerr << "--- kafka nodes ---\n" << brokers.cluster_log();
}

} // namespace
} // namespace kspout::testing
