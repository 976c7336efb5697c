// run_local_topology: one thread plays every executor: spout commands, bolt I/O, the acker, ticks.
#include "multilang/local/executor.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

namespace kspout::multilang::local {
namespace detail {

using namespace std::chrono_literals;

// shell_spout and shell_bolt take options of the same shape.
template <class Shell>
struct options_of;
template <>
struct options_of<shell_spout> {
    using type = shell_spout_options;
};
template <>
struct options_of<shell_bolt> {
    using type = shell_bolt_options;
};

void executor::init_counts(task_base& task, const component_def& c, std::int64_t task_id)
{
    task.component = c.id;
    task.id = task_id;
    task.counts = &counts_[c.id];
}

template <class Task>
void executor::start_task(Task& task, const component_def& c, std::int64_t task_id, emit_hook on_emit)
{
    init_counts(task, c, task_id);
    using shell = std::remove_cvref_t<decltype(*task.shell)>;
    typename options_of<shell>::type options;
    options.conf = component_conf(topology_, c);
    options.context = task_context(topology_, layout_, c.id, task_id);
    options.pid_dir = pid_dir_.string();
    options.timeout = settings_.subprocess_timeout;
    options.on_stderr = [this, label = name(task)](const std::string& text) { log(label + " stderr: " + text); };
    options.on_emit = std::move(on_emit);
    shell_command command{c.command, c.env, options_.working_dir};
    guarded(task, [&] {
        task.shell = std::make_unique<shell>(command, std::move(options));
        return task.shell->open();
    });
}

void executor::start_spout(spout_task& task, const component_def& c, std::int64_t task_id)
{
    start_task(task, c, task_id, [this, t = &task](const emit_message& e) { return spout_emitted(*t, e); });
}

void executor::start_bolt(bolt_task& task, const component_def& c, std::int64_t task_id)
{
    start_task(task, c, task_id, [this, t = &task](const emit_message& e) { return bolt_emitted(*t, e); });
    task.last_heard = clock::now();
    task.next_heartbeat = task.last_heard + 1s;
    task.started = true;
}

std::string executor::failure_text(task_base& t, const std::string& why)
{
    std::string what = "component \"" + t.component + "\" task " + std::to_string(t.id);
    auto* p = t.process();
    if (!p) return what + ": " + why;
    what += " (pid " + std::to_string(p->pid()) + "): " + why;
    std::string err = p->drain_stderr();
    if (err.size() > 2000) err = "..." + err.substr(err.size() - 2000);
    if (!err.empty()) what += "\nits stderr: " + err;
    return what;
}

bool executor::restart_if_dead(task_base& t, const std::string& why)
{
    auto* p = t.process();
    if (!options_.restart_dead_tasks || !t.started || !p) return false;
    // A dead subprocess's pipes are closed by the kernel as it exits, so it is reaped at once;
    // one that is still running closed them itself (or went silent), which stays fatal.
    auto status = p->wait(2s);
    if (!status) return false;
    std::string how = WIFSIGNALED(*status) ? "killed by signal " + std::to_string(WTERMSIG(*status))
                                           : "exited with status " + std::to_string(WEXITSTATUS(*status));
    auto old_pid = p->pid();
    if (auto err = p->drain_stderr(); !err.empty()) log(name(t) + " stderr: " + err);
    log(name(t) + " (pid " + std::to_string(old_pid) + ") " + how + " (" + why + "); restarting it");
    t.started = false;
    const component_def& c = *topology_.find(t.component);
    if (auto* s = dynamic_cast<spout_task*>(&t)) {
        // The new subprocess never emitted these: nobody will ack or fail them.
        for (auto root : s->pending.clear()) acker_.forget(root);
        start_spout(*s, c, s->id);
        auto reply = guarded(*s, [&] { return s->shell->activate(); });
        report(*s, reply.logs, reply.errors);
        s->started = true;
    } else if (auto* b = dynamic_cast<bolt_task*>(&t)) {
        // Its inputs in hand are lost; their trees time out at the spouts. The queue stays.
        b->inputs.clear();
        start_bolt(*b, c, b->id);
    }
    restarts_.push_back(name(t) + " (pid " + std::to_string(old_pid) + ") " + how + "; restarted as pid " +
                        std::to_string(t.process()->pid()));
    return true;
}

void executor::start()
{
    pid_dir_ = options_.pid_dir;
    if (pid_dir_.empty()) {
        pid_dir_ = std::filesystem::temp_directory_path() / ("kspout-local-" + std::to_string(::getpid()));
        own_pid_dir_ = true;
    }
    std::filesystem::create_directories(pid_dir_);
    for (const auto& c : topology_.components) {
        counts_[c.id] = {c.id, c.kind, c.parallelism};
    }
    for (const auto& [task_id, component_id] : layout_.task_to_component) {
        const component_def* c = topology_.find(component_id);
        if (!c) continue; // __acker lives in this process
        if (c->kind == component_kind::spout) {
            start_spout(*spouts_.emplace_back(std::make_unique<spout_task>()), *c, task_id);
        } else {
            auto& task = *(bolts_[task_id] = std::make_unique<bolt_task>());
            if (c->log_bolt) {
                init_counts(task, *c, task_id);
                continue;
            }
            start_bolt(task, *c, task_id);
        }
    }
    for (auto& s : spouts_) {
        auto reply = guarded(*s, [&] { return s->shell->activate(); });
        report(*s, reply.logs, reply.errors);
        s->started = true;
    }
    ticks_ = tick_timer(settings_.message_timeout, clock::now());
    last_spout_emit_ = clock::now();
}

void executor::loop()
{
    auto started = clock::now();
    for (;;) {
        bool progress = deliver_outcomes();
        auto now = clock::now();
        if (options_.stop && options_.stop->load()) return;
        if (options_.duration.count() > 0 && now - started >= options_.duration) return;
        if (options_.idle_stop.count() > 0 && now - last_spout_emit_ >= options_.idle_stop) return;
        if (drained(now)) return;
        for (int n = ticks_.due(now); n > 0; --n) tick();

        bool backlog = false;
        for (auto& [id, b] : bolts_) backlog = backlog || b->queue.size() >= backlog_limit;
        bool emitting = !(options_.max_tuples > 0 && spout_emits_ >= options_.max_tuples);
        for (auto& s : spouts_) {
            if (!emitting || backlog || !s->pending.may_call_next(settings_.max_spout_pending)) continue;
            long before = spout_emits_;
            auto reply = guarded(*s, [&] { return s->shell->next(); });
            report(*s, reply.logs, reply.errors);
            progress = progress || spout_emits_ != before;
            emitting = !(options_.max_tuples > 0 && spout_emits_ >= options_.max_tuples);
        }
        for (auto& [id, b] : bolts_) progress = serve_bolt(*b, clock::now()) || progress;
        // Storm's spout wait strategy sleeps 1 ms after an empty next.
        if (!progress) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

bool executor::drained(clock::time_point now)
{
    if (options_.max_tuples <= 0 || spout_emits_ < options_.max_tuples) return false;
    if (!outcomes_.empty()) return false;
    for (auto& s : spouts_) {
        if (s->pending.size() > 0) return false;
    }
    if (!drain_started_) drain_started_ = now;
    for (auto& [id, b] : bolts_) {
        if (!b->queue.empty()) return false;
        // Inputs nobody may ever ack (unanchored, or of trees already ended) get a short grace.
        if (!b->inputs.empty() && now - *drain_started_ < std::min<clock::duration>(settings_.message_timeout, 2s)) {
            return false;
        }
    }
    return true;
}

bool executor::serve_bolt(bolt_task& b, clock::time_point now)
{
    bool progress = false;
    while (!b.queue.empty() &&
           (!b.shell || static_cast<long>(b.shell->pending_count()) < settings_.shellbolt_max_pending)) {
        queued_tuple t = std::move(b.queue.front());
        b.queue.pop_front();
        std::string id = std::to_string(static_cast<std::int64_t>(ids_.next()));
        b.inputs[id] = {std::move(t.anchors), 0};
        ++b.counts->executed;
        progress = true;
        if (!b.shell) { // LogInfoBolt: log and ack
            log(name(b) + " " + t.source + ":" + t.stream + " " + t.values.dump());
            bolt_acked(b, id, true);
            continue;
        }
        guarded(b, [&] { return b.shell->execute({id, t.source, t.stream, t.source_task, std::move(t.values)}); });
    }
    if (!b.shell) return progress;
    auto out = guarded(b, [&] {
        // ShellBolt's timer: a heartbeat tuple every second, death after a silent timeout.
        if (now >= b.next_heartbeat) {
            b.shell->send_heartbeat();
            b.next_heartbeat = now + std::chrono::seconds(1);
        }
        auto read = b.shell->read_available();
        if (read.messages > 0) {
            b.last_heard = clock::now();
        } else if (now - b.last_heard > settings_.subprocess_timeout) {
            throw shell_error("subprocess heartbeat timeout: nothing for " +
                              std::to_string(settings_.subprocess_timeout.count()) + " s");
        }
        return read;
    });
    report(b, out.logs, out.errors);
    for (const auto& id : out.acked) bolt_acked(b, id, true);
    for (const auto& id : out.failed) bolt_acked(b, id, false);
    return progress || out.messages > 0;
}

run_summary executor::stop()
{
    deliver_outcomes();
    for (auto& s : spouts_) {
        auto reply = guarded(*s, [&] { return s->shell->deactivate(); });
        report(*s, reply.logs, reply.errors);
    }
    run_summary summary;
    for (const auto& c : topology_.components) summary.components.push_back(counts_.at(c.id));
    summary.notes = restarts_;
    auto tasks = all_tasks();
    for (auto* t : tasks) {
        if (auto* p = t->process()) p->close_stdin();
    }
    auto deadline = clock::now() + options_.shutdown_grace;
    for (auto* t : tasks) {
        auto* p = t->process();
        if (!p) continue;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        auto status = p->wait(std::max(left, std::chrono::milliseconds(0)));
        if (!status) {
            p->signal(SIGTERM);
            status = p->wait(std::chrono::seconds(5));
            summary.notes.push_back(name(*t) + " did not exit after its stdin closed; sent SIGTERM");
        } else if (WIFSIGNALED(*status)) {
            summary.notes.push_back(name(*t) + " was killed by signal " + std::to_string(WTERMSIG(*status)));
        } else if (WEXITSTATUS(*status) != 0) {
            summary.notes.push_back(name(*t) + " exited with status " + std::to_string(WEXITSTATUS(*status)));
        }
        if (auto err = p->drain_stderr(); !err.empty()) log(name(*t) + " stderr: " + err);
    }
    return summary;
}

} // namespace detail

run_summary run_local_topology(const topology_def& topology, const run_options& options)
{
    validate(topology);
    detail::executor r(topology, options);
    return r.run();
}

} // namespace kspout::multilang::local