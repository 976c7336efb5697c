// Test helpers: TCP proxies. One in front of each broker that can hide a topic's higher partitions
// from Metadata replies (the mock cannot grow a topic), fail Produce requests, lose or refuse Produce answers; one
// that can cut a connection.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kspout::balanced::testing {

// Listens on one loopback port per upstream broker and relays bytes both ways. Metadata replies
// are decoded, their broker ports pointed at the proxy (so clients keep coming through it), and a
// topic's partitions at or above the visible count left out. Everything else passes unchanged.
struct produce_refusal {
    std::int16_t error_code = 0;
    std::optional<std::string> error_message;
};

class metadata_proxy {
public:
    // upstream: broker id -> "127.0.0.1:port", as mock_cluster::broker_address gives.
    metadata_proxy(boost::asio::io_context& ioc, std::map<std::int32_t, std::string> upstream);
    ~metadata_proxy();
    metadata_proxy(const metadata_proxy&) = delete;
    metadata_proxy& operator=(const metadata_proxy&) = delete;

    // "127.0.0.1:p1,..." of the proxy's listeners, for bootstrap_servers.
    std::string bootstrap() const;
    // Partitions >= count of `topic` are left out of Metadata replies from now on; -1 shows all.
    void set_visible_partitions(const std::string& topic, int count);
    // How many Metadata replies were rewritten so far.
    int metadata_replies() const;
    // The next `count` Produce answers are dropped and their connection closed, as a network
    // failure after the broker appended the records would: the client must send them again.
    void lose_produce_answers(int count);
    // How many Produce answers were lost so far.
    int lost_produce_answers() const;
    // The next `count` Produce requests reach the broker with their partitions renamed to ones
    // that do not exist: it writes nothing and refuses them (UNKNOWN_TOPIC_OR_PARTITION), and
    // the answer comes back under the partitions asked for. Requests behind one stay as they are.
    void fail_produce_requests(int count);
    // While set, every Produce answer says this for each of its partitions, whatever the broker
    // said: for text no real broker sends (a hostile or broken one). Requires Produce v8 for the
    // message to be on the wire.
    void refuse_produce(std::optional<produce_refusal> refusal);

    struct state;

private:
    std::shared_ptr<state> state_;
};

// Relays bytes to one upstream address until cut(): then every connection through it is closed
// and new ones are closed as soon as they are accepted, as a network partition would, until
// restore(). Runs on the io_context it is given.
class cuttable_proxy {
public:
    cuttable_proxy(boost::asio::io_context& ioc, const std::string& upstream); // "127.0.0.1:port"
    ~cuttable_proxy();
    cuttable_proxy(const cuttable_proxy&) = delete;
    cuttable_proxy& operator=(const cuttable_proxy&) = delete;

    std::string address() const; // "127.0.0.1:port"
    void cut();
    void restore();

    struct state;

private:
    std::shared_ptr<state> state_;
};

} // namespace kspout::balanced::testing
