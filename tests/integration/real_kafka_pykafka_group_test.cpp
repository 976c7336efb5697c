// pykafka's BalancedConsumer and kafka-spout tasks in one ZooKeeper group on a real broker: the split, takeovers both ways, each other's commits.
#include "tests/integration/pykafka_member.hpp"
#include "tests/integration/spout_harness.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

#include <sys/wait.h>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using offset_key = std::pair<std::int32_t, std::int64_t>;
using offsets = std::map<std::int32_t, std::int64_t>;

constexpr int partitions = 6;
constexpr int batch = 600; // records produced per phase, spread over the partitions by key
const std::string topic = "shared";
const std::string group = "mixed";
// pykafka under Python 3 claims under owners/b'<topic>'; the spouts are told to do the same.
const std::string pykafka_owners_dir = "b'" + topic + "'";

// Prints "dir<TAB>name" per owners directory of a group and "owner<TAB>node<TAB>id" per owner
// znode in it. argv: hosts, the group's owners path (which may not exist yet).
constexpr const char* list_owners = R"(
import sys
from kazoo.client import KazooClient
from kazoo.exceptions import NoNodeError
zk = KazooClient(hosts=sys.argv[1], timeout=10)
zk.start(timeout=30)
root = sys.argv[2]
try:
    dirs = zk.get_children(root)
except NoNodeError:
    dirs = []
for d in sorted(dirs):
    print("dir\t" + d)
    for node in sorted(zk.get_children(root + "/" + d)):
        try:
            data, _ = zk.get(root + "/" + d + "/" + node)
        except NoNodeError:
            continue
        print("owner\t%s\t%s" % (node, data.decode()))
zk.stop()
)";

// The group's owner znodes as kazoo reads them.
struct owners_view {
    std::set<std::string> dirs;
    std::map<std::int32_t, std::vector<std::string>> claims; // partition -> owners, over every dir and leader

    std::map<std::string, std::set<std::int32_t>> by_owner() const
    {
        std::map<std::string, std::set<std::int32_t>> out;
        for (const auto& [p, ids] : claims)
            for (const auto& id : ids) out[id].insert(p);
        return out;
    }

    // Every partition claimed once, in pykafka's directory only, by exactly `members`, in equal shares.
    bool split_between(const std::set<std::string>& members) const
    {
        if (dirs != std::set<std::string>{pykafka_owners_dir} || claims.size() != partitions) return false;
        for (const auto& [p, ids] : claims)
            if (ids.size() != 1) return false;
        auto shares = by_owner();
        if (shares.size() != members.size()) return false;
        for (const auto& [id, held] : shares)
            if (!members.contains(id) || held.size() != partitions / members.size()) return false;
        return true;
    }
};

owners_view read_owners(const std::string& zookeeper_connect)
{
    auto listed = run_process({KSPOUT_PYTHON, "-c", list_owners, zookeeper_connect, "/consumers/" + group + "/owners"});
    if (!listed.ok()) throw std::runtime_error("kazoo could not list the owners: " + listed.describe());
    owners_view view;
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        std::string kind, name, id;
        std::getline(fields, kind, '\t');
        std::getline(fields, name, '\t');
        std::getline(fields, id, '\t');
        if (kind == "dir") view.dirs.insert(name);
        if (kind == "owner") view.claims[std::stoi(name.substr(name.rfind('-') + 1))].push_back(id);
    }
    return view;
}

// One record as a member handed it out: a spout's emit or pykafka's consume().
struct consumption {
    std::string by; // the member's consumer id
    int phase = 0;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::string key;
    std::string value;
};

struct spout_member {
    std::unique_ptr<spout_task> spout;
    std::string consumer_id; // from its "joined group" log line
    bool driven = true;      // whether it gets next commands
};

class PykafkaGroup : public ::testing::Test {
protected:
    pykafka_cluster& cluster = shared_pykafka_cluster();
    temp_dir pid_dir;
    std::vector<std::unique_ptr<spout_member>> spouts;
    std::vector<std::unique_ptr<pykafka_member>> pykafkas;
    std::vector<consumption> consumed;
    int phase = 1;

    void TearDown() override
    {
        if (HasFailure()) {
            for (const auto& p : pykafkas)
                std::cerr << "--- pykafka member " << p->consumer_id() << " ---\n" << p->log();
        }
    }

