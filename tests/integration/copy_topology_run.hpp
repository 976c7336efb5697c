// The copy topology (topology-examples/kafka-copy.flux.yaml: kafka-spout -> kafka-bolt, topic A
// to topic B) under the local runner in this process, with tasks SIGKILLed and restarted
// mid-run, and what B holds against what the spout emitted.
#pragma once

#include "multilang/messages.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace kspout::testing {

struct copy_run_settings {
    std::string bootstrap;
    std::string from, to, group; // topic A, topic B, the spout's group
    int partitions = 3;          // of A (B has at least as many)
    std::filesystem::path resources; // the jar's resources/ (topology_resources)
    multilang::json config = multilang::json::object(); // on top of the file's and the above
    // At this many spout emits, one kafka-bolt or kafka-spout subprocess is SIGKILLed (0: never);
    // the runner restarts it (restart_dead_tasks).
    long kill_bolt_at = 0;
    long kill_spout_at = 0;
    // Called on the runner's thread after every spout emit with their count: more faults.
    std::function<void(long)> on_spout_emit;
};

// Why the spout emitted a record again. kafka-spout replays a record only after Storm failed
// its tuple (a bolt's fail, or the message timeout: the inputs of a killed bolt time out), or
// when a restarted spout task starts again from its group's committed offset, which covers
// only acked tuples: then the tuples that were in flight when the task died come again, and so
// do those acked but not yet committed (commits go every kafka.spout.commit.interval.ms).
struct copy_run_report {
    long emits = 0;
    long replays = 0;
    long replays_after_fail = 0;           // the previous emit failed or timed out
    long replays_in_flight_at_kill = 0;    // its spout task died before an outcome
    long replays_acked_not_committed = 0;  // acked, its spout task died before the commit
    std::vector<std::string> unexplained;  // replays with none of these causes
    long duplicates = 0;                   // copies in B beyond each record's first
    std::vector<std::string> missing;      // records of A not in B
    std::vector<std::string> over_emitted; // more copies in B than the spout emitted it: a write twice
    std::vector<std::string> misplaced;    // in another partition of B than of A
    std::vector<std::string> notes;        // the runner's (one per restart)
    bool bolt_killed = false, spout_killed = false;
    bool complete = false; // all of A in B and the group committed A's end before the limit

    std::string describe() const;
};

// Runs the copy until every record of A is in B and the group has committed A's end offsets,
// then stops the runner and compares B with A and the spout's emits and outcomes.
copy_run_report run_copy_topology(const copy_run_settings& settings);

// The checks of a run with a spout task killed (GoogleTest expectations): every record of A is
// in B in its partition, every replay has a cause, the dead spout task's restart replayed some,
// and no record is in B more often than it was emitted, so every duplicate is a replay.
void expect_every_record_copied_and_every_duplicate_a_replay(const copy_run_report& report);

} // namespace kspout::testing
