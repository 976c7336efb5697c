// spout_task and the kcat / kafka-python helpers the spout tests share.
#include "tests/integration/spout_harness.hpp"

#include "tests/integration/exit_status.hpp"
#include "tests/integration/process.hpp"


#include <algorithm>
#include <functional>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace kspout::testing {

multilang::json spout_context(std::int64_t task, const std::vector<std::int64_t>& tasks)
{
    multilang::json task_to_component = {{"100", "__acker"}};
    for (auto t : tasks) task_to_component[std::to_string(t)] = "kafka";
    return {{"taskid", task},
            {"componentid", "kafka"},
            {"task->component", task_to_component},
            {"stream->outputfields", {{"default", {"topic", "partition", "offset", "key", "value"}}}}};
}

multilang::json static_spout_conf(const std::string& bootstrap, const std::string& topic, const std::string& group)
{
    return {{"kafka.bootstrap.servers", bootstrap},
            {"kafka.topic", topic},
            {"kafka.group.id", group},
            {"kafka.spout.assignment", "static"},
            {"kafka.auto.offset.reset", "earliest"},
            {"kafka.spout.commit.interval.ms", 100},
            {"kafka.spout.retry.initial.delay.ms", 20},
            {"kafka.spout.stats.interval.ms", 0},
            {"kafka.client.engine", test_engine()},
            {"topology.name", "test"}};
}

multilang::json static_spout_conf(const mock_cluster& mock, const std::string& topic, const std::string& group)
{
    return static_spout_conf(mock.bootstrap(), topic, group);
}

multilang::json balanced_spout_conf(const std::string& bootstrap, const std::string& zookeeper_connect,
                                    const std::string& topic, const std::string& group)
{
    multilang::json conf = static_spout_conf(bootstrap, topic, group);
    conf["kafka.spout.assignment"] = "balanced";
    conf["kafka.zookeeper.connect"] = zookeeper_connect;
    conf["kafka.zookeeper.session.timeout.ms"] = 2000;
    conf["kafka.rebalance.backoff.ms"] = 200;
    return conf;
}

multilang::json balanced_spout_conf(const mock_cluster& mock, const std::string& zookeeper_connect,
                                    const std::string& topic, const std::string& group)
{
    return balanced_spout_conf(mock.bootstrap(), zookeeper_connect, topic, group);
}

spout_task::spout_task(const temp_dir& pid_dir, spout_task_options options)
{
    multilang::shell_command command;
    command.argv = {KSPOUT_SPOUT_BIN};
    multilang::shell_spout_options o;
    o.conf = std::move(options.conf);
    o.conf["topology.subprocess.timeout.secs"] = options.timeout.count() / 1000;
    o.context = spout_context(options.task, options.tasks);
    o.pid_dir = pid_dir.path().string();
    o.timeout = options.timeout;
    o.handshake_timeout = std::chrono::seconds(30);
    o.registered_metrics = std::move(options.registered_metrics);
    o.on_stderr = std::move(options.on_stderr);
    spout_ = std::make_unique<multilang::shell_spout>(command, o);
}

std::vector<multilang::emit_message> spout_task::next_until(std::size_t want, std::chrono::milliseconds limit)
{
    std::vector<multilang::emit_message> out;
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
        auto reply = spout_->next();
        for (auto& e : reply.emits) out.push_back(std::move(e));
    }
    return out;
}

::testing::AssertionResult exits_zero_after_stdin_closes(spout_task& task, std::chrono::milliseconds limit)
{
    task.process().close_stdin();
    return exits_zero(task.process(), limit);
}

std::pair<std::int32_t, std::int64_t> parse_emit_id(const multilang::emit_message& e)
{
    const std::string& id = e.id.value();
    auto last = id.rfind(':');
    auto middle = id.rfind(':', last - 1);
    return {std::stoi(id.substr(middle + 1, last - middle - 1)), std::stoll(id.substr(last + 1))};
}

void produce_with_kcat(const mock_cluster& mock, const std::string& topic, int count, int first)
{
    produce_with_kcat(mock.bootstrap(), topic, count, first);
}

