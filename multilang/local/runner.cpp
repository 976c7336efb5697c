// run_local_topology: one thread plays every executor: spout commands, bolt I/O, the acker, ticks.
#include "multilang/local/executor.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

namespace kspout::multilang::local {
namespace detail {

using namespace std::chrono_literals;

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
        shell_command command{c->command, c->env, options_.working_dir};
        json conf = component_conf(topology_, *c);
        json context = task_context(topology_, layout_, c->id, task_id);
        auto on_stderr = [this, name = c->id + ":" + std::to_string(task_id)](const std::string& text) {
            log(name + " stderr: " + text);
        };
        if (c->kind == component_kind::spout) {
            auto s = std::make_unique<spout_task>();
            s->component = c->id;
            s->id = task_id;
            s->counts = &counts_[c->id];
            shell_spout_options so;
            so.conf = conf;
            so.context = context;
            so.pid_dir = pid_dir_.string();
            so.timeout = settings_.subprocess_timeout;
            so.on_stderr = on_stderr;
            so.on_emit = [this, task = s.get()](const emit_message& e) { return spout_emitted(*task, e); };
            auto& task = *s;
            spouts_.push_back(std::move(s));
            guarded(task, [&] {
                task.shell = std::make_unique<shell_spout>(command, so);
                return task.shell->open();
            });
        } else {
            auto b = std::make_unique<bolt_task>();
            b->component = c->id;
            b->id = task_id;
            b->counts = &counts_[c->id];
            auto& task = *b;
            bolts_[task_id] = std::move(b);
            if (c->log_bolt) continue;
            shell_bolt_options bo;
            bo.conf = conf;
            bo.context = context;
            bo.pid_dir = pid_dir_.string();
            bo.timeout = settings_.subprocess_timeout;
            bo.on_stderr = on_stderr;
            bo.on_emit = [this, t = &task](const emit_message& e) { return bolt_emitted(*t, e); };
            guarded(task, [&] {
                task.shell = std::make_unique<shell_bolt>(command, bo);
                return task.shell->open();
            });
            task.last_heard = clock::now();
            task.next_heartbeat = task.last_heard + std::chrono::seconds(1);
        }
    }
    for (auto& s : spouts_) {
        auto reply = guarded(*s, [&] { return s->shell->activate(); });
        report(*s, reply.logs, reply.errors);
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