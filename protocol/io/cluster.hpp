// Cluster view: bootstrap, brokers by id, topic metadata and leaders, group coordinators.
#pragma once

#include "protocol/io/broker.hpp"
#include "protocol/io/client_engine.hpp"
#include "protocol/messages/topic_id.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kspout::io {

struct cluster_options {
    std::vector<std::string> bootstrap_servers; // "host:port"
    broker_options broker;
    std::chrono::milliseconds request_timeout = 30s;
    // Who fetches, commits and produces; with rdkafka these options become librdkafka's
    // properties, then rdkafka_properties are passed through (cluster metadata stays ours).
    client_engine engine = client_engine::native;
    rdkafka_property_list rdkafka_properties;
};

struct partition_metadata {
    std::int32_t partition = 0;
    std::int32_t leader = -1; // -1: no leader right now
    std::int16_t error_code = 0;
    std::int32_t leader_epoch = -1;
};

struct topic_metadata {
    std::string name;
    std::int16_t error_code = 0;
    std::vector<partition_metadata> partitions; // sorted by partition id
    messages::topic_id topic_id{};              // zero before Metadata v10
};

class cluster : public std::enable_shared_from_this<cluster> {
public:
    using done_handler = std::function<void(std::error_code)>;
    using coordinator_handler = std::function<void(std::error_code, std::shared_ptr<broker>)>;

    // Throws std::invalid_argument for an empty or malformed bootstrap list, or TLS settings that
    // cannot be used.
    static std::shared_ptr<cluster> create(boost::asio::any_io_executor executor, cluster_options options,
                                           log::logger log = {});

    // Fetches metadata for `topics` (added to the topics already tracked) from the first broker
    // that answers. Concurrent calls share one request.
    void refresh_metadata(const std::vector<std::string>& topics, done_handler done);

    const topic_metadata* topic(const std::string& name) const;
    // The leader of a partition, or nullptr when unknown or leaderless.
    std::shared_ptr<broker> leader_for(const std::string& topic, std::int32_t partition);
    std::shared_ptr<broker> broker_by_id(std::int32_t node_id);
    // Any broker, preferring one that is connected: for requests any broker can answer.
    std::shared_ptr<broker> any_broker();

    // The coordinator of a consumer group (FindCoordinator), cached until invalidated.
    void find_coordinator(const std::string& group, coordinator_handler handler);
    void invalidate_coordinator(const std::string& group);

    // Increases whenever a metadata response changed a leader, partition count or broker.
    std::uint64_t metadata_version() const noexcept { return metadata_version_; }
    const cluster_options& options() const noexcept { return options_; }
    const log::logger& log() const noexcept { return log_; }
    boost::asio::any_io_executor executor() const { return executor_; }
    void shut_down();

private:
    cluster(boost::asio::any_io_executor executor, cluster_options options, log::logger log);

    void start_refresh();
    void try_metadata_from(std::vector<std::shared_ptr<broker>> candidates, std::size_t index);
    void finish_refresh(std::error_code ec);
    std::vector<std::shared_ptr<broker>> refresh_candidates();

    boost::asio::any_io_executor executor_;
    cluster_options options_;
    log::logger log_;
    std::vector<std::shared_ptr<broker>> bootstrap_;
    std::map<std::int32_t, std::shared_ptr<broker>> brokers_;
    std::map<std::string, topic_metadata> topics_;
    std::set<std::string> tracked_topics_;
    std::vector<done_handler> refresh_waiters_;
    bool refresh_in_flight_ = false;
    bool refresh_again_ = false;
    std::size_t next_candidate_ = 0;
    std::uint64_t metadata_version_ = 0;
    std::map<std::string, std::int32_t> coordinators_;
    bool shut_down_ = false;
};

// Parses "host:port[,host:port...]"; throws std::invalid_argument naming the bad entry.
std::vector<broker_address> parse_bootstrap(const std::vector<std::string>& servers);

} // namespace kspout::io
