// Test harness: runs the kafka-spout executable the way Storm's ShellSpout does, plus data helpers.
#pragma once

#include "multilang/shell_spout.hpp"
#include "tests/integration/mock_cluster.hpp"
#include "tests/integration/test_engine.hpp"
#include "tests/integration/temp_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace kspout::testing {

// One spout task: taskid `task` among `tasks` of component "kafka", declaring the default
// fields topic, partition, offset, key, value.
multilang::json spout_context(std::int64_t task, const std::vector<std::int64_t>& tasks);

// kafka.* settings for a task with static assignment over `topic` of the brokers at `bootstrap`,
// committing under `group`: earliest offsets, commits every 100 ms, replays after 20 ms, no stats lines.
multilang::json static_spout_conf(const std::string& bootstrap, const std::string& topic, const std::string& group);
multilang::json static_spout_conf(const mock_cluster& mock, const std::string& topic, const std::string& group);

// The same for a member of a balanced group coordinated by the ZooKeeper at `zookeeper_connect`:
// a 2 s session, 200 ms between rebalance attempts.
multilang::json balanced_spout_conf(const std::string& bootstrap, const std::string& zookeeper_connect,
                                    const std::string& topic, const std::string& group);
multilang::json balanced_spout_conf(const mock_cluster& mock, const std::string& zookeeper_connect,
                                    const std::string& topic, const std::string& group);

struct spout_task_options {
    multilang::json conf;                            // kafka.* keys and Storm keys
    std::int64_t task = 1;
    std::vector<std::int64_t> tasks{1};
    std::chrono::milliseconds timeout = std::chrono::seconds(5); // topology.subprocess.timeout.secs
    std::set<std::string> registered_metrics{}; // what the ShellSpout subclass registered; others are fatal
    std::function<void(const std::string&)> on_stderr{}; // stderr drained after each command, as Storm does
};

class spout_task {
public:
    spout_task(const temp_dir& pid_dir, spout_task_options options);

    multilang::shell_spout& storm() { return *spout_; }
    multilang::shell_process& process() { return spout_->process(); }

    // Sends next until `want` tuples came or `limit` passed; returns the emits.
    std::vector<multilang::emit_message> next_until(std::size_t want, std::chrono::milliseconds limit);

private:
    std::unique_ptr<multilang::shell_spout> spout_;
};

// Closes the task's stdin, as Storm does when it goes away, and waits up to `limit` for it to
// exit. Succeeds when it exits 0; otherwise says how it ended and what it wrote on stderr.
::testing::AssertionResult exits_zero_after_stdin_closes(spout_task& task,
                                                         std::chrono::milliseconds limit = std::chrono::seconds(30));

// (partition, offset) of an emit's id "topic:partition:offset".
std::pair<std::int32_t, std::int64_t> parse_emit_id(const multilang::emit_message& e);

// Produces count keyed messages "key-i" -> "value-i" with kcat, spread over partitions by key.
void produce_with_kcat(const std::string& bootstrap, const std::string& topic, int count, int first = 0);
void produce_with_kcat(const mock_cluster& mock, const std::string& topic, int count, int first = 0);

// The group's committed offsets per partition (-1 where none), read with kafka-python.
std::map<std::int32_t, std::int64_t> committed_offsets(const std::string& bootstrap, const std::string& group,
                                                       const std::string& topic, int partitions);
std::map<std::int32_t, std::int64_t> committed_offsets(const mock_cluster& mock, const std::string& group,
                                                       const std::string& topic, int partitions);

// Every offset commit of `group` on `topic` as the coordinator stored it in __consumer_offsets, per
// partition in log order (real brokers only: the mock cluster keeps no such topic).
std::map<std::int32_t, std::vector<std::int64_t>> commit_history(const std::string& bootstrap, const std::string& group,
                                                                 const std::string& topic);
// One line per partition whose history has a commit below an earlier one.
std::vector<std::string> commits_moving_back(const std::map<std::int32_t, std::vector<std::int64_t>>& history);

// The log start offsets per partition, read with kafka-python.
std::map<std::int32_t, std::int64_t> beginning_offsets(const std::string& bootstrap, const std::string& topic,
                                                       int partitions);

// The end offsets (high watermarks) per partition, read with kafka-python.
std::map<std::int32_t, std::int64_t> end_offsets(const std::string& bootstrap, const std::string& topic,
                                                 int partitions);
std::map<std::int32_t, std::int64_t> end_offsets(const mock_cluster& mock, const std::string& topic, int partitions);

} // namespace kspout::testing