    spout_member& add_spout(std::int64_t task)
    {
        auto conf = balanced_spout_conf(cluster.bootstrap(), cluster.zookeeper_connect(), topic, group);
        conf["kafka.zookeeper.owners.dir"] = "python3";
        auto m = std::make_unique<spout_member>();
        m->spout = std::make_unique<spout_task>(pid_dir, spout_task_options{conf, task, {1, 2}});
        m->spout->storm().open();
        note_logs(*m, m->spout->storm().activate());
        spouts.push_back(std::move(m));
        return *spouts.back();
    }

    pykafka_member& add_pykafka()
    {
        pykafkas.push_back(std::make_unique<pykafka_member>(cluster, topic, group));
        return *pykafkas.back();
    }

    void note_logs(spout_member& m, const multilang::spout_reply& reply)
    {
        static const std::regex joined("balanced consumer (\\S+): joined group");
        std::smatch match;
        for (const auto& log : reply.logs)
            if (std::regex_search(log.msg, match, joined)) m.consumer_id = match[1];
    }

    // One round: each driven spout gets a next and every tuple of it acked; each live pykafka
    // member's events are read.
    void turn()
    {
        for (auto& m : spouts) {
            if (!m->spout || !m->driven) continue;
            auto reply = m->spout->storm().next();
            note_logs(*m, reply);
            for (const auto& e : reply.emits) {
                auto [p, o] = parse_emit_id(e);
                consumed.push_back({m->consumer_id, phase, p, o, e.tuple.at(3).get<std::string>(),
                                    e.tuple.at(4).get<std::string>()});
                note_logs(*m, m->spout->storm().ack(*e.id));
            }
        }
        for (auto& p : pykafkas) {
            if (!p->running()) continue;
            p->poll();
            for (auto& c : p->take_consumed())
                consumed.push_back({p->consumer_id(), phase, c.partition, c.offset, c.key, c.value});
        }
    }

    template <typename Condition>
    bool drive_until(Condition done, std::chrono::seconds limit = 60s)
    {
        for (auto deadline = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < deadline;) {
            turn();
            if (done()) return true;
        }
        return false;
    }

    owners_view owners() const { return read_owners(cluster.zookeeper_connect()); }

    // Waits until the group's owner znodes split the partitions evenly between exactly `members`
    // and each pykafka member among them consumes what its znodes say; returns that split.
    owners_view wait_for_split(const std::set<std::string>& members)
    {
        owners_view split;
        bool settled = drive_until([&] {
            split = owners();
            if (!split.split_between(members)) return false;
            auto shares = split.by_owner();
            for (const auto& p : pykafkas)
                if (p->running() && members.contains(p->consumer_id()) && p->held() != shares[p->consumer_id()])
                    return false;
            return true;
        });
        EXPECT_TRUE(settled) << "the owner znodes never split the partitions between " << members.size()
                             << " members; last seen: " << describe(split);
        return split;
    }

    // Drives until every offset below `ends` was handed out and the group's commits reach `ends`.
    void drive_to(const offsets& ends)
    {
        EXPECT_TRUE(drive_until([&] { return read_through(ends); })) << "not everything below the end offsets was read";
        EXPECT_TRUE(drive_until([&] { return committed() == ends; }))
            << "the committed offsets never reached the end offsets";
    }

    bool read_through(const offsets& ends, const std::set<std::int32_t>& only = {}) const
    {
        std::set<offset_key> seen;
        for (const auto& c : consumed) seen.insert({c.partition, c.offset});
        for (const auto& [p, end] : ends) {
            if (!only.empty() && !only.contains(p)) continue;
            for (std::int64_t o = 0; o < end; ++o)
                if (!seen.contains({p, o})) return false;
        }
        return true;
    }

    offsets committed() const { return committed_offsets(cluster.bootstrap(), group, topic, partitions); }
    offsets ends() const { return end_offsets(cluster.bootstrap(), topic, partitions); }

    std::set<std::int32_t> partitions_read(const std::string& by, int in_phase) const
    {
        std::set<std::int32_t> out;
        for (const auto& c : consumed)
            if (c.by == by && c.phase == in_phase) out.insert(c.partition);
        return out;
    }

