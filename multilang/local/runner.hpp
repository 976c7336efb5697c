// The local runner: runs a topology's multilang components as Storm would, in this process.
#pragma once

#include "multilang/local/topology.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace kspout::multilang::local {

// A component did what Storm kills the worker for; the text names the component and task.
struct component_failure : topology_error {
    component_failure(std::string component_id, std::int64_t task_id, const std::string& what)
        : topology_error(what), component(std::move(component_id)), task(task_id)
    {
    }
    std::string component;
    std::int64_t task;
};

struct emitted_tuple {
    std::string component;
    std::int64_t task = 0;
    std::string stream;
    json values;
    std::optional<std::string> id; // spouts' message id; absent for unreliable emits and bolts
};

enum class outcome_kind { acked, failed, timed_out };

// An ack or fail command the runner sent to a spout task.
struct spout_outcome {
    std::string component;
    std::int64_t task = 0;
    json message_id;
    outcome_kind kind = outcome_kind::acked;
};

struct component_counts {
    std::string id;
    component_kind kind = component_kind::spout;
    int tasks = 0;
    long emitted = 0;   // tuples the component emitted
    long executed = 0;  // bolts: input tuples delivered
    long acked = 0;     // spouts: ack commands sent; bolts: inputs the bolt acked
    long failed = 0;    // spouts: fail commands sent (timeouts included); bolts: inputs it failed
    long timed_out = 0; // spouts: fails caused by topology.message.timeout.secs
};

struct run_summary {
    std::vector<component_counts> components;
    // Tasks restarted (restart_dead_tasks), then how tasks ended that did not exit 0 when their
    // stdin closed.
    std::vector<std::string> notes;
};

struct run_options {
    std::chrono::milliseconds duration{0}; // stop after this long (0: no limit)
    // Stop calling next after this many spout emits, then wait for their trees (0: no limit).
    long max_tuples = 0;
    // Stop when no spout emitted for this long (0: never).
    std::chrono::milliseconds idle_stop{0};
    std::string working_dir; // of every subprocess (Storm's resources dir); empty: ours
    std::string pid_dir;     // empty: a fresh temporary directory, removed afterwards
    std::chrono::milliseconds shutdown_grace{5000}; // after closing stdin, before SIGTERM
    // As Storm's supervisor restarts a dead worker: a task whose subprocess dies (exits or is
    // killed) after its handshake is started again with the same task id, context and conf,
    // instead of stopping the run. Its tuples in flight are lost, as with a dead worker: a
    // spout task's pending trees are forgotten (the new subprocess never hears of them), and
    // the inputs a bolt task held time out at their spouts and are replayed. A task that dies
    // during its handshake, or any other fatal behaviour, still stops the run.
    bool restart_dead_tasks = false;
    const std::atomic<bool>* stop = nullptr;        // set (by a signal handler) to stop cleanly
    std::function<void(const std::string&)> log;    // component logs, reported errors, stderr
    std::function<void(const emitted_tuple&)> on_emit;
    std::function<void(const spout_outcome&)> on_outcome;
};

// Starts every task (handshake; activate for spouts), runs until a stop condition, then
// deactivates the spouts, closes every stdin, SIGTERMs what is still running and reaps all.
// Throws component_failure for fatal component behaviour (after stopping every subprocess),
// topology_error for a topology that cannot start.
run_summary run_local_topology(const topology_def& topology, const run_options& options);

} // namespace kspout::multilang::local
