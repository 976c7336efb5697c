// Our members' znodes as pykafka writes them, read back by kazoo byte for byte, and a group shared
// with a pykafka-style member (kazoo, with pykafka's paths and range assignment written in Python).
#include "tests/integration/balanced_child.hpp"
#include "tests/integration/balanced_fixture.hpp"
#include "tests/integration/kazoo_walk.hpp"

#include <regex>

namespace kspout::balanced::testing {
namespace {

// A member written the way pykafka's BalancedConsumer (2.8) behaves in ZooKeeper: it registers
// ids/<id> with the raw topic bytes, formats the owners path from the topic's bytes object (as
// pykafka does under Python 3), orders partitions by "<topic>-<leader>-<id>", takes its range, and
// retries claims that collide until the other member lets go. It holds them until stdin closes.
constexpr const char* pykafka_member = R"(
import sys, time
from kazoo.client import KazooClient
from kazoo.exceptions import NodeExistsError, NoNodeError
hosts, group, topic, me = sys.argv[1:5]
partitions = [tuple(int(x) for x in arg.split(':')) for arg in sys.argv[5:]]
topic_name = topic.encode()
owners = '/consumers/{group}/owners/{topic}'.format(group=group, topic=topic_name)
ids = '/consumers/{group}/ids'.format(group=group)
zk = KazooClient(hosts=hosts, timeout=10)
zk.start(timeout=30)
zk.ensure_path(owners)
zk.create(ids + '/' + me, topic_name, ephemeral=True, makepath=True)
def participants():
    found = []
    for child in zk.get_children(ids):
        try:
            data, _ = zk.get(ids + '/' + child)
        except NoNodeError:
            continue
        if data == topic_name:
            found.append(child.encode())
    return sorted(found)
def decide_partitions_range(members):
    ordered = sorted(partitions, key=lambda p: '{}-{}-{}'.format(topic_name, p[1], p[0]))
    idx = members.index(me.encode())
    per = len(ordered) // len(members)
    rem = len(ordered) % len(members)
    start = per * idx + min(idx, rem)
    count = per + (0 if idx + 1 > rem else 1)
    return ordered[start:start + count]
held = set()
deadline = time.time() + 25
while True:
    mine = decide_partitions_range(participants())
    for pid, leader in mine:
        if pid in held:
            continue
        try:
            zk.create('{}/{}-{}'.format(owners, leader, pid), me.encode(), ephemeral=True)
            held.add(pid)
        except NodeExistsError:
            pass
    if held == set(pid for pid, _ in mine):
        break
    if time.time() > deadline:
        print('timeout', flush=True)
        sys.exit(1)
    time.sleep(0.05)
print('owned ' + ','.join(str(p) for p in sorted(held)), flush=True)
sys.stdin.read()
zk.stop()
print('left', flush=True)
)";

using kspout::testing::hex;
using kspout::testing::kazoo_walk;
using kspout::testing::lines_of;

class BalancedLayout : public BalancedFixture {
protected:
    // partition -> leader, from a metadata request of our own.
    std::map<std::int32_t, std::int32_t> leaders(const std::string& topic)
    {
        auto c = io::cluster::create(ioc.get_executor(), cluster_options());
        std::optional<std::error_code> result;
        c->refresh_metadata({topic}, [&](std::error_code ec) { result = ec; });
        EXPECT_TRUE(run_until(ioc, [&] { return result.has_value(); }));
        std::map<std::int32_t, std::int32_t> out;
        if (result && !*result && c->topic(topic)) {
            for (const auto& p : c->topic(topic)->partitions)
                out[p.partition] = p.leader;
        }
        c->shut_down();
        run_for(ioc, 10ms);
        return out;
    }
};

TEST_F(BalancedLayout, KazooReadsOurZnodesAsPykafkaWritesThem)
{
    const std::string topic = "events.v1";
    constexpr int partitions = 3;
    mock->create_topic(topic, partitions);
    member& m = add_member(options_for(topic));
    ASSERT_TRUE(drive_until([&] { return settled(partitions); }));
    auto by_partition = leaders(topic);
    ASSERT_EQ(by_partition.size(), static_cast<std::size_t>(partitions));

    auto walked = kspout::testing::run_process({KSPOUT_PYTHON, "-c", kazoo_walk, zookeeper->connect_string(), "/consumers"});
    ASSERT_TRUE(walked.ok()) << walked.describe();
    const std::string id = m.consumer->consumer_id();
    const std::string session = std::to_string(m.consumer->zookeeper_session()->id);
    const std::string g = std::string("/consumers/") + group;
    std::vector<std::string> expected = {
        "/consumers\t\t0",
        g + "\t\t0",
        g + "/ids\t\t0",
        g + "/ids/" + id + "\t" + hex(topic) + "\t" + session,
        g + "/owners\t\t0",
        g + "/owners/" + topic + "\t\t0",
    };
    std::vector<std::string> owner_lines;
    for (const auto& [p, leader] : by_partition)
        owner_lines.push_back(g + "/owners/" + topic + "/" + std::to_string(leader) + "-" + std::to_string(p) + "\t" +
                              hex(id) + "\t" + session);
    std::sort(owner_lines.begin(), owner_lines.end());
    expected.insert(expected.end(), owner_lines.begin(), owner_lines.end());
    EXPECT_EQ(lines_of(walked.out), expected);

    // The consumer id is "<socket.gethostname()>:<uuid4>".
    auto host = kspout::testing::run_process({KSPOUT_PYTHON, "-c", "import socket; print(socket.gethostname())"});
    ASSERT_TRUE(host.ok()) << host.describe();
    std::string hostname = lines_of(host.out).at(0);
    ASSERT_TRUE(id.starts_with(hostname + ":")) << id << " vs " << hostname;
    EXPECT_TRUE(std::regex_match(id.substr(hostname.size() + 1),
                                 std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
        << id;
}

TEST_F(BalancedLayout, SharesAGroupWithAPykafkaStyleMember)
{
    const std::string topic = "mixed";
    constexpr int partitions = 6;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 10);
    auto o = options_for(topic);
    o.owners_dir = group::owners_dir_style::python3_bytes_repr;
    member& ours = add_member(o);
    ASSERT_TRUE(drive_until([&] { return settled(partitions) && everything_seen(); }));

    auto by_partition = leaders(topic);
    ASSERT_EQ(by_partition.size(), static_cast<std::size_t>(partitions));
    const std::string peer_id = "pykafka-host:0c6d9a3e-5b7f-4c1e-9d2a-7e8f00112233";
    std::vector<std::string> argv = {KSPOUT_PYTHON, "-c", pykafka_member, zookeeper->connect_string(), group, topic,
                                     peer_id};
    for (const auto& [p, leader] : by_partition)
        argv.push_back(std::to_string(p) + ":" + std::to_string(leader));
    child_process peer(argv);

    std::set<std::int32_t> peer_share;
    bool peer_owns = false;
    ASSERT_TRUE(drive_until([&] {
        for (const std::string& line : peer.lines()) {
            if (!line.starts_with("owned "))
                continue;
            peer_owns = true;
            std::string list = line.substr(6);
            for (std::size_t at = 0; at < list.size();) {
                std::size_t comma = list.find(',', at);
                peer_share.insert(std::stoi(list.substr(at, comma - at)));
                at = comma == std::string::npos ? list.size() : comma + 1;
            }
        }
        return peer_owns && ours.live.size() + peer_share.size() == static_cast<std::size_t>(partitions);
    })) << "peer stderr:\n" << peer.stderr_text();

    // Both sides computed the same split: ours is exactly what the peer left.
    std::set<std::int32_t> expected_ours;
    for (int p = 0; p < partitions; ++p)
        if (!peer_share.contains(p))
            expected_ours.insert(p);
    EXPECT_EQ(ours.live, expected_ours);
    EXPECT_FALSE(peer_share.empty());
    auto owners = zk_owners(topic, group::owners_dir_style::python3_bytes_repr);
    ASSERT_EQ(owners.size(), static_cast<std::size_t>(partitions));
    for (const auto& [p, ids] : owners) {
        ASSERT_EQ(ids.size(), 1u) << "partition " << p;
        EXPECT_EQ(ids[0], peer_share.contains(p) ? peer_id : ours.consumer->consumer_id()) << "partition " << p;
    }

    // The peer leaves (its session closes): ours takes everything back and misses nothing.
    produce_all(topic, partitions, 5);
    peer.close_stdin();
    ASSERT_TRUE(peer.wait(30s));
    ASSERT_TRUE(drive_until([&] { return settled(partitions) && everything_seen(); }));
    drive_for(200ms);
    expect_consumed(true);
    expect_no_concurrent_consumption();
    EXPECT_TRUE(ours.errors.empty()) << ours.errors.front().second;
}

} // namespace
} // namespace kspout::balanced::testing
