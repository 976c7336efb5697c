// The librdkafka configuration that matches our client options, plus the user's own properties.
#include "protocol/rdkafka/rdkafka_properties.hpp"

#include "protocol/records/compression.hpp"

#include <algorithm>
#include <stdexcept>

namespace kspout::rdkafka {
namespace {

constexpr std::string_view no_group_placeholder = "kafka-spout.no-group";

std::string join(const std::vector<std::string>& items)
{
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

std::string ms(std::chrono::milliseconds d)
{
    return std::to_string(d.count());
}

std::string_view security_name(io::security_protocol p)
{
    switch (p) {
    case io::security_protocol::plaintext: return "plaintext";
    case io::security_protocol::ssl: return "ssl";
    case io::security_protocol::sasl_plaintext: return "sasl_plaintext";
    case io::security_protocol::sasl_ssl: return "sasl_ssl";
    }
    return "plaintext";
}

std::string_view reset_name(io::offset_reset r)
{
    switch (r) {
    case io::offset_reset::earliest: return "earliest";
    case io::offset_reset::latest: return "latest";
    case io::offset_reset::error: return "error";
    }
    return "latest";
}

bool is_true(std::string value)
{
    std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
    return value == "true" || value == "1" || value == "t";
}

void refuse_unsafe(const property& p, const std::string& group_id)
{
    if ((p.name == "enable.auto.commit" || p.name == "auto.commit.enable") && is_true(p.value)) {
        throw std::invalid_argument("kafka.rdkafka." + p.name +
                                    "=true is refused: the spout commits an offset only after Storm acked every "
                                    "tuple below it");
    }
    if (p.name == "enable.auto.offset.store" && is_true(p.value)) {
        throw std::invalid_argument("kafka.rdkafka.enable.auto.offset.store=true is refused: the spout stores and "
                                    "commits offsets itself, after Storm's acks");
    }
    if (p.name == "group.id" && p.value != group_id) {
        throw std::invalid_argument("kafka.rdkafka.group.id is refused: it must equal kafka.group.id (\"" + group_id +
                                    "\"); set that instead");
    }
}

} // namespace

bool is_secret_property(const std::string& name)
{
    for (std::string_view word : {"password", "secret", "token", "key.pem", "sasl.jaas", "oauthbearer.config"}) {
        if (name.find(word) != std::string::npos) return true;
    }
    return false;
}

namespace {

// Brokers, client id, timeouts, TLS and SASL: what every client of ours has.
std::vector<property> connection_properties(const io::cluster_options& cluster)
{
    const auto& broker = cluster.broker;
    std::vector<property> out = {
        {"bootstrap.servers", join(cluster.bootstrap_servers)},
        {"client.id", broker.client_id},
        {"socket.timeout.ms", ms(cluster.request_timeout)},
        {"socket.connection.setup.timeout.ms", ms(broker.connect_timeout)},
        {"reconnect.backoff.ms", ms(broker.reconnect_backoff)},
        {"reconnect.backoff.max.ms", ms(broker.reconnect_backoff_max)},
        {"api.version.request", broker.api_version_request ? "true" : "false"},
        {"broker.version.fallback", broker.broker_version_fallback},
        {"security.protocol", std::string(security_name(broker.security))},
        {"log.queue", "true"},
    };
    if (io::uses_tls(broker.security)) {
        const auto& tls = broker.tls;
        if (!tls.ca_location.empty()) out.push_back({"ssl.ca.location", tls.ca_location});
        if (!tls.certificate_location.empty()) out.push_back({"ssl.certificate.location", tls.certificate_location});
        if (!tls.key_location.empty()) out.push_back({"ssl.key.location", tls.key_location});
        if (!tls.key_password.empty()) out.push_back({"ssl.key.password", tls.key_password});
        if (!tls.cipher_list.empty()) out.push_back({"ssl.cipher.suites", tls.cipher_list});
        out.push_back({"ssl.endpoint.identification.algorithm", tls.verify_hostname ? "https" : "none"});
    }
    if (io::uses_sasl(broker.security)) {
        out.push_back({"sasl.mechanisms", broker.sasl.mechanism});
        out.push_back({"sasl.username", broker.sasl.username});
        out.push_back({"sasl.password", broker.sasl.password});
    }
    return out;
}

} // namespace

std::vector<property> consumer_properties(const io::cluster_options& cluster, const io::consumer_options& consumer,
                                          const std::vector<property>& passthrough)
{
    std::vector<property> out = connection_properties(cluster);
    out.insert(out.end(), {
        // librdkafka assigns partitions only with a group.id; without ours, nothing commits to this one.
        {"group.id", consumer.group_id.empty() ? std::string(no_group_placeholder) : consumer.group_id},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"enable.partition.eof", "false"},
        // We never join through librdkafka (partitions are assigned, not subscribed), so this only
        // bounds how long it defers a commit while no coordinator is known: the owner commits again
        // anyway, and a commit without a send-by time then fails instead of waiting for the broker.
        {"session.timeout.ms", "1000"},
        {"auto.offset.reset", std::string(reset_name(consumer.auto_offset_reset))},
        {"isolation.level", consumer.isolation == messages::isolation_level::read_committed ? "read_committed"
                                                                                            : "read_uncommitted"},
        {"check.crcs", consumer.check_crcs ? "true" : "false"},
        {"fetch.min.bytes", std::to_string(consumer.fetch_min_bytes)},
        {"fetch.wait.max.ms", ms(consumer.fetch_max_wait)},
        {"max.partition.fetch.bytes", std::to_string(consumer.fetch_partition_bytes)},
        {"fetch.max.bytes", std::to_string(consumer.fetch_response_max_bytes)},
        {"receive.message.max.bytes", std::to_string(std::int64_t{consumer.fetch_response_max_bytes} + 512)},
        // queued.min.messages stays librdkafka's (100000), not kafka.queued.max.messages: a
        // partition above it is left out of fetches until the broker thread next wakes (up to a
        // second in librdkafka 2.0), not when poll() drains it, which held the spout to a few
        // thousand records a second. The bytes bound still caps each partition's buffer.
        {"queued.max.messages.kbytes", std::to_string(std::max<std::size_t>(1, consumer.queued_max_bytes / 1024))},
        {"topic.metadata.refresh.interval.ms", ms(consumer.metadata_max_age)},
    });
    for (const auto& p : passthrough) {
        refuse_unsafe(p, consumer.group_id);
        out.push_back(p);
    }
    return out;
}

std::vector<property> producer_properties(const io::cluster_options& cluster, const io::producer_options& producer,
                                          const std::vector<property>& passthrough)
{
    constexpr int librdkafka_max_retries = 2147483647;
    std::vector<property> out = connection_properties(cluster);
    out.insert(out.end(), {
        {"acks", std::to_string(producer.acks)},
        {"compression.codec", std::string(records::to_string(producer.compression))},
        // librdkafka refuses a linger.ms not below message.timeout.ms; a record lingering that
        // long would expire unsent anyway.
        {"linger.ms", ms(std::min(producer.linger, producer.delivery_timeout - std::chrono::milliseconds(1)))},
        {"batch.size", std::to_string(producer.batch_size)},
        // Rounded up: our own bound (which counts headers too) must be the one that binds, so
        // that a full buffer holds records back instead of librdkafka refusing one.
        {"queue.buffering.max.kbytes", std::to_string(std::max<std::size_t>(1, (producer.max_buffered_bytes + 1023) / 1024))},
        {"message.send.max.retries", std::to_string(std::min(producer.retries, librdkafka_max_retries))},
        {"retry.backoff.ms", ms(producer.retry_backoff)},
        {"message.timeout.ms", ms(producer.delivery_timeout)},
        {"request.timeout.ms", ms(producer.request_timeout)},
        {"enable.idempotence", producer.idempotence ? "true" : "false"},
        {"partitioner", "murmur2_random"},
    });
    for (const auto& p : passthrough) {
        if (p.name == "transactional.id") {
            throw std::invalid_argument("kafka.rdkafka.transactional.id is refused: kafka-bolt does not run transactions");
        }
        out.push_back(p);
    }
    return out;
}

} // namespace kspout::rdkafka