    // The lowest offset of `partition` anyone read in `in_phase`, or -1.
    std::int64_t first_read(std::int32_t partition, int in_phase, const std::string& by) const
    {
        std::int64_t first = -1;
        for (const auto& c : consumed)
            if (c.partition == partition && c.phase == in_phase && (first < 0 || c.offset < first)) {
                EXPECT_EQ(c.by, by) << "partition " << partition << " offset " << c.offset << " read by another member";
                first = first < 0 ? c.offset : std::min(first, c.offset);
            }
        return first;
    }

    // In `in_phase`, every record came from a partition its reader owned in `split`.
    void expect_read_by_owners(const owners_view& split, int in_phase) const
    {
        for (const auto& c : consumed) {
            if (c.phase != in_phase) continue;
            ASSERT_FALSE(c.by.empty()) << "a spout emitted before it logged joining the group";
            EXPECT_EQ(split.claims.at(c.partition).at(0), c.by)
                << "phase " << in_phase << ": partition " << c.partition << " offset " << c.offset;
        }
    }

    static std::string describe(const owners_view& v)
    {
        std::string out = "dirs:";
        for (const auto& d : v.dirs) out += " " + d;
        for (const auto& [p, ids] : v.claims) {
            out += "; " + std::to_string(p) + " ->";
            for (const auto& id : ids) out += " " + id;
        }
        return out;
    }

    void kill_spout(spout_member& m)
    {
        m.spout->process().signal(SIGKILL);
        auto status = m.spout->process().wait(10s);
        EXPECT_TRUE(status && WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL);
        m.spout.reset();
    }
};

