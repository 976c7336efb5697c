// run_copy_topology: the copy topology in this process's local runner, faults at spout emit counts, and the comparison.
#include "tests/integration/copy_topology_run.hpp"

#include "multilang/local/flux.hpp"
#include "multilang/local/runner.hpp"
#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/spout_harness.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace kspout::testing {

using namespace std::chrono_literals;
namespace local = multilang::local;

namespace {

// What the spout did, in the order the runner did it.
struct spout_event {
    enum class kind { emit, acked, failed, killed } what;
    std::string id;   // the tuple's id "topic:partition:offset" (none for killed)
    std::int64_t task = 0;
    pid_t pid = 0;    // killed: the subprocess
};

void sigkill_one(const std::filesystem::path& exe, pid_t* killed)
{
    auto pids = children_running(::getpid(), exe.string());
    if (pids.empty()) return;
    *killed = pids.front();
    ::kill(*killed, SIGKILL);
}

// The task the runner restarted for a killed pid, from its note "kafka:TASK (pid N) ...".
std::int64_t restarted_task(const std::vector<std::string>& notes, pid_t pid)
{
    std::regex note(R"(^\S+:(\d+) \(pid (\d+)\))");
    for (const auto& n : notes) {
        std::smatch m;
        if (std::regex_search(n, m, note) && std::stoi(m[2]) == pid) return std::stoll(m[1]);
    }
    return -1;
}

void classify_replays(const std::vector<spout_event>& events, const std::vector<std::string>& notes,
                      copy_run_report& report)
{
    struct state {
        std::int64_t task = 0;
        std::size_t emitted_at = 0;
        enum { none, acked, failed } outcome = none;
    };
    std::map<std::string, state> last;
    std::vector<std::pair<std::size_t, std::int64_t>> kills; // event index, spout task
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& e = events[i];
        switch (e.what) {
        case spout_event::kind::killed:
            kills.emplace_back(i, restarted_task(notes, e.pid));
            break;
        case spout_event::kind::acked:
            last[e.id].outcome = state::acked;
            break;
        case spout_event::kind::failed:
            last[e.id].outcome = state::failed;
            break;
        case spout_event::kind::emit: {
            ++report.emits;
            auto it = last.find(e.id);
            if (it != last.end()) {
                ++report.replays;
                const state& before = it->second;
                bool task_died = std::any_of(kills.begin(), kills.end(), [&](const auto& k) {
                    return k.first > before.emitted_at && k.second == before.task;
                });
                if (before.outcome == state::failed) {
                    ++report.replays_after_fail;
                } else if (task_died && before.outcome == state::none) {
                    ++report.replays_in_flight_at_kill;
                } else if (task_died) {
                    ++report.replays_acked_not_committed;
                } else {
                    report.unexplained.push_back(e.id);
                }
            }
            last[e.id] = {e.task, i, state::none};
            break;
        }
        }
    }
}

} // namespace

std::string copy_run_report::describe() const
{
    std::ostringstream out;
    out << emits << " spout emits, " << replays << " replays (" << replays_after_fail << " after a fail or timeout, "
        << replays_in_flight_at_kill << " in flight when their spout task died, " << replays_acked_not_committed
        << " acked but not committed when it died, " << unexplained.size() << " unexplained); " << duplicates
        << " duplicates in B; " << missing.size() << " records of A missing from B";
    for (const auto& n : notes) out << "\n  note: " << n;
    return out.str();
}

