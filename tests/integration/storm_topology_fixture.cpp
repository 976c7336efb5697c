// The storm_topology test fixture: starts and stops the shared servers, makes topics, polls for the end of a run.
#include "tests/integration/storm_topology_fixture.hpp"

#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/spout_harness.hpp"
#include "tests/integration/storm_records.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <thread>

namespace kspout::testing {

using namespace std::chrono_literals;

void storm_topology::SetUpTestSuite()
{
    zookeeper_ = std::make_unique<zookeeper_server>();
    cluster_ = std::make_unique<storm_local_cluster>(zookeeper_->connect_string());
}

void storm_topology::TearDownTestSuite()
{
    if (cluster_ && (::testing::UnitTest::GetInstance()->failed_test_count() > 0 ||
                     std::getenv("KSPOUT_TEST_LOGS") != nullptr))
        std::cerr << "--- LocalCluster output ---\n" << cluster_->log();
    cluster_.reset();
    zookeeper_.reset();
}

std::map<std::string, std::string> storm_topology::fresh_topology(const std::string& name, const std::string& mode)
{
    kafka_broker& broker = shared_kafka_broker();
    broker.create_topic(name, partitions);
    return {{"bootstrap", broker.bootstrap()},
            {"zookeeper", zookeeper_->connect_string()},
            {"topic", name},
            {"group", name + "-group"},
            {"out", (dir_ / "records.txt").string()},
            {"parallelism", "3"},
            {"mode", mode}};
}

::testing::AssertionResult storm_topology::all_acked_and_committed(const std::map<std::string, std::string>& options,
                                                                   std::chrono::seconds limit)
{
    const std::string& bootstrap = options.at("bootstrap");
    const std::string& topic = options.at("topic");
    auto deadline = std::chrono::steady_clock::now() + limit;
    std::map<std::int32_t, std::int64_t> end, committed;
    std::size_t acked = 0;
    for (;;) {
        end = end_offsets(bootstrap, topic, partitions);
        auto acked_set = with_outcome(read_bolt_records(options.at("out")), "acked");
        acked = acked_set.size();
        auto wanted = all_offsets(end);
        if (std::includes(acked_set.begin(), acked_set.end(), wanted.begin(), wanted.end())) {
            committed = committed_offsets(bootstrap, options.at("group"), topic, partitions);
            if (committed == end) return ::testing::AssertionSuccess();
        }
        if (std::chrono::steady_clock::now() > deadline) break;
        std::this_thread::sleep_for(300ms); // polling the bolt's file and the broker
    }
    auto result = ::testing::AssertionFailure() << acked << " distinct records acked; end offsets";
    for (auto [p, o] : end) result << " " << p << ":" << o;
    result << "; committed";
    for (auto [p, o] : committed) result << " " << p << ":" << o;
    return result;
}

} // namespace kspout::testing
