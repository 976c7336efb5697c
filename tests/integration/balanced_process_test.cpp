// Balanced consumers as separate processes (kspout-balanced-member): a group growing and shrinking,
// and a member killed with SIGKILL whose partitions, and uncommitted messages, the others take over.
#include "tests/integration/balanced_child.hpp"
#include "tests/integration/balanced_fixture.hpp"

#include <csignal>
#include <sstream>
#include <thread>

namespace kspout::balanced::testing {
namespace {

// One member process and what its stdout said.
struct remote_member {
    std::string name;
    std::unique_ptr<child_process> process;
    std::string id;
    std::set<std::int32_t> live;
    // partition -> offsets returned in the current (last) ownership stretch
    std::map<std::int32_t, std::vector<std::int64_t>> stretch;
    std::vector<std::string> errors;
    bool stopped = false;
    bool killed = false;
};

// A stretch of one member's ownership of one partition: steady-clock times of its first and last message.
struct timed_segment {
    std::string member;
    std::int64_t first_ns = 0;
    std::int64_t last_ns = 0;
    bool open = true;
};

class BalancedProcesses : public BalancedFixture {
protected:
    std::vector<std::unique_ptr<remote_member>> remotes;
    std::map<std::int32_t, std::vector<timed_segment>> timed;

    void TearDown() override
    {
        if (HasFailure()) {
            for (auto& r : remotes)
                std::cerr << r->name << " stderr:\n" << r->process->stderr_text() << "\n";
        }
        for (auto& r : remotes) {
            if (!r->stopped && !r->killed) {
                r->process->close_stdin();
                r->process->wait(10s);
            }
        }
        remotes.clear();
        BalancedFixture::TearDown();
    }

    remote_member& spawn(const std::string& topic, std::chrono::milliseconds session_timeout = 6s)
    {
        auto r = std::make_unique<remote_member>();
        r->name = "p" + std::to_string(remotes.size());
        r->process = std::make_unique<child_process>(std::vector<std::string>{
            KSPOUT_BALANCED_MEMBER_BIN, "--bootstrap=" + mock->bootstrap(),
            "--zookeeper=" + zookeeper->connect_string(), "--topic=" + topic, "--group=" + std::string(group),
            "--session-timeout-ms=" + std::to_string(session_timeout.count()), "--metadata-check-ms=300"});
        remotes.push_back(std::move(r));
        return *remotes.back();
    }

    void read_lines(remote_member& r)
    {
        for (const std::string& line : r.process->lines()) {
            std::istringstream in(line);
            std::string kind;
            in >> kind;
            if (kind == "id") {
                in >> r.id;
            } else if (kind == "assigned") {
                std::string entry;
                while (in >> entry) {
                    std::int32_t p = std::stoi(entry.substr(0, entry.find('=')));
                    r.live.insert(p);
                    r.stretch[p].clear();
                    timed[p].push_back({r.id, 0, 0, true});
                }
            } else if (kind == "revoking") {
                std::int32_t p = 0;
                while (in >> p) {
                    r.live.erase(p);
                    for (auto& s : timed[p])
                        if (s.member == r.id)
                            s.open = false;
                }
            } else if (kind == "msg") {
                std::int32_t p = 0;
                std::int64_t offset = 0, ns = 0;
                in >> p >> offset >> ns;
                ++seen[{p, offset}];
                r.stretch[p].push_back(offset);
                timed_segment* open = nullptr;
                for (auto& s : timed[p])
                    if (s.member == r.id && s.open)
                        open = &s;
                if (!r.live.contains(p) || !open) {
                    violations.push_back(r.name + " returned partition " + std::to_string(p) + " offset " +
                                         std::to_string(offset) + " without owning it");
                    continue;
                }
                if (open->first_ns == 0)
                    open->first_ns = ns;
                open->last_ns = ns;
            } else if (kind == "error") {
                r.errors.push_back(line);
            } else if (kind == "stopped") {
                r.stopped = true;
            }
        }
    }

    template <typename Predicate>
    bool watch_until(Predicate done, std::chrono::seconds limit = 30s)
    {
        auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            for (auto& r : remotes)
                read_lines(*r);
            if (done())
                return true;
            if (std::chrono::steady_clock::now() >= deadline)
                return false;
            run_for(ioc, 10ms);
        }
    }

    std::vector<remote_member*> alive()
    {
        std::vector<remote_member*> out;
        for (auto& r : remotes)
            if (!r->stopped && !r->killed)
                out.push_back(r.get());
        return out;
    }

    bool remotes_settled(int partitions)
    {
        auto members_alive = alive();
        if (members_alive.empty())
            return false;
        std::size_t low = static_cast<std::size_t>(partitions) / members_alive.size();
        std::set<std::int32_t> all;
        std::size_t total = 0;
        for (remote_member* r : members_alive) {
            if (r->id.empty() || r->live.size() < low || r->live.size() > low + 1)
                return false;
            all.insert(r->live.begin(), r->live.end());
            total += r->live.size();
        }
        return all.size() == static_cast<std::size_t>(partitions) && total == all.size();
    }

