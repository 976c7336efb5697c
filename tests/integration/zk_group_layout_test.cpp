// pykafka's znode layout written by us and read by kazoo byte for byte, and written by kazoo and read by us.
#include "protocol/group/assignment.hpp"
#include "protocol/group/consumer_id.hpp"
#include "protocol/group/participants.hpp"
#include "protocol/group/paths.hpp"
#include "protocol/zk/zk_client.hpp"
#include "tests/integration/kazoo_walk.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/run_until.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace kspout::group {
namespace {

using kspout::testing::run_until;
using namespace std::chrono_literals;

// Creates persistent nodes with kazoo: argv pairs of path and hex payload, parents made as needed.
constexpr const char* kazoo_create = R"(
import sys
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], timeout=10)
zk.start(timeout=30)
args = sys.argv[2:]
for path, payload in zip(args[0::2], args[1::2]):
    zk.create(path, bytes.fromhex(payload), makepath=True)
zk.stop()
)";

using kspout::testing::hex;
using kspout::testing::kazoo_walk;
using kspout::testing::lines_of;

class ZkGroupLayout : public ::testing::Test {
protected:
    void SetUp() override
    {
        server = std::make_unique<kspout::testing::zookeeper_server>();
        zk::client_options options;
        options.connect_string = server->connect_string();
        client = std::make_unique<zk::client>(ioc.get_executor(), options);
        ASSERT_FALSE(client->start({}));
        ASSERT_TRUE(run_until(ioc, [&] { return client->state() == zk::session_state::connected; }));
    }

    std::error_code create(const std::string& path, const std::string& data, zk::create_mode mode)
    {
        std::optional<std::error_code> result;
        zk::create_options options;
        options.mode = mode;
        options.make_parents = true;
        client->create(path, data, options, [&](std::error_code ec, std::string) { result = ec; });
        EXPECT_TRUE(run_until(ioc, [&] { return result.has_value(); }));
        return result.value_or(make_error_code(zk::errc::operation_timeout));
    }

    std::vector<std::string> children(const std::string& path)
    {
        std::optional<std::vector<std::string>> result;
        client->get_children(path, [&](std::error_code ec, std::vector<std::string> names, zk::stat) {
            EXPECT_FALSE(ec) << path << ": " << ec.message();
            result = std::move(names);
        });
        EXPECT_TRUE(run_until(ioc, [&] { return result.has_value(); }));
        return result.value_or(std::vector<std::string>{});
    }

    std::string data(const std::string& path)
    {
        std::optional<std::string> result;
        client->get(path, [&](std::error_code ec, std::string bytes, zk::stat) {
            EXPECT_FALSE(ec) << path << ": " << ec.message();
            result = std::move(bytes);
        });
        EXPECT_TRUE(run_until(ioc, [&] { return result.has_value(); }));
        return result.value_or(std::string{});
    }

    kspout::testing::process_result python(const char* script, std::vector<std::string> args)
    {
        std::vector<std::string> argv = {KSPOUT_PYTHON, "-c", script, server->connect_string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return kspout::testing::run_process(argv);
    }

    boost::asio::io_context ioc;
    std::unique_ptr<kspout::testing::zookeeper_server> server;
    std::unique_ptr<zk::client> client;
};

TEST_F(ZkGroupLayout, KazooReadsOurRegistrationAndClaimsByteForByte)
{
    const std::string group = "kspout-group";
    const std::string topic = "events.v1";
    const std::string me = make_consumer_id();
    ASSERT_FALSE(create(member_path(group, me), topic, zk::create_mode::ephemeral));
    ASSERT_FALSE(create(owners_path(group, topic), {}, zk::create_mode::persistent));
    ASSERT_FALSE(create(owner_path(group, topic, 1, 0), me, zk::create_mode::ephemeral));
    ASSERT_FALSE(create(owner_path(group, topic, 2, 10), me, zk::create_mode::ephemeral));
    ASSERT_FALSE(create(owners_path(group, "events.v1", owners_dir_style::python3_bytes_repr), {},
                        zk::create_mode::persistent));

    auto walked = python(kazoo_walk, {"/consumers"});
    ASSERT_TRUE(walked.ok()) << walked.describe();
    std::string session = std::to_string(client->credentials()->id);
    std::vector<std::string> expected = {
        "/consumers\t\t0",
        "/consumers/kspout-group\t\t0",
        "/consumers/kspout-group/ids\t\t0",
        "/consumers/kspout-group/ids/" + me + "\t" + hex(topic) + "\t" + session,
        "/consumers/kspout-group/owners\t\t0",
        "/consumers/kspout-group/owners/b'events.v1'\t\t0",
        "/consumers/kspout-group/owners/events.v1\t\t0",
        "/consumers/kspout-group/owners/events.v1/1-0\t" + hex(me) + "\t" + session,
        "/consumers/kspout-group/owners/events.v1/2-10\t" + hex(me) + "\t" + session,
    };
    EXPECT_EQ(lines_of(walked.out), expected);
}

TEST_F(ZkGroupLayout, WeReadRegistrationsAndClaimsKazooWrote)
{
    const std::string group = "mixed";
    const std::string topic = "events";
    const std::string me = make_consumer_id();
    ASSERT_FALSE(create(member_path(group, me), topic, zk::create_mode::ephemeral));

    // pykafka-shaped nodes written by another client: two members of our topic, one of another
    // topic, one Scala-style JSON registration, and claims under two leader prefixes.
    const std::string peer_a = "peer-host:00000000-0000-4000-8000-00000000000a";
    const std::string peer_b = "Peer-host:00000000-0000-4000-8000-00000000000b";
    auto written = python(kazoo_create, {
        member_path(group, peer_a), hex(topic),
        member_path(group, peer_b), hex(topic),
        member_path(group, "other-host:1"), hex("other-topic"),
        member_path(group, "scala-host-1"), hex(R"({"version":1,"subscription":{"events":1}})"),
        owner_path(group, topic, 3, 1), hex(peer_a),
        owner_path(group, topic, 1, 1), hex(peer_b),
        owner_path(group, topic, 3, 2), hex(peer_a),
    });
    ASSERT_TRUE(written.ok()) << written.describe();

    std::vector<member_registration> members;
    for (const std::string& id : children(ids_path(group)))
        members.push_back({id, data(member_path(group, id))});
    ASSERT_EQ(members.size(), 5u);
    std::vector<std::string> participants = select_participants(members, topic);
    std::vector<std::string> expected = {peer_b, me, peer_a};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(participants, expected);

    std::vector<std::string> owners = children(owners_path(group, topic));
    std::sort(owners.begin(), owners.end());
    EXPECT_EQ(owners, (std::vector<std::string>{"1-1", "3-1", "3-2"}));
    std::vector<std::string> claims = claims_for_partition(owners, 1);
    std::sort(claims.begin(), claims.end());
    EXPECT_EQ(claims, (std::vector<std::string>{"1-1", "3-1"})) << "partition 1 is claimed under two leaders";
    EXPECT_EQ(data(owners_path(group, topic) + "/3-2"), peer_a);
    auto parsed = parse_owner_node_name("3-2");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->partition, 2);

    // Every member computes its share from the same lists; the shares tile the partitions.
    std::vector<partition_info> partitions;
    for (int p = 0; p < 8; ++p)
        partitions.push_back({p, p % 3 + 1});
    std::size_t total = 0;
    for (const std::string& id : participants)
        total += decide_partitions_range(topic, partitions, participants, id)->size();
    EXPECT_EQ(total, partitions.size());
}

} // namespace
} // namespace kspout::group
