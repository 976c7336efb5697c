// Tuple trees in the local runner: routing emits, anchoring, bolt acks and fails into the
// acker, outcomes to spouts, and message-timeout ticks.
#include "multilang/local/executor.hpp"

namespace kspout::multilang::local::detail {

std::vector<std::int64_t> executor::spout_emitted(spout_task& s, const emit_message& e)
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

std::vector<std::int64_t> executor::bolt_emitted(bolt_task& b, const emit_message& e)
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

void executor::report(task_base& t, const std::vector<log_message>& logs, const std::vector<error_message>& errors)
{
    static const char* levels[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"};
    for (const auto& l : logs) log(name(t) + " " + levels[static_cast<int>(l.level)] + " " + l.msg);
    for (const auto& e : errors) log(name(t) + " reported an error: " + e.msg);
}

void executor::outcome(spout_task& s, const json& id, outcome_kind kind)
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

bool executor::deliver_outcomes()
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

void executor::tick()
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

void executor::bolt_acked(bolt_task& b, const std::string& id, bool acked)
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

} // namespace kspout::multilang::local::detail
