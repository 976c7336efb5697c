// kafka-bolt's key table and load_bolt_settings: the spout's machinery with the bolt's keys and checks.
#include "spout/bolt/bolt_settings.hpp"

#include "spout/client_keys.hpp"
#include "spout/settings_keys.hpp"

#include <algorithm>

namespace kspout::spout::bolt {

using json = nlohmann::json;

namespace {

using namespace rules;

constexpr named<std::int16_t> acks_names[] = {{"all", -1}, {"1", 1}};
constexpr named<records::compression> compression_names[] = {{"none", records::compression::none},
                                                             {"gzip", records::compression::gzip},
                                                             {"snappy", records::compression::snappy},
                                                             {"lz4", records::compression::lz4},
                                                             {"zstd", records::compression::zstd}};
constexpr named<value_encoding> value_format_names[] = {
    {"string", value_encoding::string}, {"json", value_encoding::json}, {"base64", value_encoding::base64}};

basic_value_rule<bolt_settings> topic_key()
{
    return {"topic name", [](bolt_settings& s, const json& v) {
                std::string why;
                auto text = as_string(v, why);
                if (!text) return why;
                if (!valid_topic(*text)) {
                    return std::string("expected a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -");
                }
                s.topic = std::move(*text);
                return std::string();
            }};
}

basic_value_rule<bolt_settings> input_fields_key()
{
    return {"list of field names", [](bolt_settings& s, const json& v) {
                std::string why;
                auto list = as_list(v, why);
                if (!list) return why;
                for (auto it = list->begin(); it != list->end(); ++it) {
                    if (std::find(list->begin(), it, *it) != it) return "\"" + *it + "\" is listed twice";
                }
                s.fields.input = std::move(*list);
                return std::string();
            }};
}

// A record part's field name; empty: the part is not taken.
template <typename Field>
basic_value_rule<bolt_settings> part_key(Field field)
{
    return typed("field name", string_key(field, true));
}

std::vector<bolt_key_spec> make_bolt_key_table()
{
    using std::nullopt;
    auto client = [](std::string_view key) {
        return client_key<bolt_settings>(key, [](bolt_settings& s) -> io::cluster_options& { return s.cluster; });
    };
    auto client_id = client("kafka.client.id");
    client_id.default_value = "kafka-bolt";
    return {
        client("kafka.bootstrap.servers"),
        {"kafka.bolt.topic", nullopt, "topic the records go to", topic_key()},
        client_id,
        client("kafka.broker.version.fallback"),
        client("kafka.api.version.request"),
        client("kafka.security.protocol"),
        client("kafka.ssl.ca.location"),
        client("kafka.ssl.certificate.location"),
        client("kafka.ssl.key.location"),
        client("kafka.ssl.key.password"),
        client("kafka.ssl.endpoint.identification.algorithm"),
        client("kafka.ssl.cipher.suites"),
        client("kafka.sasl.mechanism"),
        client("kafka.sasl.username"),
        client("kafka.sasl.password"),
        client("kafka.sasl.oauthbearer.token.file"),
        client("kafka.client.engine"),
        client("kafka.rdkafka.*"),
        {"kafka.bolt.fields", "topic,partition,offset,key,value", "the input tuple's field names, in order",
         input_fields_key()},
        {"kafka.bolt.topic.field", "", "field holding each record's topic (empty: kafka.bolt.topic)",
         part_key([](bolt_settings& s) -> auto& { return s.fields.topic; })},
        {"kafka.bolt.key.field", "key", "field holding the key",
         part_key([](bolt_settings& s) -> auto& { return s.fields.key; })},
        {"kafka.bolt.value.field", "value", "field holding the value",
         part_key([](bolt_settings& s) -> auto& { return s.fields.value; })},
        {"kafka.bolt.headers.field", "headers", "field holding the headers",
         part_key([](bolt_settings& s) -> auto& { return s.fields.headers; })},
        {"kafka.bolt.partition.field", "partition", "field holding the partition",
         part_key([](bolt_settings& s) -> auto& { return s.fields.partition; })},
        {"kafka.bolt.timestamp.field", "timestamp", "field holding the timestamp",
         part_key([](bolt_settings& s) -> auto& { return s.fields.timestamp; })},
        {"kafka.bolt.value.format", "string", "how the value field becomes the record's value",
         enum_key([](bolt_settings& s) -> auto& { return s.value_format; }, value_format_names)},
        {"kafka.bolt.error.stream", "", "stream bad tuples are emitted on (empty: they are failed)",
         string_key([](bolt_settings& s) -> auto& { return s.error_stream; }, true)},
        {"kafka.bolt.acks", "all", "replicas that must have a record before its tuple is acked",
         enum_key([](bolt_settings& s) -> auto& { return s.producer.acks; }, acks_names)},
        {"kafka.bolt.idempotence", "true", "producer id and sequence numbers, so a resend is not written twice",
         bool_key([](bolt_settings& s) -> auto& { return s.producer.idempotence; })},
        {"kafka.bolt.compression", "none", "codec of the record batches",
         enum_key([](bolt_settings& s) -> auto& { return s.producer.compression; }, compression_names)},
        {"kafka.bolt.linger.ms", "5", "how long a partition's records wait for more",
         ms_key([](bolt_settings& s) -> auto& { return s.producer.linger; }, 0)},
        {"kafka.bolt.batch.size", "1000000", "bytes per partition batch",
         int_key([](bolt_settings& s) -> auto& { return s.producer.batch_size; }, 1, int32_max)},
        {"kafka.bolt.buffer.max.bytes", "16777216", "bytes of records not yet acknowledged",
         int_key([](bolt_settings& s) -> auto& { return s.producer.max_buffered_bytes; }, 1, int64_max)},
        {"kafka.bolt.max.in.flight", "1000", "records with the producer before the bolt stops reading",
         int_key([](bolt_settings& s) -> auto& { return s.max_in_flight; }, 1, 1'000'000)},
        {"kafka.bolt.retries", "2147483647", "resends of a batch after a retriable error",
         int_key([](bolt_settings& s) -> auto& { return s.producer.retries; }, 0, int32_max)},
        {"kafka.bolt.retry.backoff.ms", "100", "wait before a resend",
         ms_key([](bolt_settings& s) -> auto& { return s.producer.retry_backoff; }, 0)},
        {"kafka.bolt.delivery.timeout.ms", "25000", "longest time from a tuple to its record's acknowledgement",
         ms_key([](bolt_settings& s) -> auto& { return s.producer.delivery_timeout; }, 1)},
        {"kafka.bolt.request.timeout.ms", "30000", "how long the broker waits for replicas",
         ms_key([](bolt_settings& s) -> auto& { return s.producer.request_timeout; }, 1)},
        {"kafka.bolt.close.timeout.ms", "10000", "on exit, longest wait for records in flight",
         ms_key([](bolt_settings& s) -> auto& { return s.close_timeout; }, 0)},
        {"kafka.bolt.log.level", "info", "least level of the lines sent to Storm",
         enum_key([](bolt_settings& s) -> auto& { return s.log_level; }, log_level_names)},
    };
}

bool is_input_field(const bolt_settings& s, const std::string& name)
{
    return std::find(s.fields.input.begin(), s.fields.input.end(), name) != s.fields.input.end();
}

void check_bolt_settings(const bolt_settings& s, const std::set<std::string_view>& given,
                         std::vector<std::string>& errors)
{
    check_client_settings(s.cluster, errors);
    auto required = [&](std::string_view key, std::string_view what) {
        if (given.contains(key)) return;
        errors.push_back(std::string(key) + " is required: " + std::string(what) +
                         " (set it in the Storm conf, the config file or with --" + std::string(key) + "=VALUE)");
    };
    if (s.cluster.bootstrap_servers.empty()) required("kafka.bootstrap.servers", "a comma-separated list of host:port");
    bool topic_from_tuples = !s.fields.topic.empty() && is_input_field(s, s.fields.topic);
    if (s.topic.empty() && !topic_from_tuples) {
        required("kafka.bolt.topic",
                 "the topic to write (or name a field of kafka.bolt.fields in kafka.bolt.topic.field)");
    }
    if (s.producer.idempotence && s.producer.acks != -1) {
        errors.push_back("kafka.bolt.idempotence needs kafka.bolt.acks all (set kafka.bolt.idempotence to false for "
                         "acks 1)");
    }
    // A part's default may name a field the tuples do not have (the spout's default fields carry
    // no headers); a name given on purpose must be there, and so must the value.
    auto fields = std::string("kafka.bolt.fields (");
    for (const auto& f : s.fields.input) fields += (&f == s.fields.input.data() ? "" : ",") + f;
    fields += ")";
    const std::pair<std::string_view, const std::string*> parts[] = {
        {"kafka.bolt.topic.field", &s.fields.topic},         {"kafka.bolt.key.field", &s.fields.key},
        {"kafka.bolt.value.field", &s.fields.value},         {"kafka.bolt.headers.field", &s.fields.headers},
        {"kafka.bolt.partition.field", &s.fields.partition}, {"kafka.bolt.timestamp.field", &s.fields.timestamp}};
    for (const auto& [key, name] : parts) {
        bool must = key == "kafka.bolt.value.field" || (given.contains(key) && !name->empty());
        if (must && !is_input_field(s, *name)) {
            errors.push_back(std::string(key) + ": \"" + *name + "\" is not one of " + fields);
        }
    }
}

} // namespace

const std::vector<bolt_key_spec>& bolt_key_table()
{
    static const std::vector<bolt_key_spec> table = make_bolt_key_table();
    return table;
}

const bolt_key_spec* find_bolt_key(std::string_view key)
{
    return find_in(bolt_key_table(), key);
}

bolt_settings default_bolt_settings()
{
    return defaults_of(bolt_key_table());
}

bolt_settings_result load_bolt_settings(const json& storm_conf, const command_line& flags, const json& config_file)
{
    bolt_settings_result result;
    bolt_settings s = default_bolt_settings();
    auto given = apply_sources<bolt_settings>(
        s, {storm_conf, flags, config_file}, [](std::string_view key) { return find_bolt_key(key); },
        [](std::string_view key) { return find_key(key) != nullptr; }, result.errors);
    if (auto timeout = storm_subprocess_timeout(storm_conf)) s.subprocess_timeout = *timeout;
    if (auto it = storm_conf.is_object() ? storm_conf.find("topology.message.timeout.secs") : storm_conf.end();
        it != storm_conf.end() && it->is_number() && it->get<double>() > 0 && it->get<double>() < 1e9) {
        s.message_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(it->get<double>() * 1000));
    }
    if (auto it = storm_conf.is_object() ? storm_conf.find("topology.shellbolt.max.pending") : storm_conf.end();
        it != storm_conf.end() && it->is_number_integer() && it->get<std::int64_t>() >= 1) {
        s.storm_max_pending = it->get<std::int64_t>();
    }
    check_bolt_settings(s, given, result.errors);
    if (result.errors.empty()) result.value = std::move(s);
    return result;
}

} // namespace kspout::spout::bolt
