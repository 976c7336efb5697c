// The librdkafka configuration that matches our client options, plus the user's own properties.
#pragma once

#include "protocol/io/cluster.hpp"
#include "protocol/io/consumer_options.hpp"
#include "protocol/io/producer.hpp"

#include <string>
#include <vector>

namespace kspout::rdkafka {

struct property {
    std::string name;
    std::string value;
};

// Whether a property's value must never be shown (passwords, keys, tokens, secrets).
bool is_secret_property(const std::string& name);

// The consumer's configuration: connection, security, fetching and buffering from the options,
// group.id, offsets stored and committed only by us, logs delivered on our thread; then
// `passthrough` (kafka.rdkafka.* settings) in order, which may tune anything else. Throws
// std::invalid_argument naming the property when a passthrough one would break the spout's
// guarantees: automatic commits or offset stores, or another group.id.
std::vector<property> consumer_properties(const io::cluster_options& cluster, const io::consumer_options& consumer,
                                          const std::vector<property>& passthrough);

// The producer's configuration: connection and security as above, then acks, compression, linger,
// batch and buffer sizes, retries and timeouts, idempotence, and the Java client's murmur2
// partitioner for keyed records (so both engines put a key on the same partition); then
// `passthrough`. transactional.id is refused: the bolt does not run transactions.
std::vector<property> producer_properties(const io::cluster_options& cluster, const io::producer_options& producer,
                                          const std::vector<property>& passthrough);

} // namespace kspout::rdkafka
