// Test fixture: Apache Storm's LocalCluster in a JVM of its own (topology-examples' LocalRun), driven by line commands.
#pragma once

#include "tests/integration/temp_dir.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/types.h>

namespace kspout::testing {

// The JVM could not start, answered with an error, went silent or died.
class storm_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One LocalCluster (Nimbus, a supervisor, one worker slot per topology) over the given ZooKeeper,
// running the example topology jar built from topology-examples (kafka-spout in resources/).
// Its java.io.tmpdir is a private directory, so Storm's local dirs (and the workers' pid dirs,
// where every spout subprocess leaves a file named by its pid) are in tmp_dir().
class storm_local_cluster {
public:
    explicit storm_local_cluster(const std::string& zookeeper_connect); // returns once the cluster is up
    ~storm_local_cluster(); // stop(), bounded
    storm_local_cluster(const storm_local_cluster&) = delete;
    storm_local_cluster& operator=(const storm_local_cluster&) = delete;

    // Submits ExampleTopology under `name` with these options (see ExampleTopology.java).
    void submit(const std::string& name, const std::map<std::string, std::string>& options);
    // Submits WordCountTopology under `name` with these options (see WordCountTopology.java).
    void submit_wordcount(const std::string& name, const std::map<std::string, std::string>& options);
    // Submits the Flux YAML `file` under `name`, its ${KEY} placeholders replaced by `properties`
    // (Flux's --filter), built by Flux's own parser and builder (see FluxTopology.java); then
    // `overrides` replace keys of its config (integers, decimals and booleans keep their type).
    void flux(const std::string& name, const std::filesystem::path& file,
              const std::map<std::string, std::string>& properties,
              const std::map<std::string, std::string>& overrides = {});
    // Storm's own tuple counts of a running topology, per component (emitted, acked, failed, and
    // executed for bolts; see ComponentCounts.java): exact only with topology.stats.sample.rate 1.0.
    std::map<std::string, std::map<std::string, std::int64_t>> counts(const std::string& name);
    // Kills the topology at once (wait_secs 0) and returns once Nimbus no longer lists it.
    void kill(const std::string& name);

    // Closes stdin: LocalCluster shuts down and the JVM exits. Returns its waitpid status (also
    // when it had already exited); SIGKILLs it after a generous limit. Idempotent.
    int stop();
    // The JVM's waitpid status if it has exited by now.
    std::optional<int> exit_status();
    pid_t pid() const { return pid_; }
    std::filesystem::path tmp_dir() const { return root_ / "tmp"; }
    std::string log() const;

private:
    void submit_java(const std::string& verb, const std::string& name, const std::map<std::string, std::string>& options);
    std::string command(const std::string& line, const std::string& expected, std::chrono::seconds limit);
    std::string read_line(std::chrono::seconds limit);

    temp_dir root_;
    pid_t pid_ = -1;
    int to_jvm_ = -1;
    int from_jvm_ = -1;
    std::string pending_;
    std::optional<int> status_;
};

// The pids named by the files in every worker's pid dir under `storm_tmp` (Storm's local dirs):
// the multilang subprocesses of the running workers.
std::vector<pid_t> shell_subprocess_pids(const std::filesystem::path& storm_tmp);

} // namespace kspout::testing
