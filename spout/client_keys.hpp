// The Kafka client keys kafka-spout and kafka-bolt both take: the brokers, the client id, version probing, TLS and SASL.
#pragma once

#include "protocol/io/cluster.hpp"
#include "spout/settings_rules.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::spout {

using client_key_spec = basic_key_spec<io::cluster_options>;

// The checks across client keys (a client certificate needs its key, SASL a user name).
void check_client_settings(const io::cluster_options& c, std::vector<std::string>& errors);

// In README order. kafka.client.id defaults to kafka-spout; the bolt's table gives its own default.
const std::vector<client_key_spec>& client_keys();

// The client key of that name as a key of settings S, whose cluster options part returns; the
// key must be in client_keys() (a table is built from names it knows).
template <typename S>
basic_key_spec<S> client_key(std::string_view key, std::function<io::cluster_options&(S&)> part)
{
    for (const auto& spec : client_keys()) {
        if (spec.key == key) return lift<S>(spec, std::move(part));
    }
    throw std::logic_error("no client key " + std::string(key));
}

} // namespace kspout::spout