    // ZooKeeper agrees: one owner node per partition, naming the process that consumes it.
    void expect_znodes_match_remotes(const std::string& topic, int partitions)
    {
        auto owners = zk_owners(topic);
        EXPECT_EQ(owners.size(), static_cast<std::size_t>(partitions));
        for (remote_member* r : alive()) {
            for (std::int32_t p : r->live) {
                ASSERT_EQ(owners[p].size(), 1u) << "partition " << p;
                EXPECT_EQ(owners[p][0], r->id) << "partition " << p;
            }
        }
    }

    void stop_remote(remote_member& r)
    {
        r.process->close_stdin();
        ASSERT_TRUE(watch_until([&] { return r.stopped; })) << r.name << " did not stop:\n"
                                                            << r.process->stderr_text();
        ASSERT_TRUE(r.process->wait(10s));
        r.live.clear();
    }

    void expect_no_timed_overlap()
    {
        EXPECT_TRUE(violations.empty()) << violations.front();
        for (const auto& [p, list] : timed) {
            for (std::size_t i = 0; i < list.size(); ++i)
                for (std::size_t j = i + 1; j < list.size(); ++j) {
                    const auto& a = list[i];
                    const auto& b = list[j];
                    if (a.member == b.member || a.first_ns == 0 || b.first_ns == 0)
                        continue;
                    EXPECT_TRUE(a.last_ns < b.first_ns || b.last_ns < a.first_ns)
                        << "partition " << p << " consumed by " << a.member << " and " << b.member << " at once";
                }
        }
    }
};

TEST_F(BalancedProcesses, OneToFourToTwoToOneAcrossProcesses)
{
    const std::string topic = "procs";
    constexpr int partitions = 8;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 15);

    spawn(topic);
    ASSERT_TRUE(watch_until([&] { return remotes_settled(partitions); })) << "1 process";
    expect_znodes_match_remotes(topic, partitions);

    for (int i = 0; i < 3; ++i)
        spawn(topic);
    produce_all(topic, partitions, 10);
    ASSERT_TRUE(watch_until([&] { return remotes_settled(partitions); })) << "4 processes";
    expect_znodes_match_remotes(topic, partitions);

    stop_remote(*remotes[1]);
    stop_remote(*remotes[3]);
    produce_all(topic, partitions, 10);
    ASSERT_TRUE(watch_until([&] { return remotes_settled(partitions); })) << "2 processes";
    expect_znodes_match_remotes(topic, partitions);

    stop_remote(*remotes[0]);
    produce_all(topic, partitions, 10);
    ASSERT_TRUE(watch_until([&] { return remotes_settled(partitions) && everything_seen(); })) << "1 process";
    expect_znodes_match_remotes(topic, partitions);
    // The last member's output up to its stop is all read: a late duplicate would show.
    for (remote_member* r : alive()) stop_remote(*r);

    expect_consumed(true);
    expect_no_timed_overlap();
    for (auto& r : remotes)
        EXPECT_TRUE(r->errors.empty()) << r->name << ": " << r->errors.front();
}

TEST_F(BalancedProcesses, AKilledMembersPartitionsAndUncommittedMessagesGoToTheOthers)
{
    const std::string topic = "killed";
    constexpr int partitions = 6;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 20);
    for (int i = 0; i < 3; ++i)
        spawn(topic, 2s); // the victim's nodes live this long after the kill
    ASSERT_TRUE(watch_until([&] { return remotes_settled(partitions) && everything_seen(); }));

    remote_member& victim = *remotes[2];
    std::set<std::int32_t> held = victim.live;
    ASSERT_FALSE(held.empty());
    // What it returned since it last took each partition; it commits only when revoked, so none
    // of it is committed.
    std::map<std::int32_t, std::vector<std::int64_t>> uncommitted;
    for (std::int32_t p : held)
        uncommitted[p] = victim.stretch[p];
    std::map<std::pair<std::int32_t, std::int64_t>, int> before = seen;

    victim.process->kill(SIGKILL);
    ASSERT_TRUE(victim.process->wait(10s));
    victim.killed = true;
    produce_all(topic, partitions, 5);

    // Its ephemeral nodes go with its session (2 s); the others then split all partitions.
    ASSERT_TRUE(watch_until([&] { return remotes_settled(partitions) && everything_seen(); }));
    expect_znodes_match_remotes(topic, partitions);
    auto registered = zk_children(group::ids_path(group)).value_or(std::vector<std::string>{});
    EXPECT_EQ(std::count(registered.begin(), registered.end(), victim.id), 0);

    for (const auto& [p, offsets] : uncommitted) {
        for (std::int64_t offset : offsets) {
            auto key = std::pair{p, offset};
            EXPECT_GT(seen[key], before[key])
                << "partition " << p << " offset " << offset << " was not consumed again by the new owner";
        }
    }
    expect_consumed(false);
    expect_no_timed_overlap();
}

} // namespace
} // namespace kspout::balanced::testing
