// A copy topology (kafka-spout -> kafka-bolt, topic A to topic B) under kspout-local-topology: all of A is in B.
#include "tests/integration/bolt_harness.hpp"
#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/mock_cluster.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/spout_harness.hpp"
#include "tests/integration/topology_resources.hpp"

#include <gtest/gtest.h>

#include <map>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

TEST(BoltCopyTopology, EveryRecordOfAIsInBAtLeastOnce)
{
    constexpr int records = 300;
    mock_cluster mock{3};
    mock.create_topic("copy-a", 3);
    mock.create_topic("copy-b", 3);
    produce_with_kcat(mock, "copy-a", records);

    temp_dir dir;
    const auto resources = topology_resources(dir.path() / "resources");

    auto run = run_process({KSPOUT_LOCAL_TOPOLOGY_BIN, std::string(KSPOUT_TOPOLOGY_EXAMPLES) + "/kafka-copy.flux.yaml",
                            "--resources", resources.string(), "--quiet", "--set",
                            "kafka.bootstrap.servers=" + mock.bootstrap(), "--set", "kafka.topic=copy-a", "--set",
                            "kafka.bolt.topic=copy-b", "--set", "kafka.group.id=copy-test", "--max-tuples",
                            std::to_string(records)},
                           {}, 120s);
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;

    std::map<std::string, seen_record> a;
    for (auto& r : consume_with_kcat(mock, "copy-a")) a[r.value.value_or("")] = r;
    ASSERT_EQ(a.size(), static_cast<std::size_t>(records));
    std::map<std::string, int> copies;
    std::map<std::string, std::int32_t> partition_in_b;
    for (auto& r : consume_with_kcat(mock, "copy-b")) {
        ++copies[r.value.value_or("")];
        partition_in_b[r.value.value_or("")] = r.partition;
    }
    for (const auto& [value, r] : a) {
        EXPECT_GE(copies[value], 1) << value << " of copy-a is not in copy-b";
        EXPECT_EQ(partition_in_b[value], r.partition) << value;
    }
    // Every tuple was acked (max-tuples waits for the trees), so none was replayed: one copy each.
    for (const auto& [value, n] : copies) EXPECT_EQ(n, 1) << value;
}

} // namespace
} // namespace kspout::testing
