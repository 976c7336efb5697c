// Test fixture: a private librdkafka mock Kafka cluster, run as a child process and driven by commands.
#pragma once

#include "protocol/wire/api_key.hpp"

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace kspout::testing {

// The launcher could not be started, stopped answering, or refused a command.
class mock_cluster_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One kspout-mock-cluster process with brokers 1..N on random loopback ports. Every command is
// answered before the call returns, so a fault is in place when the next line of the test runs.
// The destructor stops the process; a test that dies closes its stdin, which stops it too.
class mock_cluster {
public:
    explicit mock_cluster(int brokers = 1); // throws mock_cluster_error
    ~mock_cluster();
    mock_cluster(const mock_cluster&) = delete;
    mock_cluster& operator=(const mock_cluster&) = delete;

    // "127.0.0.1:p1,127.0.0.1:p2,..." in broker id order.
    const std::string& bootstrap() const { return bootstrap_; }
    int broker_count() const { return static_cast<int>(addresses_.size()); }
    const std::string& broker_address(int id) const; // "127.0.0.1:port" of broker id (1..N)
    std::uint16_t broker_port(int id) const;
    pid_t pid() const { return pid_; }

    // Sends one command line and throws mock_cluster_error with the launcher's reason on `error`.
    void command(std::string_view line);
    // Same, but a refused command returns false and its reason instead of throwing. Throws only
    // when the launcher itself is gone or unresponsive.
    bool try_command(std::string_view line, std::string* reason = nullptr);

    // The mock ignores the replication factor and picks a random leader per partition.
    void create_topic(std::string_view name, int partitions, int replication_factor = 0);
    void broker_down(int id); // closes its connections and refuses new ones; -1 = all
    void broker_up(int id);
    void set_rtt(int id, std::chrono::milliseconds rtt);
    void set_leader(std::string_view topic, int partition, int broker_id); // -1 = no leader
    void set_follower(std::string_view topic, int partition, int broker_id);
    // The next `count` requests of this API on any broker fail with error_code (not Metadata).
    void push_errors(wire::api_key key, int error_code, int count = 1);
    // One (error, delay) entry for the next request of this API on one broker; wins over push_errors.
    void push_broker_error(int broker_id, wire::api_key key, int error_code,
                           std::chrono::milliseconds delay = {});
    void set_topic_error(std::string_view topic, int error_code); // seen in Metadata replies
    void set_api_versions(wire::api_key key, int min_version, int max_version);
    void disable_api(wire::api_key key) { set_api_versions(key, -1, -1); }
    void set_group_coordinator(std::string_view group, int broker_id);

    // Sends quit, closes stdin and reaps the process (SIGKILL after a bounded wait). Idempotent.
    void stop();
    // The waitpid status after stop(), or -1 while it runs.
    int exit_status() const { return exit_status_; }

    static constexpr int transport_error = -195; // push this to make the broker drop the connection

private:
    std::string read_line();
    void write_line(std::string_view line);

    pid_t pid_ = -1;
    int exit_status_ = -1;
    int to_child_ = -1;
    int from_child_ = -1;
    std::string pending_; // bytes read past the last line
    std::string bootstrap_;
    std::vector<std::string> addresses_;
};

} // namespace kspout::testing
