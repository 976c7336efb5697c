// kspout-peek: prints every record of a topic, fetched and decoded with our own codecs.
#include "protocol/io/secret_value.hpp"
#include "protocol/messages/fetch.hpp"
#include "protocol/messages/list_offsets.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/records/records.hpp"
#include "protocol/tools/blocking_client.hpp"

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace {

using namespace kspout;

std::string printable(std::optional<wire::bytes_view> bytes)
{
    if (!bytes) return "null";
    std::string out = "\"";
    for (std::uint8_t c : *bytes) {
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
        } else {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\x%02x", c);
            out += esc;
        }
    }
    return out + "\"";
}

// The codec names of the entries in a records blob (magic byte at 16, attributes after it).
std::set<std::string> codecs_in(wire::bytes_view blob)
{
    static const char* const names[] = {"none", "gzip", "snappy", "lz4", "zstd", "?", "?", "?"};
    std::set<std::string> found;
    std::size_t pos = 0;
    while (pos + 23 <= blob.size()) {
        wire::reader r(blob.subspan(pos));
        r.skip(8);
        std::int32_t size = r.int32();
        if (size < 0 || pos + 12 + static_cast<std::size_t>(size) > blob.size()) break;
        std::int8_t magic = blob[pos + 16];
        std::uint8_t attributes = magic == 2 ? blob[pos + 22] : blob[pos + 17];
        found.insert(std::string("v") + std::to_string(magic) + " " + names[attributes & 7]);
        pos += 12 + static_cast<std::size_t>(size);
    }
    return found;
}

struct options {
    std::string bootstrap;
    std::string topic;
    io::broker_options broker;
};

constexpr const char* usage =
    "usage: kspout-peek --bootstrap HOST:PORT --topic TOPIC [-X KEY=VALUE]...\n"
    "  KEY: kafka.security.protocol (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL), kafka.ssl.ca.location,\n"
    "  kafka.ssl.certificate.location, kafka.ssl.key.location, kafka.ssl.key.password (text, file:PATH\n"
    "  or env:NAME), kafka.ssl.endpoint.identification.algorithm (https or empty), kafka.ssl.cipher.suites,\n"
    "  kafka.sasl.mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER), kafka.sasl.username,\n"
    "  kafka.sasl.password (as the key password), kafka.sasl.oauthbearer.token.file;\n"
    "  as the spout's settings of the same names (spout/README.md)";

// One of the spout's security settings, with the same names and values.
void apply_setting(io::broker_options& broker, const std::string& key, const std::string& value)
{
    auto& tls = broker.tls;
    static const std::map<std::string, io::security_protocol> protocols = {
        {"PLAINTEXT", io::security_protocol::plaintext},
        {"SSL", io::security_protocol::ssl},
        {"SASL_PLAINTEXT", io::security_protocol::sasl_plaintext},
        {"SASL_SSL", io::security_protocol::sasl_ssl}};
    std::string why;
    if (key == "kafka.security.protocol" && protocols.contains(value)) {
        broker.security = protocols.at(value);
    } else if (key == "kafka.ssl.ca.location") {
        tls.ca_location = value;
    } else if (key == "kafka.ssl.certificate.location") {
        tls.certificate_location = value;
    } else if (key == "kafka.ssl.key.location") {
        tls.key_location = value;
    } else if (key == "kafka.ssl.key.password" || key == "kafka.sasl.password") {
        auto secret = io::resolve_secret(value, why);
        if (!secret) throw tools::tool_error(key + ": " + why);
        (key == "kafka.sasl.password" ? broker.sasl.password : tls.key_password) = std::move(*secret);
    } else if (key == "kafka.sasl.mechanism" &&
               (value == "PLAIN" || value == "SCRAM-SHA-256" || value == "SCRAM-SHA-512" || value == "OAUTHBEARER")) {
        broker.sasl.mechanism = value;
    } else if (key == "kafka.sasl.username") {
        broker.sasl.username = value;
    } else if (key == "kafka.sasl.oauthbearer.token.file") {
        broker.sasl.oauthbearer_token_file = value;
    } else if (key == "kafka.ssl.endpoint.identification.algorithm" && (value == "https" || value.empty())) {
        tls.verify_hostname = !value.empty();
    } else if (key == "kafka.ssl.cipher.suites") {
        tls.cipher_list = value;
    } else {
        throw tools::tool_error("-X " + key + ": unknown key or bad value\n" + usage); // the value may be a secret
    }
}

