// check_settings: what no single key's check can see.
#include "spout/settings_checks.hpp"

#include "spout/client_keys.hpp"

#include <map>

namespace kspout::spout {

namespace {

void check_required(const settings& s, const std::set<std::string_view>& given, std::vector<std::string>& errors)
{
    auto missing = [&](std::string_view key, std::string_view what) {
        if (given.contains(key)) return;
        errors.push_back(std::string(key) + " is required: " + std::string(what) + " (set it in the Storm conf, the " +
                         "config file or with --" + std::string(key) + "=VALUE)");
    };
    if (s.group.topic.empty()) missing("kafka.topic", "the topic to read");
    if (s.cluster.bootstrap_servers.empty()) missing("kafka.bootstrap.servers", "a comma-separated list of host:port");
    if (s.group.group_id.empty()) missing("kafka.group.id", "the consumer group whose offsets the spout commits");
    if (s.assignment == assignment_mode::balanced && s.group.zookeeper_connect.empty()) {
        missing("kafka.zookeeper.connect", "balanced assignment coordinates the group through ZooKeeper");
    }
}

void name_metrics(settings& s, std::vector<std::string>& errors)
{
    std::map<std::string, std::string_view> metric_names; // name -> the kind sent under it
    for (auto& [kind, name] : s.metrics.names) {
        if (name.empty()) name = s.metrics_prefix + std::string(to_string(kind));
        auto [first, inserted] = metric_names.emplace(name, to_string(kind));
        if (!inserted) {
            errors.push_back("kafka.spout.metrics: " + std::string(first->second) + " and " +
                             std::string(to_string(kind)) + " are both sent as \"" + name + "\"");
        }
    }
}

} // namespace

void check_settings(settings& s, const std::set<std::string_view>& given, std::vector<std::string>& errors)
{
    check_required(s, given, errors);
    if (s.retry.max_delay < s.retry.initial_delay) {
        errors.push_back("kafka.spout.retry.max.delay.ms (" + std::to_string(s.retry.max_delay.count()) +
                         ") is below kafka.spout.retry.initial.delay.ms (" +
                         std::to_string(s.retry.initial_delay.count()) + ")");
    }
    if (!s.retry.dead_letter_stream.empty() && s.retry.dead_letter_stream == s.stream) {
        errors.push_back("kafka.spout.dead.letter.stream is the same stream as kafka.spout.stream (\"" + s.stream +
                         "\")");
    }
    // Storm kills a subprocess that leaves a command unanswered for the timeout; next must stay
    // far below it however slowly records arrive.
    if (s.next_wait * 2 >= s.subprocess_timeout) {
        errors.push_back("kafka.spout.next.wait.ms (" + std::to_string(s.next_wait.count()) +
                         ") must be below half of Storm's subprocess timeout (" +
                         std::to_string(s.subprocess_timeout.count()) +
                         " ms, from topology.subprocess.timeout.secs or supervisor.worker.timeout.secs)");
    }
    // Members claiming the drained partitions give up (and report it) after about a session
    // timeout; the drain must end well before that.
    if (s.assignment == assignment_mode::balanced && s.revoke_drain >= s.group.zookeeper_session_timeout) {
        errors.push_back("kafka.spout.revoke.drain.ms (" + std::to_string(s.revoke_drain.count()) +
                         ") must be below kafka.zookeeper.session.timeout.ms (" +
                         std::to_string(s.group.zookeeper_session_timeout.count()) + ")");
    }
    // As the Java client: several heartbeats fit in a session, or a member is evicted between them.
    if (s.assignment == assignment_mode::kafka && s.broker_group.heartbeat_interval >= s.broker_group.session_timeout) {
        errors.push_back("kafka.group.heartbeat.interval.ms (" +
                         std::to_string(s.broker_group.heartbeat_interval.count()) +
                         ") must be below kafka.group.session.timeout.ms (" +
                         std::to_string(s.broker_group.session_timeout.count()) + ")");
    }
    if (s.group.zookeeper_acl == zk::acl_policy::creator && !s.group.zookeeper_auth) {
        errors.push_back("kafka.zookeeper.acl=creator needs kafka.zookeeper.auth: the group's znodes are made for "
                         "the credentials of their creator, and every member needs the same");
    }
    check_client_settings(s.cluster, errors);
    name_metrics(s, errors);
}

} // namespace kspout::spout
