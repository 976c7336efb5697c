// run_local_topology: one thread plays every executor: spout commands, bolt I/O, the acker, ticks.
#include "multilang/local/runner.hpp"

#include "multilang/local/acker.hpp"
#include "multilang/local/pending.hpp"
#include "multilang/local/router.hpp"
#include "multilang/shell_bolt.hpp"
#include "multilang/shell_spout.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <memory>
#include <thread>
#include <unordered_map>

namespace kspout::multilang::local {
namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
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

class runner {
public:
    runner(const topology_def& topology, const run_options& options)
        : topology_(topology), options_(options), settings_(read_settings(topology.config)),
          layout_(assign_tasks(topology)), router_(topology, layout_),
          ticks_(settings_.message_timeout, clock::now())
    {
    }

    ~runner()
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

    // Runs one interaction with a task; what Storm treats as fatal becomes a component_failure.
    template <class F>
    auto guarded(task_base& t, F&& f)
    {
        try {
            return f();
        } catch (const shell_error& e) {
            std::string what = "component \"" + t.component + "\" task " + std::to_string(t.id);
            if (auto* p = t.process()) {
                what += " (pid " + std::to_string(p->pid()) + ")";
                std::string err = p->drain_stderr();
                if (err.size() > 2000) err = "..." + err.substr(err.size() - 2000);
                what += ": " + std::string(e.what());
                if (!err.empty()) what += "\nits stderr: " + err;
            } else {
                what += ": " + std::string(e.what());
            }
            throw component_failure(t.component, t.id, what);
        }
    }

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
    std::filesystem::path pid_dir_;
    bool own_pid_dir_ = false;
    long spout_emits_ = 0;
    clock::time_point last_spout_emit_ = clock::now();
    std::optional<clock::time_point> drain_started_;
};

void runner::start()
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

void runner::loop()
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

bool runner::drained(clock::time_point now)
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

std::vector<std::int64_t> runner::spout_emitted(spout_task& s, const emit_message& e)
{
    std::string stream = e.stream.value_or("default");
    auto targets = router_.route(s.component, s.id, stream, e.tuple, e.task);
    ++s.counts->emitted;
    ++spout_emits_;
    last_spout_emit_ = clock::now();
    if (options_.on_emit) options_.on_emit({s.component, s.id, stream, e.tuple, e.id});
    std::vector<std::int64_t> tasks;
    for (const auto& d : targets) tasks.push_back(d.task);
    if (e.id && settings_.ackers) {
        // SpoutOutputCollectorImpl: a root, one edge per destination, the XOR to the acker.
        std::uint64_t root = ids_.next(), value = 0;
        for (const auto& d : targets) {
            std::uint64_t edge = ids_.next();
            value ^= edge;
            enqueue(d, {s.component, s.id, stream, e.tuple, {{root, edge}}});
        }
        s.pending.add(root, *e.id);
        // No destination: the XOR is already zero, and the ack goes out on the next loop.
        if (auto done = acker_.init(root, value, s.id)) outcomes_.push_back(*done);
        return tasks;
    }
    for (const auto& d : targets) enqueue(d, {s.component, s.id, stream, e.tuple, {}});
    if (e.id) {
        // Zero ackers: the emit is acked inside collector.emit, a nested command on this spout
        // before the outer one has its sync (Storm's re-entrancy case).
        ++s.counts->acked;
        if (options_.on_outcome) options_.on_outcome({s.component, s.id, *e.id, outcome_kind::acked});
        auto reply = s.shell->ack(*e.id);
        report(s, reply.logs, reply.errors);
    }
    return tasks;
}

std::vector<std::int64_t> runner::bolt_emitted(bolt_task& b, const emit_message& e)
{
    std::string stream = e.stream.value_or("default");
    auto targets = router_.route(b.component, b.id, stream, e.tuple, e.task);
    ++b.counts->emitted;
    if (options_.on_emit) options_.on_emit({b.component, b.id, stream, e.tuple, std::nullopt});
    std::vector<std::int64_t> tasks;
    for (const auto& d : targets) {
        tasks.push_back(d.task);
        // BoltOutputCollectorImpl: per destination and anchor, a new edge joins every root of
        // the anchor and the anchor's ack value.
        anchors_map anchors;
        for (const auto& a : settings_.ackers ? e.anchors : std::vector<std::string>{}) {
            auto& input = b.inputs.at(a);
            if (input.anchors.empty()) continue;
            std::uint64_t edge = ids_.next();
            input.ack_val ^= edge;
            for (const auto& [root, unused] : input.anchors) anchors[root] ^= edge;
        }
        enqueue(d, {b.component, b.id, stream, e.tuple, std::move(anchors)});
    }
    return tasks;
}

void runner::report(task_base& t, const std::vector<log_message>& logs, const std::vector<error_message>& errors)
{
    static const char* levels[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"};
    for (const auto& l : logs) log(name(t) + " " + levels[static_cast<int>(l.level)] + " " + l.msg);
    for (const auto& e : errors) log(name(t) + " reported an error: " + e.msg);
}

void runner::outcome(spout_task& s, const json& id, outcome_kind kind)
{
    if (kind == outcome_kind::acked) {
        ++s.counts->acked;
    } else {
        ++s.counts->failed;
        if (kind == outcome_kind::timed_out) ++s.counts->timed_out;
    }
    if (options_.on_outcome) options_.on_outcome({s.component, s.id, id, kind});
    auto reply = guarded(s, [&] { return kind == outcome_kind::acked ? s.shell->ack(id) : s.shell->fail(id); });
    report(s, reply.logs, reply.errors);
}

bool runner::deliver_outcomes()
{
    bool any = false;
    while (!outcomes_.empty()) {
        tree_outcome o = outcomes_.front();
        outcomes_.pop_front();
        for (auto& s : spouts_) {
            if (s->id != o.spout_task) continue;
            // Pending drops what already timed out: one outcome per emit.
            if (auto id = s->pending.remove(o.root)) {
                outcome(*s, *id, o.acked ? outcome_kind::acked : outcome_kind::failed);
                any = true;
            }
        }
    }
    return any;
}

void runner::tick()
{
    acker_.rotate();
    if (!settings_.message_timeouts) return;
    for (auto& s : spouts_) {
        for (auto& expired : s->pending.rotate()) {
            acker_.forget(expired.root);
            outcome(*s, expired.message_id, outcome_kind::timed_out);
        }
    }
}

bool runner::serve_bolt(bolt_task& b, clock::time_point now)
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

void runner::bolt_acked(bolt_task& b, const std::string& id, bool acked)
{
    auto node = b.inputs.extract(id);
    if (node.empty()) return; // shell_bolt already rejected unknown ids
    const bolt_input& input = node.mapped();
    ++(acked ? b.counts->acked : b.counts->failed);
    for (const auto& [root, edge] : input.anchors) {
        auto done = acked ? acker_.ack(root, edge ^ input.ack_val) : acker_.fail(root);
        if (done) outcomes_.push_back(*done);
    }
}

run_summary runner::stop()
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

} // namespace

run_summary run_local_topology(const topology_def& topology, const run_options& options)
{
    validate(topology);
    runner r(topology, options);
    return r.run();
}

} // namespace kspout::multilang::local
