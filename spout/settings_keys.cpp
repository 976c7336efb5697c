// The key table: for each kafka.* key its default, doc, type and range, and the field it writes.
#include "spout/settings_keys.hpp"

#include "protocol/io/secret_value.hpp"
#include "spout/settings_values.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <span>
#include <type_traits>

namespace kspout::spout {

using json = nlohmann::json;
using std::chrono::milliseconds;

namespace {

constexpr std::int64_t int32_max = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

using apply_fn = std::function<std::string(settings&, const json&)>;

// A key's field is given as a function from the settings to it: [](settings& s) -> auto& {...}.
template <typename Field>
using field_type = std::remove_reference_t<std::invoke_result_t<Field, settings&>>;

// How the README writes a number: with a minus sign, not a hyphen.
std::string number_text(std::int64_t n)
{
    return n < 0 ? "\u2212" + std::to_string(-n) : std::to_string(n);
}

std::string integer_type(std::int64_t min, std::int64_t max)
{
    if (max == int32_max || max == int64_max) return "integer \u2265 " + number_text(min);
    return "integer " + number_text(min) + " to " + number_text(max);
}

template <typename Field>
value_rule int_key(Field field, std::int64_t min, std::int64_t max)
{
    return {integer_type(min, max), [=](settings& s, const json& v) {
                std::string why;
                if (auto n = as_int(v, min, max, why)) field(s) = static_cast<field_type<Field>>(*n);
                return why;
            }};
}

template <typename Field>
value_rule ms_key(Field field, std::int64_t min)
{
    return {integer_type(min, int32_max), [=](settings& s, const json& v) {
                std::string why;
                if (auto n = as_int(v, min, int32_max, why)) field(s) = milliseconds(*n);
                return why;
            }};
}

template <typename Field>
value_rule bool_key(Field field)
{
    return {"boolean", [=](settings& s, const json& v) {
                std::string why;
                if (auto b = as_bool(v, why)) field(s) = *b;
                return why;
            }};
}

template <typename Field>
value_rule string_key(Field field, bool allow_empty)
{
    return {"string", [=](settings& s, const json& v) {
                std::string why;
                auto text = as_string(v, why);
                if (text && text->empty() && !allow_empty) return std::string("expected a non-empty string");
                if (text) field(s) = std::move(*text);
                return why;
            }};
}

// The spelling of an enum's value in the settings.
template <typename Enum>
struct named {
    std::string_view name;
    Enum value;
};

template <typename Field, typename Enum>
value_rule enum_key(Field field, std::span<const named<Enum>> names)
{
    std::string type;
    std::string why = "expected one of";
    for (const auto& n : names) {
        type += (type.empty() ? "`" : " \\| `") + std::string(n.name) + "`";
        why += (&n == names.data() ? " " : ", ") + std::string(n.name);
    }
    return {type, [=](settings& s, const json& v) {
                if (v.is_string()) {
                    for (const auto& [name, value] : names) {
                        if (name == v.get_ref<const std::string&>()) {
                            field(s) = value;
                            return std::string();
                        }
                    }
                }
                return why;
            }};
}

// The settings' spellings of the protocol's enums and the spout's own, as users have always written them.
constexpr named<assignment_mode> assignment_names[] = {{"balanced", assignment_mode::balanced},
                                                       {"static", assignment_mode::by_task_index}};
constexpr named<io::offset_reset> offset_reset_names[] = {
    {"earliest", io::offset_reset::earliest}, {"latest", io::offset_reset::latest}, {"error", io::offset_reset::error}};
constexpr named<messages::isolation_level> isolation_names[] = {
    {"read_committed", messages::isolation_level::read_committed},
    {"read_uncommitted", messages::isolation_level::read_uncommitted}};
constexpr named<group::owners_dir_style> owners_dir_names[] = {
    {"plain", group::owners_dir_style::plain}, {"python3", group::owners_dir_style::python3_bytes_repr}};
constexpr named<value_format> value_format_names[] = {{"string", value_format::string}, {"json", value_format::json}};
constexpr named<invalid_utf8_policy> invalid_utf8_names[] = {{"base64", invalid_utf8_policy::base64},
                                                             {"replace", invalid_utf8_policy::replace},
                                                             {"error", invalid_utf8_policy::error}};
constexpr named<retries_exhausted> exhausted_names[] = {{"give_up", retries_exhausted::give_up},
                                                        {"keep_retrying", retries_exhausted::keep_retrying}};
constexpr named<multilang::log_level> log_level_names[] = {{"debug", multilang::log_level::debug},
                                                           {"info", multilang::log_level::info},
                                                           {"warn", multilang::log_level::warn},
                                                           {"error", multilang::log_level::error}};

template <typename Field, typename Enum, std::size_t N>
value_rule enum_key(Field field, const named<Enum> (&names)[N])
{
    return enum_key(field, std::span<const named<Enum>>(names));
}

value_rule bootstrap_servers_key()
{
    return {"list of `host:port`", [](settings& s, const json& v) {
                std::string why;
                auto list = as_list(v, why);
                if (!list) return why;
                for (const auto& server : *list) {
                    if (!valid_host_port(server)) return "\"" + server + "\" is not host:port";
                }
                s.cluster.bootstrap_servers = std::move(*list);
                return std::string();
            }};
}

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

value_rule broker_version_fallback_key()
{
    return {"`0.8.2` \\| `0.9.0` \\| `0.10.0`", [](settings& s, const json& v) {
                std::string why;
                auto text = as_choice(v, {"0.8.2", "0.9.0", "0.10.0"}, why);
                if (text) s.cluster.broker.broker_version_fallback = std::move(*text);
                return why;
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

constexpr named<io::security_protocol> security_protocol_names[] = {
    {"PLAINTEXT", io::security_protocol::plaintext},
    {"SSL", io::security_protocol::ssl},
    {"SASL_PLAINTEXT", io::security_protocol::sasl_plaintext},
    {"SASL_SSL", io::security_protocol::sasl_ssl}};
constexpr named<std::string_view> sasl_mechanism_names[] = {
    {"PLAIN", "PLAIN"}, {"SCRAM-SHA-256", "SCRAM-SHA-256"}, {"SCRAM-SHA-512", "SCRAM-SHA-512"}};

// A password or key: written inline, or as file:PATH or env:NAME (io::resolve_secret).
template <typename Field>
value_rule secret_key(Field field)
{
    return {"secret: text, `file:PATH` or `env:NAME`",
            [=](settings& s, const json& v) {
                std::string why;
                auto written = as_string(v, why);
                if (!written) return why;
                auto secret = io::resolve_secret(*written, why);
                if (secret) field(s) = std::move(*secret);
                return why;
            },
            true};
}

value_rule endpoint_identification_key()
{
    return {"`https` \\| empty", [](settings& s, const json& v) {
                std::string why;
                auto text = as_choice(v, {"https", ""}, why);
                if (text) s.cluster.broker.tls.verify_hostname = !text->empty();
                return why;
            }};
}

// The same rule, documented with another type (its range depends on another key).
value_rule typed(std::string type, value_rule rule)
{
    rule.type = std::move(type);
    return rule;
}

std::vector<key_spec> make_key_table()
{
    using std::nullopt;
    return {
        {"kafka.bootstrap.servers", nullopt, "brokers to discover the cluster from", bootstrap_servers_key()},
        {"kafka.zookeeper.connect", nullopt, "ZooKeeper ensemble that coordinates a balanced group",
         zookeeper_connect_key()},
        {"kafka.topic", nullopt, "topic to read", topic_key()},
        {"kafka.group.id", nullopt, "consumer group: whose offsets are committed and, when balanced, joined",
         string_key([](settings& s) -> auto& { return s.group.group_id; }, false)},
        {"kafka.client.id", "kafka-spout", "client id sent to brokers",
         string_key([](settings& s) -> auto& { return s.cluster.broker.client_id; }, true)},
        {"kafka.spout.assignment", "balanced", "how the tasks share the partitions: a ZooKeeper group or by task index",
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
        {"kafka.broker.version.fallback", "0.10.0", "version table for brokers that do not answer ApiVersions",
         broker_version_fallback_key()},
        {"kafka.api.version.request", "true", "ask each broker for its versions",
         bool_key([](settings& s) -> auto& { return s.cluster.broker.api_version_request; })},
        // Security: TLS and SASL to the brokers.
        {"kafka.security.protocol", "PLAINTEXT", "how the brokers are reached: plain TCP or TLS, with SASL or not",
         enum_key([](settings& s) -> auto& { return s.cluster.broker.security; }, security_protocol_names)},
        {"kafka.ssl.ca.location", "", "CA certificates (PEM file or directory) the brokers' certificates are checked with",
         string_key([](settings& s) -> auto& { return s.cluster.broker.tls.ca_location; }, true)},
        {"kafka.ssl.certificate.location", "", "client certificate (PEM) for mutual TLS",
         string_key([](settings& s) -> auto& { return s.cluster.broker.tls.certificate_location; }, true)},
        {"kafka.ssl.key.location", "", "private key (PEM) of the client certificate",
         string_key([](settings& s) -> auto& { return s.cluster.broker.tls.key_location; }, true)},
        {"kafka.ssl.key.password", "", "password of the private key",
         secret_key([](settings& s) -> auto& { return s.cluster.broker.tls.key_password; })},
        {"kafka.ssl.endpoint.identification.algorithm", "https",
         "whether a broker's certificate must name the host connected to", endpoint_identification_key()},
        {"kafka.ssl.cipher.suites", "", "OpenSSL cipher list for TLS 1.2",
         string_key([](settings& s) -> auto& { return s.cluster.broker.tls.cipher_list; }, true)},
        {"kafka.sasl.mechanism", "PLAIN", "SASL mechanism for the SASL_* protocols",
         enum_key([](settings& s) -> auto& { return s.cluster.broker.sasl.mechanism; }, sasl_mechanism_names)},
        {"kafka.sasl.username", "", "SASL user name",
         string_key([](settings& s) -> auto& { return s.cluster.broker.sasl.username; }, true)},
        {"kafka.sasl.password", "", "SASL password",
         secret_key([](settings& s) -> auto& { return s.cluster.broker.sasl.password; })},
        {"kafka.zookeeper.session.timeout.ms", "6000", "ZooKeeper session timeout the spout requests",
         ms_key([](settings& s) -> auto& { return s.group.zookeeper_session_timeout; }, 1)},
        {"kafka.zookeeper.owners.dir", "plain", "spelling of the group's owners directory (pykafka's, by Python)",
         enum_key([](settings& s) -> auto& { return s.group.owners_dir; }, owners_dir_names)},
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
    for (const auto& spec : key_table()) {
        if (spec.key == key) return &spec;
    }
    return nullptr;
}

settings default_settings()
{
    settings s;
    for (const auto& spec : key_table()) {
        if (spec.default_value) spec.rule.apply(s, json(std::string(*spec.default_value)));
    }
    return s;
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
