// The storm_topology test fixture: one ZooKeeper and one LocalCluster shared by every test of the binary.
#pragma once

#include "tests/integration/storm_local_cluster.hpp"
#include "tests/integration/temp_dir.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace kspout::testing {

inline constexpr int storm_topology_partitions = 6;

// Every test gets a fresh topic of `partitions` partitions on the shared real broker and a
// temporary directory; the ZooKeeper (Storm's state and the spout's group) and the LocalCluster
// JVM live as long as the test binary's suite.
class storm_topology : public ::testing::Test {
protected:
    static constexpr int partitions = storm_topology_partitions;

    static void SetUpTestSuite();
    static void TearDownTestSuite(); // prints the cluster's log when a test failed or KSPOUT_TEST_LOGS is set

    // Creates the topic `name` and returns the options that run ExampleTopology on it in `mode`
    // (balanced or static), three spout tasks, the bolt writing to dir_/records.txt.
    std::map<std::string, std::string> fresh_topology(const std::string& name, const std::string& mode);

    // Polls until every record below the end offsets was acked by the bolt (file options["out"])
    // and the group's committed offsets equal the end offsets; the limit only turns a hang into a failure.
    static ::testing::AssertionResult all_acked_and_committed(const std::map<std::string, std::string>& options,
                                                              std::chrono::seconds limit = std::chrono::seconds(120));

    static inline std::unique_ptr<zookeeper_server> zookeeper_;
    static inline std::unique_ptr<storm_local_cluster> cluster_;
    temp_dir dir_;
};

} // namespace kspout::testing
