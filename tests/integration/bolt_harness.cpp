// bolt_harness: kafka-bolt under the ShellBolt host, with the spout's tuple shape.
#include "tests/integration/bolt_harness.hpp"

#include "tests/integration/test_engine.hpp"

#include <algorithm>

namespace kspout::testing {

using multilang::json;

multilang::json bolt_conf(const std::string& bootstrap, const std::string& topic)
{
    return {{"kafka.bootstrap.servers", bootstrap},
            {"kafka.bolt.topic", topic},
            {"kafka.bolt.retry.backoff.ms", 20},
            {"kafka.bolt.linger.ms", 2},
            {"kafka.client.engine", test_engine()},
            {"topology.name", "test"}};
}

bolt_task::bolt_task(const temp_dir& pid_dir, bolt_task_options options)
{
    multilang::shell_command command;
    command.argv = {KSPOUT_BOLT_BIN};
    multilang::shell_bolt_options o;
    o.conf = std::move(options.conf);
    o.conf["topology.subprocess.timeout.secs"] = options.timeout.count() / 1000;
    o.context = {{"taskid", 7},
                 {"componentid", "kafka-bolt"},
                 {"task->component", {{"7", "kafka-bolt"}, {"3", "kafka"}}},
                 {"stream->outputfields", std::move(options.output_fields)}};
    o.pid_dir = pid_dir.path().string();
    o.timeout = options.timeout;
    o.handshake_timeout = std::chrono::seconds(30);
    bolt_ = std::make_unique<multilang::shell_bolt>(command, o);
}

multilang::bolt_output bolt_task::read_until_settled(const std::vector<std::string>& ids)
{
    return bolt_->read_until([&](const multilang::bolt_output& out) {
        return std::all_of(ids.begin(), ids.end(), [&](const std::string& id) {
            return std::find(out.acked.begin(), out.acked.end(), id) != out.acked.end() ||
                   std::find(out.failed.begin(), out.failed.end(), id) != out.failed.end();
        });
    });
}

multilang::bolt_tuple spout_tuple(const std::string& id, std::int32_t partition, std::int64_t offset,
                                  const std::string& key, const std::string& value)
{
    multilang::bolt_tuple t;
    t.id = id;
    t.component = "kafka";
    t.stream = "default";
    t.task = 3;
    t.values = json::array({"source", partition, offset, key, value});
    return t;
}

} // namespace kspout::testing
