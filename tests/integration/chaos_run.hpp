// The chaos soak's run, shared by the mock-cluster test and the real 3-node cluster test.
#pragma once

#include "tests/integration/group_driver.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace kspout::testing {

// How big the run is; each KSPOUT_CHAOS_* variable, when set, overrides its default.
struct chaos_settings {
    int tasks = 4;
    int partitions = 16;
    int messages = 20000;
    int faults = 10;
    unsigned seed = 0; // 0: a random one; the report prints it, KSPOUT_CHAOS_SEED replays it

    chaos_settings with_environment() const;
};

// Keeps the live tasks busy for a while; `brokers_up` false skips the commit checks meanwhile.
using keep_driving = std::function<void(std::chrono::steady_clock::duration, bool brokers_up)>;

// The brokers under the run and the faults they can suffer (named for the report).
class chaos_brokers {
public:
    virtual ~chaos_brokers() = default;
    virtual std::string bootstrap() const = 0;
    virtual void create_topic(const std::string& topic, int partitions) = 0;
    virtual std::vector<std::string> faults() const = 0;
    // Injects one of faults() and returns once the brokers serve again.
    virtual void inject(const std::string& fault, const std::string& topic, int partitions, std::mt19937& rng,
                        const keep_driving& drive) = 0;
};

// Tasks of one balanced group consume a topic while, at random, tasks are SIGKILLed and
// restarted, stalled past their ZooKeeper session, ZooKeeper restarts, the brokers suffer their
// faults, and tuples fail or time out (group_driver). At the end every offset was acked at least
// once and committed == end; sampled all along, no commit passed an unacked tuple.
class chaos_run {
public:
    chaos_run(const chaos_settings& settings, chaos_brokers& brokers, std::string topic);

    // Faults while the first 80% of the messages are acked, one per step of that range.
    void run_faults();
    bool drive_to_end();
    void leave_all();
    void print_report(std::ostream& out) const;
    // The checks every run ends with, after drive_to_end.
    void expect_at_least_once(bool reached);

    int injected_total() const;
    group_driver& driver() { return driver_; }

private:
    void inject(const std::string& fault);
    void drive_for(std::chrono::steady_clock::duration length, bool brokers_up = true);
    group_member& pick_live();
    std::int64_t total() const;

    chaos_settings s_;
    chaos_brokers& brokers_;
    std::string topic_;
    std::mt19937 rng_;
    zookeeper_server zk_;
    group_driver driver_;
    std::map<std::int32_t, std::int64_t> ends_;
    std::map<std::string, int> injected_;
    int rounds_ = 0;
};

} // namespace kspout::testing
