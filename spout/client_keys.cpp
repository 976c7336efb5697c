// The client keys: each with its default, doc, type and range, and the cluster option it writes.
#include "spout/client_keys.hpp"

#include "protocol/io/secret_value.hpp"

namespace kspout::spout {

using json = nlohmann::json;

namespace {

using namespace rules;

basic_value_rule<io::cluster_options> bootstrap_servers_key()
{
    return {"list of `host:port`", [](io::cluster_options& c, const json& v) {
                std::string why;
                auto list = as_list(v, why);
                if (!list) return why;
                for (const auto& server : *list) {
                    if (!valid_host_port(server)) return "\"" + server + "\" is not host:port";
                }
                c.bootstrap_servers = std::move(*list);
                return std::string();
            }};
}

basic_value_rule<io::cluster_options> broker_version_fallback_key()
{
    return {"`0.8.2` \\| `0.9.0` \\| `0.10.0`", [](io::cluster_options& c, const json& v) {
                std::string why;
                auto text = as_choice(v, {"0.8.2", "0.9.0", "0.10.0"}, why);
                if (text) c.broker.broker_version_fallback = std::move(*text);
                return why;
            }};
}

constexpr named<io::security_protocol> security_protocol_names[] = {
    {"PLAINTEXT", io::security_protocol::plaintext},
    {"SSL", io::security_protocol::ssl},
    {"SASL_PLAINTEXT", io::security_protocol::sasl_plaintext},
    {"SASL_SSL", io::security_protocol::sasl_ssl}};
constexpr named<std::string_view> sasl_mechanism_names[] = {{"PLAIN", "PLAIN"},
                                                            {"SCRAM-SHA-256", "SCRAM-SHA-256"},
                                                            {"SCRAM-SHA-512", "SCRAM-SHA-512"},
                                                            {"OAUTHBEARER", "OAUTHBEARER"}};

// A password or key: written inline, or as file:PATH or env:NAME (io::resolve_secret).
template <typename Field>
basic_value_rule<io::cluster_options> secret_key(Field field)
{
    return {"secret: text, `file:PATH` or `env:NAME`",
            [=](io::cluster_options& c, const json& v) {
                std::string why;
                auto written = as_string(v, why);
                if (!written) return why;
                auto secret = io::resolve_secret(*written, why);
                if (secret) field(c) = std::move(*secret);
                return why;
            },
            true};
}

basic_value_rule<io::cluster_options> endpoint_identification_key()
{
    return {"`https` \\| empty", [](io::cluster_options& c, const json& v) {
                std::string why;
                auto text = as_choice(v, {"https", ""}, why);
                if (text) c.broker.tls.verify_hostname = !text->empty();
                return why;
            }};
}

constexpr named<io::client_engine> engine_names[] = {{"native", io::client_engine::native},
                                                    {"rdkafka", io::client_engine::rdkafka}};

// kafka.rdkafka.NAME: librdkafka's property NAME, as text; a later source replaces an earlier one.
basic_value_rule<io::cluster_options> rdkafka_property_key()
{
    basic_value_rule<io::cluster_options> rule{"librdkafka's", [](io::cluster_options&, const json& v) {
                                                   return v == json("") ? std::string() : "set a kafka.rdkafka.NAME key";
                                               },
                                               true};
    rule.apply_keyed = [](io::cluster_options& c, std::string_view key, const json& v) -> std::string {
        std::string text;
        if (v.is_string()) text = v.get<std::string>();
        else if (v.is_boolean()) text = v.get<bool>() ? "true" : "false";
        else if (v.is_number()) text = v.dump();
        else return "expected a string, number or boolean";
        std::string name(key.substr(std::string_view("kafka.rdkafka.").size()));
        auto& list = c.rdkafka_properties;
        std::erase_if(list, [&](const auto& p) { return p.first == name; });
        list.emplace_back(std::move(name), std::move(text));
        return {};
    };
    return rule;
}

std::vector<client_key_spec> make_client_keys()
{
    using std::nullopt;
    return {
        {"kafka.bootstrap.servers", nullopt, "brokers to discover the cluster from", bootstrap_servers_key()},
        {"kafka.client.id", "kafka-spout", "client id sent to brokers",
         string_key([](io::cluster_options& c) -> auto& { return c.broker.client_id; }, true)},
        {"kafka.broker.version.fallback", "0.10.0", "version table for brokers that do not answer ApiVersions",
         broker_version_fallback_key()},
        {"kafka.api.version.request", "true", "ask each broker for its versions",
         bool_key([](io::cluster_options& c) -> auto& { return c.broker.api_version_request; })},
        {"kafka.security.protocol", "PLAINTEXT", "how the brokers are reached: plain TCP or TLS, with SASL or not",
         enum_key([](io::cluster_options& c) -> auto& { return c.broker.security; }, security_protocol_names)},
        {"kafka.ssl.ca.location", "", "CA certificates (PEM file or directory) the brokers' certificates are checked with",
         string_key([](io::cluster_options& c) -> auto& { return c.broker.tls.ca_location; }, true)},
        {"kafka.ssl.certificate.location", "", "client certificate (PEM) for mutual TLS",
         string_key([](io::cluster_options& c) -> auto& { return c.broker.tls.certificate_location; }, true)},
        {"kafka.ssl.key.location", "", "private key (PEM) of the client certificate",
         string_key([](io::cluster_options& c) -> auto& { return c.broker.tls.key_location; }, true)},
        {"kafka.ssl.key.password", "", "password of the private key",
         secret_key([](io::cluster_options& c) -> auto& { return c.broker.tls.key_password; })},
        {"kafka.ssl.endpoint.identification.algorithm", "https",
         "whether a broker's certificate must name the host connected to", endpoint_identification_key()},
        {"kafka.ssl.cipher.suites", "", "OpenSSL cipher list for TLS 1.2",
         string_key([](io::cluster_options& c) -> auto& { return c.broker.tls.cipher_list; }, true)},
        {"kafka.sasl.mechanism", "PLAIN", "SASL mechanism for the SASL_* protocols",
         enum_key([](io::cluster_options& c) -> auto& { return c.broker.sasl.mechanism; }, sasl_mechanism_names)},
        {"kafka.sasl.username", "", "SASL user name",
         string_key([](io::cluster_options& c) -> auto& { return c.broker.sasl.username; }, true)},
        {"kafka.sasl.password", "", "SASL password",
         secret_key([](io::cluster_options& c) -> auto& { return c.broker.sasl.password; })},
        {"kafka.sasl.oauthbearer.token.file", "", "file holding the OAUTHBEARER token, read at every login",
         string_key([](io::cluster_options& c) -> auto& { return c.broker.sasl.oauthbearer_token_file; }, true)},
        {"kafka.client.engine", "native", "which client fetches, commits and produces: ours, or librdkafka",
         enum_key([](io::cluster_options& c) -> auto& { return c.engine; }, engine_names)},
        {"kafka.rdkafka.*", "", "a librdkafka property passed through with the rdkafka engine",
         rdkafka_property_key()},
    };
}

} // namespace

void check_client_settings(const io::cluster_options& c, std::vector<std::string>& errors)
{
    const auto& tls = c.broker.tls;
    if (tls.certificate_location.empty() != tls.key_location.empty()) {
        errors.push_back("kafka.ssl.certificate.location and kafka.ssl.key.location go together: a client "
                         "certificate needs its key");
    }
    const bool oauthbearer = c.broker.sasl.mechanism == "OAUTHBEARER";
    if (io::uses_sasl(c.broker.security) && !oauthbearer && c.broker.sasl.username.empty()) {
        errors.push_back("kafka.sasl.username is required with a SASL_* kafka.security.protocol");
    }
    if (io::uses_sasl(c.broker.security) && oauthbearer && c.broker.sasl.oauthbearer_token_file.empty()) {
        errors.push_back("kafka.sasl.oauthbearer.token.file is required with kafka.sasl.mechanism OAUTHBEARER");
    }
    if (io::uses_sasl(c.broker.security) && oauthbearer && c.engine == io::client_engine::rdkafka) {
        errors.push_back("kafka.sasl.mechanism OAUTHBEARER needs kafka.client.engine native: the rdkafka engine "
                         "does not read kafka.sasl.oauthbearer.token.file");
    }
    if (!io::engine_built(c.engine)) {
        errors.push_back("kafka.client.engine: rdkafka is not in this build (it was configured with "
                         "KSPOUT_WITH_RDKAFKA=OFF)");
    }
    if (c.engine != io::client_engine::rdkafka && !c.rdkafka_properties.empty()) {
        errors.push_back("kafka.rdkafka." + c.rdkafka_properties.front().first +
                         " is given, but kafka.client.engine is not rdkafka");
    }
}

const std::vector<client_key_spec>& client_keys()
{
    static const std::vector<client_key_spec> table = make_client_keys();
    return table;
}

} // namespace kspout::spout
