// Plays Storm (ShellSpout and the acker) for several kafka-spout tasks of one balanced group, and
// checks at-least-once: every offset acked, commits never past an unacked tuple, none moving back.
#pragma once

#include "tests/integration/spout_harness.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace kspout::testing {

using offset_key = std::pair<std::int32_t, std::int64_t>;

// One spout process of the group and the tuples of its last next that are not yet acked or failed.
struct group_member {
    std::int64_t task = 0;
    std::unique_ptr<spout_task> spout;
    std::vector<std::string> in_flight;
    std::size_t emitted = 0;
    bool alive = true;
    bool paused = false; // SIGSTOPped: not driven until resumed
};

// The tuples of each next are answered on the member's following turn, so a member dies or
// leaves with the tuples of its last next in flight. Every 7th offset (offset % 7 == 3) fails the
// first time it is emitted and is acked when replayed. With timeouts on, every 11th offset
// (offset % 11 == 5) is not answered the first time: it fails after `timeout_rounds` rounds, as
// Storm fails a tuple whose message timeout expired.
class group_driver {
public:
    group_driver(std::string bootstrap, const zookeeper_server& zk, std::string topic, std::string group,
                 int partitions, multilang::json extra_conf = multilang::json::object());

    group_member& add(std::int64_t task, const std::vector<std::int64_t>& tasks);
    // Every live member: answer its in-flight tuples, then one next.
    void round();

    // SIGKILL; its in-flight tuples stay pending until a new owner emits them again.
    void kill(group_member& m);
    // A new process for a killed task, as Storm's supervisor starts the worker again.
    void restart(group_member& m);
    // SIGSTOP / SIGCONT: a stalled worker whose ZooKeeper session may expire meanwhile. Tuples it
    // held in flight are never answered (they stay pending until emitted again).
    void pause(group_member& m);
    void resume(group_member& m);
    // A clean leave: Storm closes stdin; the spout commits what was acked, leaves, exits 0.
    void leave(group_member& m);

    void enable_timeouts(int timeout_rounds) { timeout_rounds_ = timeout_rounds; }

    // With the rdkafka engine, a task stopped (SIGSTOP) just after it handed librdkafka a commit
    // delivers that commit when it resumes, under the partition's next owner: librdkafka's own
    // threads send it, and they resume with the task before the task learns that its session
    // expired. The group's offset then moves back once the next owner commits, and that owner
    // emits tuples below the late commit again. The late commit covers acked tuples only. With
    // this set, commits are checked against tuples never acked, a move back seen within
    // `late_commit_window` of a resume is a late commit rather than a regression, and emissions
    // below a commit on a partition that had a late commit are not counted as reading committed data.
    void allow_late_commits_after_resume() { late_commits_allowed_ = true; }
    std::size_t late_commits() const { return late_commits_.size(); }

    // No committed offset may pass a tuple that was emitted and is still unacked.
    std::map<std::int32_t, std::int64_t> check_commits();
    // Every offset below the end offsets was acked at least once and nothing is pending.
    bool all_acked(const std::map<std::int32_t, std::int64_t>& ends) const;
    // Drives rounds until every offset is acked and the committed offsets of the partitions in
    // `ends` reach their end offsets.
    bool drive_to_end(const std::map<std::int32_t, std::int64_t>& ends, std::chrono::steady_clock::duration limit,
                      int check_every = 5);

    std::vector<group_member*> members();
    std::size_t acked_count() const { return acked_.size(); }
    std::size_t failed_count() const { return failed_once_.size(); }
    std::size_t timed_out_count() const { return timed_out_.size(); }
    // Emissions beyond the first, not counting the replay each failed or timed-out tuple asked for.
    std::size_t duplicates() const;
    // Emissions of an offset below a commit of its partition already seen: committed data read
    // again. Duplicates after a fault come from offsets nobody had committed yet; this must be 0.
    std::size_t emitted_below_commit() const;
    std::size_t missing(const std::map<std::int32_t, std::int64_t>& ends) const;
    int checks() const { return checks_; }
    const std::vector<std::string>& regressions() const { return regressions_; }
    int compared() const { return compared_; }
    const std::set<offset_key>& lost_in_flight() const { return lost_in_flight_; }
    const std::map<offset_key, int>& acks() const { return acked_; }
    // The largest peak resident set (VmHWM) of any spout process seen, in KiB.
    long peak_rss_kib() const { return peak_rss_kib_; }
    std::string errors() const;

private:
    void answer(group_member& m);
    void answer_timed_out();
    void sample_rss(const group_member& m);
    void start_process(group_member& m);

    std::string bootstrap_;
    std::string topic_;
    std::string group_;
    int partitions_;
    multilang::json conf_;
    std::vector<std::int64_t> tasks_;
    temp_dir pid_dir_;
    std::vector<std::unique_ptr<group_member>> members_;
    int round_ = 0;
    int timeout_rounds_ = 0;
    std::set<offset_key> pending_;    // emitted, and not acked since the last emission
    std::map<offset_key, int> acked_; // times acked
    std::map<offset_key, int> emissions_;
    std::set<offset_key> failed_once_;
    std::set<offset_key> timed_out_;
    std::multimap<int, std::pair<group_member*, std::string>> timing_out_; // round due -> tuple
    std::set<offset_key> lost_in_flight_; // in flight in a member when it was killed
    std::vector<std::string> errors_;
    int checks_ = 0;
    int compared_ = 0;
    long peak_rss_kib_ = 0;
    std::map<std::int32_t, std::int64_t> last_committed_; // the highest committed offset seen
    std::map<std::int32_t, std::size_t> emitted_below_commit_; // by partition
    bool late_commits_allowed_ = false;
    std::chrono::steady_clock::time_point last_resume_{};
    std::set<std::int32_t> late_commits_; // partitions whose offset a late commit moved back
    static constexpr std::chrono::seconds late_commit_window{15};
    std::vector<std::string> regressions_;
    bool show_logs_ = false; // KSPOUT_TEST_SPOUT_LOG=info|debug: the spouts' log lines on stderr
};

// Every offset below the end offsets was acked at least once.
void expect_every_offset_acked(const group_driver& d, const std::map<std::int32_t, std::int64_t>& ends);

// Three tasks share `topic` (its `total` records already produced); once a third is acked, the
// middle one is SIGKILLed with tuples in flight. The survivors take over after its session times
// out: every offset acked, committed == end, no commit past an unacked tuple or moving back.
void expect_at_least_once_across_a_kill(const std::string& bootstrap, const zookeeper_server& zk,
                                        const std::string& topic, int partitions, int total,
                                        multilang::json extra_conf = multilang::json::object());

} // namespace kspout::testing