// Two spout tasks, then a pykafka member: a third of the partitions each. pykafka is killed: the
// spouts take its partitions and start where it committed. A new pykafka member joins and starts
// its partitions where the spouts committed; a spout is killed and pykafka takes partitions of it,
// starting where that spout committed. Every record is read exactly once; before each change the
// members have read and committed everything there is, so that the takeovers lose and repeat nothing.
TEST_F(PykafkaGroup, SplitTakeoversAndEachOthersCommits)
{
    cluster.broker().create_topic(topic, partitions);
    auto& s1 = add_spout(1);
    auto& s2 = add_spout(2);
    ASSERT_TRUE(drive_until([&] { return !s1.consumer_id.empty() && !s2.consumer_id.empty(); }));
    wait_for_split({s1.consumer_id, s2.consumer_id});
    ASSERT_FALSE(HasFailure());

    // Phase 1: pykafka joins; the three split the partitions two each under pykafka's directory.
    pykafka_member& first = add_pykafka();
    ASSERT_TRUE(drive_until([&] { return !first.consumer_id().empty(); })) << first.log();
    owners_view split1 = wait_for_split({s1.consumer_id, s2.consumer_id, first.consumer_id()});
    ASSERT_FALSE(HasFailure());
    produce_with_kcat(cluster.bootstrap(), topic, batch, 0);
    const offsets ends1 = ends();
    drive_to(ends1);
    expect_read_by_owners(split1, 1);
    const auto shares1 = split1.by_owner();
    EXPECT_EQ(partitions_read(first.consumer_id(), 1), shares1.at(first.consumer_id()));
    EXPECT_EQ(partitions_read(s1.consumer_id, 1), shares1.at(s1.consumer_id));
    EXPECT_EQ(partitions_read(s2.consumer_id, 1), shares1.at(s2.consumer_id));
    EXPECT_GT(first.commits(), 0);

    // Phase 2: pykafka stops (SIGSTOP) before the next records, which it never reads, then dies.
    // The spouts get no next until they have taken over, so each record is read by its new owner.
    phase = 2;
    first.pause();
    s1.driven = s2.driven = false;
    produce_with_kcat(cluster.bootstrap(), topic, batch, batch);
    const offsets ends2 = ends();
    const offsets pykafka_commits = committed();
    first.kill();
    owners_view split2 = wait_for_split({s1.consumer_id, s2.consumer_id});
    ASSERT_FALSE(HasFailure());
    s1.driven = s2.driven = true;
    drive_to(ends2);
    expect_read_by_owners(split2, 2);
    for (std::int32_t p : shares1.at(first.consumer_id())) {
        SCOPED_TRACE("partition " + std::to_string(p) + ", pykafka's until it died");
        EXPECT_EQ(pykafka_commits.at(p), ends1.at(p)) << "pykafka committed everything it read";
        ASSERT_LT(ends1.at(p), ends2.at(p)) << "no new records to read after pykafka's commit";
        EXPECT_EQ(first_read(p, 2, split2.claims.at(p).at(0)), pykafka_commits.at(p));
    }

    // Phase 3: a new pykafka member starts its partitions at the spouts' commits.
    phase = 3;
    pykafka_member& second = add_pykafka();
    ASSERT_TRUE(drive_until([&] { return !second.consumer_id().empty(); })) << second.log();
    owners_view split3 = wait_for_split({s1.consumer_id, s2.consumer_id, second.consumer_id()});
    ASSERT_FALSE(HasFailure());
    const auto shares3 = split3.by_owner();
    // With range assignment a spout next to pykafka in id order gives pykafka a partition when it dies.
    std::vector<std::string> ordered = {s1.consumer_id, s2.consumer_id, second.consumer_id()};
    std::sort(ordered.begin(), ordered.end());
    const std::string victim_id = ordered[1] != second.consumer_id() ? ordered[1] : ordered[0];
    spout_member& victim = victim_id == s1.consumer_id ? s1 : s2;
    spout_member& survivor = victim_id == s1.consumer_id ? s2 : s1;
    victim.driven = false; // it reads nothing of the next records, and so commits nothing past ends2
    produce_with_kcat(cluster.bootstrap(), topic, batch, 2 * batch);
    const offsets ends3 = ends();
    std::set<std::int32_t> others;
    for (int p = 0; p < partitions; ++p)
        if (!shares3.at(victim_id).contains(p)) others.insert(p);
    EXPECT_TRUE(drive_until([&] {
        if (!read_through(ends3, others)) return false;
        auto now = committed();
        for (auto p : others)
            if (now.at(p) != ends3.at(p)) return false;
        return true;
    })) << "pykafka and the other spout did not read and commit their partitions";
    expect_read_by_owners(split3, 3);
    for (std::int32_t p : shares3.at(second.consumer_id())) {
        SCOPED_TRACE("partition " + std::to_string(p) + ", a spout's before pykafka joined");
        ASSERT_LT(ends2.at(p), ends3.at(p));
        EXPECT_EQ(first_read(p, 3, second.consumer_id()), ends2.at(p));
    }

    // Phase 4: the victim dies; pykafka takes a partition of it and starts at its commit.
    phase = 4;
    const offsets victim_commits = committed();
    kill_spout(victim);
    owners_view split4 = wait_for_split({survivor.consumer_id, second.consumer_id()});
    ASSERT_FALSE(HasFailure());
    drive_to(ends3);
    expect_read_by_owners(split4, 4);
    const auto shares4 = split4.by_owner();
    std::set<std::int32_t> taken_by_pykafka;
    for (std::int32_t p : shares3.at(victim_id)) {
        SCOPED_TRACE("partition " + std::to_string(p) + ", the killed spout's");
        EXPECT_EQ(victim_commits.at(p), ends2.at(p)) << "the spout committed everything acked";
        ASSERT_LT(victim_commits.at(p), ends3.at(p));
        const std::string& owner = split4.claims.at(p).at(0);
        EXPECT_EQ(first_read(p, 4, owner), victim_commits.at(p));
        if (owner == second.consumer_id()) taken_by_pykafka.insert(p);
    }
    EXPECT_FALSE(taken_by_pykafka.empty()) << "pykafka took none of the killed spout's partitions";

    // Over all phases: every record exactly once, as kcat wrote it.
    std::map<offset_key, int> times;
    for (const auto& c : consumed) {
        ++times[{c.partition, c.offset}];
        ASSERT_TRUE(c.key.starts_with("key-")) << c.key;
        EXPECT_EQ(c.value, "value-" + c.key.substr(4)) << "partition " << c.partition << " offset " << c.offset;
    }
    std::size_t expected = 0;
    for (const auto& [p, end] : ends3) {
        expected += static_cast<std::size_t>(end);
        for (std::int64_t o = 0; o < end; ++o)
            EXPECT_EQ(times[offset_key(p, o)], 1) << "partition " << p << " offset " << o;
    }
    EXPECT_EQ(expected, 3u * batch);
    EXPECT_EQ(times.size(), expected);

    second.kill();
    EXPECT_TRUE(exits_zero_after_stdin_closes(*survivor.spout));
}

} // namespace
} // namespace kspout::testing
