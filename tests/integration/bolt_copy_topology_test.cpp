// A copy topology (kafka-spout -> kafka-bolt, topic A to topic B) under kspout-local-topology against
// the mock cluster: all of A is in B; with tasks SIGKILLed and restarted and errors on produce, the
// only duplicates are replays.
#include "tests/integration/bolt_harness.hpp"
#include "tests/integration/copy_topology_run.hpp"
#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/mock_cluster.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/spout_harness.hpp"
#include "tests/integration/topology_resources.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::IsEmpty;

constexpr int request_timed_out = 7;
constexpr int not_leader_for_partition = 6;

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

// Topics A and B of three partitions on a mock of three brokers, A filled, and the resources.
class CopyUnderFaults : public ::testing::Test {
protected:
    static constexpr int records = 3000;

    CopyUnderFaults()
    {
        mock.create_topic("copy-a", 3);
        mock.create_topic("copy-b", 3);
        produce_with_kcat(mock, "copy-a", records);
        settings.bootstrap = mock.bootstrap();
        settings.from = "copy-a";
        settings.to = "copy-b";
        settings.group = "copy-faults";
        settings.resources = topology_resources(dir.path() / "resources");
        // Every 250 spout emits, the next three Produce requests fail: REQUEST_TIMED_OUT, then
        // NOT_LEADER_FOR_PARTITION the next time. kafka-bolt's producer retries them.
        settings.on_spout_emit = [this](long emits) {
            if (emits % 250 == 0 && emits <= records) {
                mock.push_errors(wire::api_key::produce, emits % 500 == 0 ? not_leader_for_partition : request_timed_out,
                                 3);
                ++error_bursts;
            }
        };
    }

    mock_cluster mock{3};
    temp_dir dir;
    copy_run_settings settings;
    int error_bursts = 0;
};

TEST_F(CopyUnderFaults, ProduceErrorsAreRetriedWithoutWritingARecordTwice)
{
    auto report = run_copy_topology(settings);
    ASSERT_TRUE(report.complete) << report.describe();
    EXPECT_GE(error_bursts, 10);
    EXPECT_THAT(report.missing, IsEmpty());
    EXPECT_THAT(report.misplaced, IsEmpty());
    // No task died and no tuple failed, so the spout emitted every record once; the bolt's
    // producer resent batches after each error, and with its producer id and sequence numbers
    // no resend became a second copy.
    EXPECT_EQ(report.replays, 0) << report.describe();
    EXPECT_EQ(report.emits, records);
    EXPECT_EQ(report.duplicates, 0) << report.describe();
}

TEST_F(CopyUnderFaults, KilledSpoutAndBoltTasksAreRestartedAndEveryDuplicateIsAReplay)
{
    settings.kill_bolt_at = 700;
    settings.kill_spout_at = 1400;
    auto report = run_copy_topology(settings);
    std::cout << "[ info ] " << report.describe() << "\n";
    ASSERT_TRUE(report.bolt_killed && report.spout_killed) << report.describe();
    ASSERT_TRUE(report.complete) << report.describe();
    EXPECT_EQ(report.notes.size(), 2u) << report.describe(); // one restart each, nothing else

    // The idempotent producer's resends (errors injected throughout) add no copy either.
    expect_every_record_copied_and_every_duplicate_a_replay(report);
}

} // namespace
} // namespace kspout::testing
