// The key table: for each kafka.* key its default, doc, type and range, and the field it writes.
#include "spout/settings_keys.hpp"

#include "protocol/io/secret_value.hpp"
#include "spout/client_keys.hpp"
#include "spout/settings_values.hpp"

#include <algorithm>
#include <map>

namespace kspout::spout {

using json = nlohmann::json;

namespace {

using namespace rules;

// The settings' spellings of the protocol's enums and the spout's own, as users have always written them.
constexpr named<assignment_mode> assignment_names[] = {{"balanced", assignment_mode::balanced},
                                                       {"static", assignment_mode::by_task_index},
                                                       {"kafka", assignment_mode::kafka}};
constexpr named<member::group_protocol> group_protocol_names[] = {{"auto", member::group_protocol::best_offered},
                                                                 {"classic", member::group_protocol::classic},
                                                                 {"consumer", member::group_protocol::consumer}};
constexpr named<group::assignor_kind> assignor_names[] = {{"range", group::assignor_kind::range},
                                                          {"roundrobin", group::assignor_kind::round_robin},
                                                          {"cooperative-sticky", group::assignor_kind::cooperative_sticky}};
constexpr named<io::offset_reset> offset_reset_names[] = {
    {"earliest", io::offset_reset::earliest}, {"latest", io::offset_reset::latest}, {"error", io::offset_reset::error}};
constexpr named<messages::isolation_level> isolation_names[] = {
    {"read_committed", messages::isolation_level::read_committed},
    {"read_uncommitted", messages::isolation_level::read_uncommitted}};
constexpr named<group::owners_dir_style> owners_dir_names[] = {
    {"plain", group::owners_dir_style::plain}, {"python3", group::owners_dir_style::python3_bytes_repr}};
constexpr named<zk::acl_policy> zookeeper_acl_names[] = {{"open", zk::acl_policy::open},
                                                          {"creator", zk::acl_policy::creator}};
constexpr named<value_format> value_format_names[] = {{"string", value_format::string}, {"json", value_format::json}};
constexpr named<invalid_utf8_policy> invalid_utf8_names[] = {{"base64", invalid_utf8_policy::base64},
                                                             {"replace", invalid_utf8_policy::replace},
                                                             {"error", invalid_utf8_policy::error}};
constexpr named<retries_exhausted> exhausted_names[] = {{"give_up", retries_exhausted::give_up},
                                                        {"keep_retrying", retries_exhausted::keep_retrying}};

value_rule zookeeper_connect_key()
{
    return {"`host:port[,host:port...][/chroot]`", [](settings& s, const json& v) {
                std::string why;
                auto text = as_string(v, why);
                if (!text) return why;
                std::string_view hosts = *text;
                if (auto slash = hosts.find('/'); slash != std::string_view::npos) hosts = hosts.substr(0, slash);
                if (hosts.empty()) return std::string("expected host:port[,host:port...][/chroot]");
                while (!hosts.empty()) {
                    auto comma = hosts.find(',');
                    if (!valid_host_port(trim(hosts.substr(0, comma)))) {
                        return std::string("expected host:port[,host:port...][/chroot]");
                    }
                    if (comma == std::string_view::npos) break;
                    hosts.remove_prefix(comma + 1);
                }
                s.group.zookeeper_connect = std::move(*text);
                return std::string();
            }};
}

// zkCli's addauth form, SCHEME:CREDENTIALS; of the schemes only digest (USER:PASSWORD) can be
// used without SASL, which Debian's C client lacks. A secret: no error quotes any part of it.
value_rule zookeeper_auth_key()
{
    return {"secret: `digest:USER:PASSWORD`, `file:PATH` or `env:NAME`",
            [](settings& s, const json& v) {
                std::string why;
                auto written = as_string(v, why);
                if (!written) return why;
                auto secret = io::resolve_secret(*written, why);
                if (!secret) return why;
                if (secret->empty()) {
                    s.group.zookeeper_auth.reset();
                    return std::string();
                }
                auto colon = secret->find(':');
                if (colon == std::string::npos) return std::string("expected digest:USER:PASSWORD (no scheme given)");
                if (std::string_view(*secret).substr(0, colon) != "digest") {
                    return std::string("only the digest scheme is supported (digest:USER:PASSWORD)");
                }
                std::string credentials = secret->substr(colon + 1);
                auto user_end = credentials.find(':');
                if (user_end == std::string::npos || user_end == 0) {
                    return std::string("expected digest:USER:PASSWORD (a user name, a colon, then the password)");
                }
                s.group.zookeeper_auth = zk::auth_data{"digest", std::move(credentials)};
                return std::string();
            },
            true};
}

value_rule topic_key()
{
    return {"topic name", [](settings& s, const json& v) {
                std::string why;
                auto text = as_string(v, why);
                if (!text) return why;
                if (!valid_topic(*text)) {
                    return std::string("expected a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -");
                }
                s.group.topic = std::move(*text);
                return std::string();
            }};
}

value_rule fields_key()
{
    return {"list of `topic`, `partition`, `offset`, `key`, `value`, `timestamp`, `headers`",
            [](settings& s, const json& v) {
                std::string why;
                auto list = as_list(v, why);
                if (!list) return why;
                std::vector<tuple_field> fields;
                for (const auto& name : *list) {
                    auto field = parse_tuple_field(name);
                    if (!field) {
                        return "\"" + name +
                               "\" is not a field (expected topic, partition, offset, key, value, timestamp, headers)";
                    }
                    if (std::find(fields.begin(), fields.end(), *field) != fields.end()) {
                        return "\"" + name + "\" is listed twice";
                    }
                    fields.push_back(*field);
                }
                s.fields = std::move(fields);
                return std::string();
            }};
}

// KIND or KIND=NAME items (a list or a comma-separated string), or an object of KIND: NAME. A
// kind without a name gets kafka.spout.metrics.prefix + KIND once all sources are read.
std::string apply_metrics(settings& s, const json& v)
{
    std::vector<std::pair<std::string, std::string>> items;
    if ((v.is_string() && v.get_ref<const std::string&>().empty()) || (v.is_array() && v.empty())) {
        s.metrics.names.clear(); // turns metrics off where a lower source turned them on
        return std::string();
    }
    if (v.is_object()) {
        for (const auto& [kind, name] : v.items()) {
            if (!name.is_string()) return "expected an object of KIND: NAME with string names";
            items.emplace_back(kind, name.get<std::string>());
        }
    } else {
        std::string why;
        auto list = as_list(v, why);
        if (!list) return why;
        for (const auto& item : *list) {
            auto eq = item.find('=');
            if (eq == std::string::npos) {
                items.emplace_back(item, "");
            } else {
                std::string_view text = item;
                items.emplace_back(trim(text.substr(0, eq)), trim(text.substr(eq + 1)));
                if (items.back().second.empty()) return "\"" + item + "\" has no name after =";
            }
        }
    }
    std::map<metric_kind, std::string> names;
    for (const auto& [kind_name, name] : items) {
        auto kind = parse_metric_kind(kind_name);
        if (!kind) {
            return "\"" + kind_name + "\" is not a metric (expected emitted, acked, failed, replayed, committed, lag)";
        }
        if (!names.emplace(*kind, name).second) return "\"" + kind_name + "\" is listed twice";
    }
    s.metrics.names = std::move(names);
    return std::string();
}

value_rule metrics_key()
{
    return {"list of `KIND` or `KIND=NAME`, or an object of `KIND: NAME`", apply_metrics};
}

// A key both executables take, writing the spout's cluster options.
key_spec client_key(std::string_view key)
{
    return spout::client_key<settings>(key, [](settings& s) -> io::cluster_options& { return s.cluster; });
}

std::vector<key_spec> make_key_table()
{
    using std::nullopt;
    return {
        client_key("kafka.bootstrap.servers"),
        {"kafka.zookeeper.connect", nullopt, "ZooKeeper ensemble that coordinates a balanced group",
         zookeeper_connect_key()},
        {"kafka.topic", nullopt, "topic to read", topic_key()},
        {"kafka.group.id", nullopt, "consumer group: whose offsets are committed and, when balanced, joined",
         string_key([](settings& s) -> auto& { return s.group.group_id; }, false)},
        client_key("kafka.client.id"),
        {"kafka.spout.assignment", "balanced",
         "how the tasks share the partitions: a ZooKeeper group, by task index or a broker-managed group",
         enum_key([](settings& s) -> auto& { return s.assignment; }, assignment_names)},
        {"kafka.auto.offset.reset", "earliest", "where to start without a committed offset, or out of range",
         enum_key([](settings& s) -> auto& { return s.group.consumer.auto_offset_reset; }, offset_reset_names)},
        {"kafka.reset.offset.on.start", "false", "ignore committed offsets at startup",
         bool_key([](settings& s) -> auto& { return s.group.consumer.reset_offset_on_start; })},
        {"kafka.fetch.min.bytes", "1", "bytes the broker waits for before it answers a fetch",
         int_key([](settings& s) -> auto& { return s.group.consumer.fetch_min_bytes; }, 0, int32_max)},
        {"kafka.fetch.max.wait.ms", "100", "longest wait of the broker for fetch.min.bytes",
         ms_key([](settings& s) -> auto& { return s.group.consumer.fetch_max_wait; }, 0)},
        {"kafka.fetch.max.bytes", "1048576", "bytes per partition per fetch",
         int_key([](settings& s) -> auto& { return s.group.consumer.fetch_partition_bytes; }, 1, int32_max)},
        {"kafka.queued.max.messages", "2000", "records buffered per partition",
         int_key([](settings& s) -> auto& { return s.group.consumer.queued_max_messages; }, 1, int64_max)},
        {"kafka.queued.max.bytes", "16777216", "bytes of keys, values and headers buffered per partition",
         int_key([](settings& s) -> auto& { return s.group.consumer.queued_max_bytes; }, 1, int64_max)},
        {"kafka.isolation.level", "read_committed", "whether records of aborted transactions are skipped",
         enum_key([](settings& s) -> auto& { return s.group.consumer.isolation; }, isolation_names)},
        {"kafka.check.crcs", "true", "verify record checksums",
         bool_key([](settings& s) -> auto& { return s.group.consumer.check_crcs; })},
        client_key("kafka.broker.version.fallback"),
        client_key("kafka.api.version.request"),
        // Security: TLS and SASL to the brokers.
        client_key("kafka.security.protocol"),
        client_key("kafka.ssl.ca.location"),
        client_key("kafka.ssl.certificate.location"),
        client_key("kafka.ssl.key.location"),
        client_key("kafka.ssl.key.password"),
        client_key("kafka.ssl.endpoint.identification.algorithm"),
        client_key("kafka.ssl.cipher.suites"),
        client_key("kafka.sasl.mechanism"),
        client_key("kafka.sasl.username"),
        client_key("kafka.sasl.password"),
        client_key("kafka.sasl.oauthbearer.token.file"),
        client_key("kafka.client.engine"),
        client_key("kafka.rdkafka.*"),
        {"kafka.zookeeper.session.timeout.ms", "6000", "ZooKeeper session timeout the spout requests",
         ms_key([](settings& s) -> auto& { return s.group.zookeeper_session_timeout; }, 1)},
        {"kafka.zookeeper.owners.dir", "plain", "spelling of the group's owners directory (pykafka's, by Python)",
         enum_key([](settings& s) -> auto& { return s.group.owners_dir; }, owners_dir_names)},
        {"kafka.zookeeper.auth", "", "ZooKeeper credentials added to every session", zookeeper_auth_key()},
        {"kafka.zookeeper.acl", "open",
         "who may use the znodes the group creates: anyone, or their creator's credentials",
         enum_key([](settings& s) -> auto& { return s.group.zookeeper_acl; }, zookeeper_acl_names)},
        {"kafka.group.protocol", "auto", "the broker-managed group's protocol: KIP-848's (consumer) or classic",
         enum_key([](settings& s) -> auto& { return s.group_protocol; }, group_protocol_names)},
        {"kafka.group.session.timeout.ms", "45000", "how long the broker keeps a silent member (kafka assignment)",
         ms_key([](settings& s) -> auto& { return s.broker_group.session_timeout; }, 1)},
        {"kafka.group.heartbeat.interval.ms", "3000", "how often a member heartbeats (kafka assignment)",
         ms_key([](settings& s) -> auto& { return s.broker_group.heartbeat_interval; }, 1)},
        {"kafka.group.rebalance.timeout.ms", "300000", "how long a rebalance waits for members to rejoin",
         ms_key([](settings& s) -> auto& { return s.broker_group.rebalance_timeout; }, 1)},
        {"kafka.group.assignor", "range", "how the group leader spreads the partitions (kafka assignment)",
         enum_key([](settings& s) -> auto& { return s.broker_group.assignor; }, assignor_names)},
        {"kafka.group.instance.id", "", "static membership id (kafka assignment); empty: derived from the task",
         string_key([](settings& s) -> auto& { return s.group_instance_id; }, true)},
        {"kafka.rebalance.max.retries", "5", "with the backoff, how long claims may fail before it is reported",
         int_key([](settings& s) -> auto& { return s.rebalance.max_retries; }, 1, int32_max)},
        {"kafka.rebalance.backoff.ms", "2000", "first wait between claim attempts (capped) and the report deadline",
         ms_key([](settings& s) -> auto& { return s.rebalance.backoff; }, 0)},
        {"kafka.spout.fields", "topic,partition,offset,key,value", "tuple fields when the topology declares none",
         fields_key()},
        {"kafka.spout.stream", "default", "stream the tuples go out on",
         string_key([](settings& s) -> auto& { return s.stream; }, false)},
        {"kafka.spout.value.format", "string", "whether values are emitted as strings or parsed as JSON",
         enum_key([](settings& s) -> auto& { return s.format; }, value_format_names)},
        {"kafka.spout.invalid.utf8", "base64", "what becomes of bytes that are not UTF-8",
         enum_key([](settings& s) -> auto& { return s.invalid_utf8; }, invalid_utf8_names)},
        {"kafka.spout.batch.size", "100", "most tuples emitted per next",
         int_key([](settings& s) -> auto& { return s.batch_size; }, 1, 1'000'000)},
        {"kafka.spout.next.wait.ms", "5", "longest wait of next for records when none are buffered",
         ms_key([](settings& s) -> auto& { return s.next_wait; }, 0)},
        {"kafka.spout.max.uncommitted.offsets", "1000000", "emitted offsets not yet committed, per partition",
         int_key([](settings& s) -> auto& { return s.max_uncommitted_offsets; }, 1, int64_max)},
        {"kafka.spout.commit.interval.ms", "5000", "how often acked offsets are committed",
         ms_key([](settings& s) -> auto& { return s.commit_interval; }, 1)},
        {"kafka.spout.revoke.drain.ms", "1000", "longest wait for the acks of revoked partitions' tuples",
         ms_key([](settings& s) -> auto& { return s.revoke_drain; }, 0)},
        {"kafka.spout.retry.initial.delay.ms", "100", "delay before the first replay of a failed tuple",
         ms_key([](settings& s) -> auto& { return s.retry.initial_delay; }, 0)},
        {"kafka.spout.retry.max.delay.ms", "10000", "cap on the replay delay",
         typed("integer \u2265 initial delay", ms_key([](settings& s) -> auto& { return s.retry.max_delay; }, 0))},
        {"kafka.spout.retry.max.retries", "10", "replays per record (-1: no limit)",
         int_key([](settings& s) -> auto& { return s.retry.max_retries; }, -1, int32_max)},
        {"kafka.spout.retry.exhausted", "give_up", "what happens after the last retry",
         enum_key([](settings& s) -> auto& { return s.retry.exhausted; }, exhausted_names)},
        {"kafka.spout.dead.letter.stream", "", "stream records given up on are emitted on (empty: none)",
         string_key([](settings& s) -> auto& { return s.retry.dead_letter_stream; }, true)},
        {"kafka.spout.stats.interval.ms", "60000", "how often a stats line is logged (0: never)",
         ms_key([](settings& s) -> auto& { return s.stats_interval; }, 0)},
        {"kafka.spout.log.level", "info", "least level of the lines sent to Storm",
         enum_key([](settings& s) -> auto& { return s.log_level; }, log_level_names)},
        {"kafka.spout.metrics", "", "Storm metrics to send, and their names", metrics_key()},
        {"kafka.spout.metrics.prefix", "kafka-spout.", "name prefix of a metric listed without a name",
         string_key([](settings& s) -> auto& { return s.metrics_prefix; }, true)},
        {"kafka.spout.metrics.interval.ms", "10000", "least time between two metric reports",
         ms_key([](settings& s) -> auto& { return s.metrics.interval; }, 0)},
    };
}

} // namespace

const std::vector<key_spec>& key_table()
{
    static const std::vector<key_spec> table = make_key_table();
    return table;
}

const key_spec* find_key(std::string_view key)
{
    return find_in(key_table(), key);
}

settings default_settings()
{
    return defaults_of(key_table());
}

std::vector<std::string_view> settings_keys()
{
    std::vector<std::string_view> keys;
    for (const auto& spec : key_table()) keys.push_back(spec.key);
    return keys;
}

std::string_view to_string(assignment_mode mode)
{
    for (const auto& [name, value] : assignment_names) {
        if (value == mode) return name;
    }
    return "unknown";
}

} // namespace kspout::spout
