// The kafka-spout executable driven like Storm's ShellSpout, as members of a broker-managed group.
#include "tests/integration/spout_harness.hpp"

#include <gtest/gtest.h>

#include <set>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

multilang::json kafka_group_conf(const mock_cluster& mock, const std::string& topic, const std::string& group)
{
    multilang::json conf = static_spout_conf(mock, topic, group);
    conf["kafka.spout.assignment"] = "kafka";
    conf["kafka.group.session.timeout.ms"] = 6000;
    conf["kafka.group.heartbeat.interval.ms"] = 300;
    conf["kafka.group.rebalance.timeout.ms"] = 10000;
    return conf;
}

// Two tasks share the partitions through the broker: both emit, every record is emitted, and
// the acked offsets are committed inside the group's generation up to the end of each partition.
TEST(SpoutKafkaGroup, TwoTasksShareTheTopicAndCommitEverythingAcked)
{
    mock_cluster mock(3);
    mock.create_topic("shared", 4);
    temp_dir pid_dir;
    spout_task first(pid_dir, {kafka_group_conf(mock, "shared", "g-kafka"), 3, {3, 7}});
    spout_task second(pid_dir, {kafka_group_conf(mock, "shared", "g-kafka"), 7, {3, 7}});
    first.storm().open();
    second.storm().open();

    std::set<std::pair<std::string, std::string>> emitted; // (partition, offset), from either task
    std::size_t from_first = 0;
    std::size_t from_second = 0;
    auto drive = [&](spout_task& task, std::size_t& count) {
        for (const auto& e : task.next_until(1000, 200ms)) {
            auto [p, o] = parse_emit_id(e);
            emitted.emplace(std::to_string(p), std::to_string(o));
            ++count;
            task.storm().ack(*e.id);
        }
    };
    // Records keep coming until both tasks have been given a share.
    int produced = 0;
    for (int round = 0; round < 100 && (from_first == 0 || from_second == 0); ++round) {
        produce_with_kcat(mock, "shared", 8, produced);
        produced += 8;
        drive(first, from_first);
        drive(second, from_second);
    }
    EXPECT_GT(from_first, 0u);
    EXPECT_GT(from_second, 0u);

    auto ends = end_offsets(mock, "shared", 4);
    bool all_committed = false;
    for (int i = 0; i < 100 && !all_committed; ++i) {
        drive(first, from_first);
        drive(second, from_second);
        all_committed = committed_offsets(mock, "g-kafka", "shared", 4) == ends;
    }
    EXPECT_TRUE(all_committed);
    EXPECT_EQ(emitted.size(), static_cast<std::size_t>(produced));

    first.storm().deactivate();
    second.storm().deactivate();
    EXPECT_TRUE(exits_zero_after_stdin_closes(first));
    EXPECT_TRUE(exits_zero_after_stdin_closes(second));
}

} // namespace
} // namespace kspout::testing