options parse_args(int argc, char** argv)
{
    options o;
    o.broker.client_id = "kspout-peek";
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--bootstrap" && i + 1 < argc) {
            o.bootstrap = argv[++i];
        } else if (arg == "--topic" && i + 1 < argc) {
            o.topic = argv[++i];
        } else if (arg == "-X" && i + 1 < argc) {
            std::string setting = argv[++i];
            auto eq = setting.find('=');
            if (eq == std::string::npos) throw tools::tool_error(std::string("-X expects KEY=VALUE\n") + usage);
            apply_setting(o.broker, setting.substr(0, eq), setting.substr(eq + 1));
        } else {
            throw tools::tool_error(usage);
        }
    }
    if (o.bootstrap.empty() || o.topic.empty()) throw tools::tool_error(usage);
    return o;
}

std::int64_t earliest_offset(tools::blocking_client& leader, const std::string& topic, std::int32_t partition)
{
    messages::list_offsets_request req;
    req.topics.push_back({topic, {{partition, -1, messages::earliest_offset_timestamp, 1}}});
    auto resp = leader.request<messages::list_offsets_request, messages::list_offsets_response>(
        wire::api_key::list_offsets, req);
    const auto& p = resp.topics.at(0).partitions.at(0);
    if (p.error_code != 0) throw tools::tool_error("ListOffsets error " + std::to_string(p.error_code));
    return p.old_style_offsets.empty() ? p.offset : p.old_style_offsets.front();
}

void peek_partition(tools::blocking_client& leader, const std::string& topic, std::int32_t partition)
{
    std::int64_t offset = earliest_offset(leader, topic, partition);
    std::int32_t fetch_size = 1 << 20;
    for (;;) {
        messages::fetch_request req;
        req.max_wait_ms = 0;
        req.topics.push_back({topic, {{partition, -1, offset, -1, fetch_size}}});
        auto resp = leader.request<messages::fetch_request, messages::fetch_response>(wire::api_key::fetch, req);
        const auto& p = resp.topics.at(0).partitions.at(0);
        if (p.error_code != 0) throw tools::tool_error("Fetch error " + std::to_string(p.error_code));
        if (p.records.empty()) return;

        records::record_set set;
        std::vector<records::aborted_transaction> aborted;
        if (auto err = records::read_records(p.records, offset, {}, aborted, set, topic, partition)) {
            throw tools::tool_error(err->message());
        }
        std::string formats;
        for (const auto& c : codecs_in(p.records)) formats += (formats.empty() ? "" : ", ") + c;
        std::printf("%s/%d: fetched %zu bytes at offset %lld (%s)\n", topic.c_str(), partition,
                    p.records.size(), static_cast<long long>(offset), formats.c_str());
        for (const auto& r : set.records) {
            std::string headers;
            for (const auto& h : set.headers_of(r)) {
                headers += " " + std::string(h.key) + "=" + printable(h.value);
            }
            std::printf("  offset %lld  ts %lld  key %s  value %s%s\n", static_cast<long long>(r.offset),
                        static_cast<long long>(r.timestamp), printable(r.key).c_str(),
                        printable(r.value).c_str(), headers.c_str());
        }
        fetch_size = records::next_fetch_size(set, fetch_size, 64 << 20);
        if (set.next_offset > offset) offset = set.next_offset;
        if (offset >= p.high_watermark) return;
    }
}

void peek(const options& o)
{
    auto [host, port] = tools::split_host_port(o.bootstrap.substr(0, o.bootstrap.find(',')));
    tools::blocking_client bootstrap(host, port, o.broker);
    bootstrap.negotiate();
    messages::metadata_request req;
    req.topics = std::vector<std::string>{o.topic};
    req.allow_auto_topic_creation = false;
    auto metadata = bootstrap.request<messages::metadata_request, messages::metadata_response>(
        wire::api_key::metadata, req);
    if (metadata.topics.empty() || metadata.topics[0].error_code != 0) {
        throw tools::tool_error("topic " + o.topic + " not found");
    }
    std::map<std::int32_t, std::unique_ptr<tools::blocking_client>> leaders;
    for (const auto& partition : metadata.topics[0].partitions) {
        auto& client = leaders[partition.leader_id];
        if (!client) {
            for (const auto& b : metadata.brokers) {
                if (b.node_id == partition.leader_id) {
                    client = std::make_unique<tools::blocking_client>(b.host, static_cast<std::uint16_t>(b.port),
                                                                      o.broker);
                }
            }
            if (!client) throw tools::tool_error("no broker for leader " + std::to_string(partition.leader_id));
            client->negotiate();
        }
        peek_partition(*client, o.topic, partition.partition_index);
    }
}

} // namespace

int main(int argc, char** argv)
{
    try {
        peek(parse_args(argc, argv));
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kspout-peek: %s\n", e.what());
        return 1;
    }
}