void produce_with_kcat(const std::string& bootstrap, const std::string& topic, int count, int first)
{
    std::string input;
    for (int i = first; i < first + count; ++i) input += "key-" + std::to_string(i) + "\tvalue-" + std::to_string(i) + "\n";
    auto r = run_process({"kcat", "-b", bootstrap, "-P", "-t", topic, "-K", "\t"}, input);
    if (!r.ok()) throw std::runtime_error("kcat produce failed: " + r.err);
}

namespace {

std::map<std::int32_t, std::int64_t> python_offsets(const std::string& script)
{
    auto r = run_process({KSPOUT_PYTHON, "-c", script});
    if (!r.ok()) throw std::runtime_error("kafka-python failed: " + r.err);
    std::map<std::int32_t, std::int64_t> out;
    std::istringstream lines(r.out);
    std::int32_t p;
    std::int64_t o;
    while (lines >> p >> o) out[p] = o;
    return out;
}

// kafka-python's beginning_offsets or end_offsets (`call`) for every partition of `topic`.
std::string list_offsets_script(const std::string& bootstrap, const std::string& topic, int partitions,
                                const std::string& call)
{
    return "from kafka import KafkaConsumer, TopicPartition\n"
           "c = KafkaConsumer(bootstrap_servers='" + bootstrap + "'.split(','))\n"
           "tps = [TopicPartition('" + topic + "', p) for p in range(" + std::to_string(partitions) + ")]\n"
           "for tp, o in sorted(c." + call + "(tps).items()):\n"
           "    print(tp.partition, o)\n"
           "c.close()\n";
}

} // namespace

std::map<std::int32_t, std::int64_t> committed_offsets(const mock_cluster& mock, const std::string& group,
                                                       const std::string& topic, int partitions)
{
    return committed_offsets(mock.bootstrap(), group, topic, partitions);
}

std::map<std::int32_t, std::int64_t> committed_offsets(const std::string& bootstrap, const std::string& group,
                                                       const std::string& topic, int partitions)
{
    return python_offsets("from kafka import KafkaConsumer, TopicPartition\n"
                          "c = KafkaConsumer(bootstrap_servers='" + bootstrap + "'.split(','), group_id='" +
                          group + "', enable_auto_commit=False)\n"
                          "for p in range(" + std::to_string(partitions) + "):\n"
                          "    o = c.committed(TopicPartition('" + topic + "', p))\n"
                          "    print(p, -1 if o is None else o)\n"
                          "c.close()\n");
}

std::map<std::int32_t, std::vector<std::int64_t>> commit_history(const std::string& bootstrap, const std::string& group,
                                                                 const std::string& topic)
{
    auto r = run_process({KSPOUT_PYTHON, KSPOUT_SOURCE_DIR "/tests/integration/commit_history.py", bootstrap, group, topic});
    if (!r.ok()) throw std::runtime_error("commit_history.py failed: " + r.err);
    std::map<std::int32_t, std::vector<std::int64_t>> out;
    std::istringstream lines(r.out);
    std::int32_t p;
    std::int64_t o;
    while (lines >> p >> o) out[p].push_back(o);
    return out;
}

std::vector<std::string> commits_moving_back(const std::map<std::int32_t, std::vector<std::int64_t>>& history)
{
    std::vector<std::string> out;
    for (const auto& [p, offsets] : history) {
        auto back = std::adjacent_find(offsets.begin(), offsets.end(), std::greater<>());
        if (back != offsets.end())
            out.push_back("partition " + std::to_string(p) + ": " + std::to_string(*back) + " -> " +
                          std::to_string(*std::next(back)));
    }
    return out;
}

std::map<std::int32_t, std::int64_t> beginning_offsets(const std::string& bootstrap, const std::string& topic,
                                                       int partitions)
{
    return python_offsets(list_offsets_script(bootstrap, topic, partitions, "beginning_offsets"));
}

std::map<std::int32_t, std::int64_t> end_offsets(const mock_cluster& mock, const std::string& topic, int partitions)
{
    return end_offsets(mock.bootstrap(), topic, partitions);
}

std::map<std::int32_t, std::int64_t> end_offsets(const std::string& bootstrap, const std::string& topic, int partitions)
{
    return python_offsets(list_offsets_script(bootstrap, topic, partitions, "end_offsets"));
}

} // namespace kspout::testing