copy_run_report run_copy_topology(const copy_run_settings& settings)
{
    auto topology = local::load_topology_file(std::string(KSPOUT_TOPOLOGY_EXAMPLES) + "/kafka-copy.flux.yaml");
    auto& conf = topology.config;
    conf["kafka.bootstrap.servers"] = settings.bootstrap;
    conf["kafka.topic"] = settings.from;
    conf["kafka.bolt.topic"] = settings.to;
    conf["kafka.group.id"] = settings.group;
    // Short enough that a killed bolt's inputs come again soon; the bolt's delivery timeout
    // stays below it (see kafka.bolt.delivery.timeout.ms).
    conf["topology.message.timeout.secs"] = 5;
    conf["kafka.bolt.delivery.timeout.ms"] = 4000;
    conf["kafka.bolt.request.timeout.ms"] = 3000;
    conf["topology.max.spout.pending"] = 200;
    conf["kafka.spout.commit.interval.ms"] = 100;
    for (const auto& [k, v] : settings.config.items()) conf[k] = v;

    copy_run_report report;
    std::vector<spout_event> events;
    std::atomic<bool> stop{false}, runner_done{false};
    std::atomic<bool> bolt_killed{false}, spout_killed{false};
    std::vector<std::string> logs;
    std::string failure;
    long spout_emits = 0;

    local::run_options options;
    options.working_dir = settings.resources.string();
    options.restart_dead_tasks = true;
    options.stop = &stop;
    options.duration = 300s; // a backstop: the run stops once B is complete
    options.log = [&](const std::string& line) {
        if (logs.size() < 2000) logs.push_back(line);
    };
    options.on_emit = [&](const local::emitted_tuple& t) {
        if (!t.id || t.component != "kafka") return;
        events.push_back({spout_event::kind::emit, *t.id, t.task, 0});
        ++spout_emits;
        if (spout_emits == settings.kill_bolt_at) {
            pid_t pid = 0;
            sigkill_one(settings.resources / "kafka-bolt", &pid);
            bolt_killed = pid != 0;
        }
        if (spout_emits == settings.kill_spout_at) {
            pid_t pid = 0;
            sigkill_one(settings.resources / "kafka-spout", &pid);
            events.push_back({spout_event::kind::killed, "", 0, pid});
            spout_killed = pid != 0;
        }
        if (settings.on_spout_emit) settings.on_spout_emit(spout_emits);
    };
    options.on_outcome = [&](const local::spout_outcome& o) {
        auto kind = o.kind == local::outcome_kind::acked ? spout_event::kind::acked : spout_event::kind::failed;
        events.push_back({kind, o.message_id.get<std::string>(), o.task, 0});
    };

    // A is read before the run starts: a test may kill a node as the spout emits, and nothing
    // may throw past the runner thread below while it runs.
    std::map<std::string, std::string> a; // value -> id in A
    std::map<std::string, std::int32_t> a_partition;
    for (const auto& r : consume_with_kcat(settings.bootstrap, settings.from)) {
        std::string id = settings.from + ":" + std::to_string(r.partition) + ":" + std::to_string(r.offset);
        a[r.value.value_or("")] = id;
        a_partition[r.value.value_or("")] = r.partition;
    }
    const auto end = end_offsets(settings.bootstrap, settings.from, settings.partitions);

    local::run_summary summary;
    std::thread runner([&] {
        try {
            summary = local::run_local_topology(topology, options);
        } catch (const std::exception& e) {
            failure = e.what();
        }
        runner_done = true;
    });

    // kafka-python fails while a killed node's partitions and group coordinator move: such a
    // poll is "not yet", and its error is kept for the report.
    std::string last_poll_error;
    auto copied_and_committed = [&] {
        try {
            std::set<std::string> in_b;
            for (const auto& r : consume_with_kcat(settings.bootstrap, settings.to)) in_b.insert(r.value.value_or(""));
            bool all = std::all_of(a.begin(), a.end(), [&](const auto& v) { return in_b.contains(v.first); });
            return all && committed_offsets(settings.bootstrap, settings.group, settings.from, settings.partitions) == end;
        } catch (const std::exception& e) {
            last_poll_error = e.what();
            return false;
        }
    };
    auto deadline = std::chrono::steady_clock::now() + 240s;
    while (!runner_done && std::chrono::steady_clock::now() < deadline) {
        bool kills_done = (settings.kill_bolt_at == 0 || bolt_killed) && (settings.kill_spout_at == 0 || spout_killed);
        if (kills_done && copied_and_committed()) {
            report.complete = true;
            break;
        }
        std::this_thread::sleep_for(500ms); // polling topic B and the group's offsets
    }
    stop = true;
    runner.join();
    report.bolt_killed = bolt_killed;
    report.spout_killed = spout_killed;
    report.notes = summary.notes;
    if (!failure.empty()) report.notes.push_back("the runner stopped: " + failure);
    if (!report.complete && !last_poll_error.empty()) report.notes.push_back("last poll failed: " + last_poll_error);
    if (!report.complete) {
        for (std::size_t i = logs.size() > 100 ? logs.size() - 100 : 0; i < logs.size(); ++i)
            report.notes.push_back("log: " + logs[i]);
    }

    classify_replays(events, summary.notes, report);
    std::map<std::string, long> emits_of;
    for (const auto& e : events)
        if (e.what == spout_event::kind::emit) ++emits_of[e.id];
    std::map<std::string, int> copies;
    for (const auto& r : consume_with_kcat(settings.bootstrap, settings.to)) {
        const std::string value = r.value.value_or("");
        ++copies[value];
        if (a.contains(value) && r.partition != a_partition[value]) report.misplaced.push_back(value);
    }
    for (const auto& [value, id] : a) {
        int n = copies[value];
        if (n == 0) report.missing.push_back(id);
        if (n > 1) report.duplicates += n - 1;
        if (n > emits_of[id]) report.over_emitted.push_back(id + " (" + std::to_string(n) + " copies, " +
                                                            std::to_string(emits_of[id]) + " emits)");
    }
    return report;
}

void expect_every_record_copied_and_every_duplicate_a_replay(const copy_run_report& report)
{
    using ::testing::IsEmpty;
    // At least once: every record of A is in B, in its partition.
    EXPECT_THAT(report.missing, IsEmpty());
    EXPECT_THAT(report.misplaced, IsEmpty());
    // Only replays: the runner saw every emit, ack and fail of the spout, and the kill. Every
    // emit of a record after its first has a cause that leaves the tuple unacked in Kafka's
    // terms (not covered by a committed offset): Storm failed or timed out its previous emit
    // (a killed bolt's inputs time out), or its spout task died before the previous emit was
    // acked, or acked but before the commit (a restarted task resumes from the committed
    // offset). classify_replays counts each cause and lists any replay without one.
    EXPECT_THAT(report.unexplained, IsEmpty()) << report.describe();
    // The spout task died mid-run with tuples in flight: its restart replayed them.
    EXPECT_GT(report.replays_in_flight_at_kill + report.replays_acked_not_committed, 0) << report.describe();
    // No record is in B more often than the spout emitted it: the bolt writes once per tuple
    // and its producer's resends add no copy. So every duplicate is one of the replays above.
    EXPECT_THAT(report.over_emitted, IsEmpty());
    EXPECT_LE(report.duplicates, report.replays) << report.describe();
}

} // namespace kspout::testing
