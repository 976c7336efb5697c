// The local runner's executor state: tasks, their subprocesses, tuple queues and the acker,
// shared by runner.cpp (lifecycle and loop) and trees.cpp (emits, acks, fails, timeouts).
#pragma once

#include "multilang/local/acker.hpp"
#include "multilang/local/pending.hpp"
#include "multilang/local/router.hpp"
#include "multilang/local/runner.hpp"
#include "multilang/shell_bolt.hpp"
#include "multilang/shell_spout.hpp"

#include <signal.h>

#include <deque>
#include <filesystem>
#include <memory>
#include <unordered_map>

namespace kspout::multilang::local::detail {

using clock = std::chrono::steady_clock;
using anchors_map = std::map<std::uint64_t, std::uint64_t>; // root -> edge id(s) of one tuple

struct queued_tuple {
    std::string source;
    std::int64_t source_task = 0;
    std::string stream;
    json values;
    anchors_map anchors;
};

struct task_base {
    std::string component;
    std::int64_t id = 0;
    component_counts* counts = nullptr;
    bool started = false; // handshake done (and activated, for spouts): may be restarted
    virtual ~task_base() = default;
    virtual shell_process* process() = 0;
};

struct spout_task : task_base {
    std::unique_ptr<shell_spout> shell;
    pending_tuples pending;
    shell_process* process() override { return shell ? &shell->process() : nullptr; }
};

struct bolt_input {
    anchors_map anchors;
    std::uint64_t ack_val = 0; // XOR of the edges of the tuples anchored to this input
};

struct bolt_task : task_base {
    std::unique_ptr<shell_bolt> shell; // null for the built-in log bolt
    std::deque<queued_tuple> queue;
    std::unordered_map<std::string, bolt_input> inputs;
    clock::time_point last_heard, next_heartbeat;
    shell_process* process() override { return shell ? &shell->process() : nullptr; }
};

// Tuples waiting for one bolt task beyond which spouts get no next (Storm's backpressure).
constexpr std::size_t backlog_limit = 1000;

class executor {
public:
    executor(const topology_def& topology, const run_options& options)
        : topology_(topology), options_(options), settings_(read_settings(topology.config)),
          layout_(assign_tasks(topology)), router_(topology, layout_),
          ticks_(settings_.message_timeout, clock::now())
    {
    }

    ~executor()
    {
        // Storm's close: SIGTERM (after stdin, which most components take as the end); the
        // processes' destructors then wait, SIGKILL what is left and reap.
        for (auto* t : all_tasks()) {
            if (auto* p = t->process()) {
                p->close_stdin();
                p->signal(SIGTERM);
            }
        }
        spouts_.clear();
        bolts_.clear();
        if (own_pid_dir_) std::filesystem::remove_all(pid_dir_);
    }

    run_summary run()
    {
        start();
        loop();
        return stop();
    }

private:
    std::vector<task_base*> all_tasks()
    {
        std::vector<task_base*> out;
        for (auto& s : spouts_) out.push_back(s.get());
        for (auto& [id, b] : bolts_) out.push_back(b.get());
        return out;
    }

    void log(const std::string& text) const
    {
        if (options_.log) options_.log(text);
    }

    static std::string name(const task_base& t) { return t.component + ":" + std::to_string(t.id); }

    // Runs one interaction with a task; what Storm treats as fatal becomes a component_failure,
    // unless the task's subprocess died and run_options.restart_dead_tasks restarts it: then the
    // interaction is dropped (a default result), as the tuple it carried dies with a worker.
    template <class F>
    auto guarded(task_base& t, F&& f)
    {
        using result = decltype(f());
        try {
            return f();
        } catch (const shell_error& e) {
            if (!restart_if_dead(t, e.what())) throw component_failure(t.component, t.id, failure_text(t, e.what()));
            if constexpr (!std::is_void_v<result>) return result{};
        }
    }
    std::string failure_text(task_base& t, const std::string& why);
    bool restart_if_dead(task_base& t, const std::string& why);

    using emit_hook = std::function<std::vector<std::int64_t>(const emit_message&)>;
    void init_counts(task_base& task, const component_def& c, std::int64_t task_id);
    template <class Task>
    void start_task(Task& task, const component_def& c, std::int64_t task_id, emit_hook on_emit);
    void start_spout(spout_task& task, const component_def& c, std::int64_t task_id);
    void start_bolt(bolt_task& task, const component_def& c, std::int64_t task_id);
    void start();
    void loop();
    run_summary stop();

    std::vector<std::int64_t> spout_emitted(spout_task& s, const emit_message& e);
    std::vector<std::int64_t> bolt_emitted(bolt_task& b, const emit_message& e);
    void enqueue(const delivery& d, queued_tuple tuple) { bolts_.at(d.task)->queue.push_back(std::move(tuple)); }
    void report(task_base& t, const std::vector<log_message>& logs, const std::vector<error_message>& errors);
    void outcome(spout_task& s, const json& id, outcome_kind kind);
    bool deliver_outcomes();
    void tick();
    bool serve_bolt(bolt_task& b, clock::time_point now);
    void bolt_acked(bolt_task& b, const std::string& id, bool acked);
    bool drained(clock::time_point now);

    const topology_def& topology_;
    const run_options& options_;
    topology_settings settings_;
    task_layout layout_;
    router router_;
    acker acker_;
    id_source ids_;
    tick_timer ticks_;
    std::map<std::string, component_counts> counts_;
    std::vector<std::unique_ptr<spout_task>> spouts_;
    std::map<std::int64_t, std::unique_ptr<bolt_task>> bolts_;
    std::deque<tree_outcome> outcomes_;
    std::vector<std::string> restarts_; // one note per restarted task
    std::filesystem::path pid_dir_;
    bool own_pid_dir_ = false;
    long spout_emits_ = 0;
    clock::time_point last_spout_emit_ = clock::now();
    std::optional<clock::time_point> drain_started_;
};

} // namespace kspout::multilang::local::detail
