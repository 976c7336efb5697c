// The client keys: each with its default, doc, type and range, and the cluster option it writes.
#include "spout/client_keys.hpp"

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
    };
}

} // namespace

const std::vector<client_key_spec>& client_keys()
{
    static const std::vector<client_key_spec> table = make_client_keys();
    return table;
}

} // namespace kspout::spout
