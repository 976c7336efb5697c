// A group whose znodes are ACL'd to its members' digest credentials (kafka.zookeeper.acl=creator)
// on a real ZooKeeper: members with the credentials share it, kazoo reads the ACLs, and members
// without them, or with a wrong password, are refused once, clearly, and never see the secret.
#include "tests/integration/balanced_fixture.hpp"
#include "tests/integration/kazoo_walk.hpp"

#include <algorithm>

namespace kspout::balanced::testing {
namespace {

using kspout::testing::lines_of;

constexpr const char* user = "storm";
constexpr const char* password = "Zk-group-s3cret";
constexpr const char* wrong_password = "Not-the-r1ght-one";

// Walks a subtree with kazoo, logged in with the digest credentials to read it, and tries each
// node with an anonymous client too. argv: hosts, root, user, password. Prints the digest id
// the credentials stand for, then per node one line per ACL entry ("path acl scheme id perms")
// and what the anonymous client could do ("path anonymous read|write allowed|refused").
constexpr const char* kazoo_acls = R"(
import sys
from kazoo.client import KazooClient
from kazoo.exceptions import NoAuthError
from kazoo.security import make_digest_acl_credential
hosts, root, user, password = sys.argv[1:5]
print("digest-id\t" + make_digest_acl_credential(user, password))
zk = KazooClient(hosts=hosts, timeout=10, auth_data=[("digest", user + ":" + password)])
zk.start(timeout=30)
anonymous = KazooClient(hosts=hosts, timeout=10)
anonymous.start(timeout=30)
def attempt(path, what, call):
    try:
        call()
        print("%s\tanonymous\t%s\tallowed" % (path, what))
    except NoAuthError:
        print("%s\tanonymous\t%s\trefused" % (path, what))
def walk(path):
    acls, stat = zk.get_acls(path)
    for acl in acls:
        print("%s\tacl\t%s\t%s\t%d" % (path, acl.id.scheme, acl.id.id, acl.perms))
    attempt(path, "read", lambda: anonymous.get(path))
    if path != "/consumers":
        attempt(path, "write", lambda: anonymous.set(path, b"tampered"))
    for child in sorted(zk.get_children(path)):
        walk(path.rstrip("/") + "/" + child)
walk(root)
zk.stop()
anonymous.stop()
)";

class BalancedAcl : public BalancedFixture {
protected:
    balanced_options guarded(const std::string& topic, std::string_view pass = password)
    {
        balanced_options o = options_for(topic);
        o.zookeeper_auth = zk::auth_data{"digest", std::string(user) + ":" + std::string(pass)};
        o.zookeeper_acl = zk::acl_policy::creator;
        return o;
    }

    // No log line and no reported error of any member holds either password.
    void expect_no_secret_anywhere()
    {
        for (const auto& line : logs) {
            EXPECT_EQ(line.find(password), std::string::npos) << line;
            EXPECT_EQ(line.find(wrong_password), std::string::npos) << line;
        }
        for (auto& m : members)
            for (const auto& [ec, what] : m->errors) {
                EXPECT_EQ(what.find(password), std::string::npos) << what;
                EXPECT_EQ(what.find(wrong_password), std::string::npos) << what;
            }
    }
};

TEST_F(BalancedAcl, MembersWithTheCredentialsShareAGroupWhoseZnodesOnlyTheyCanUse)
{
    const std::string topic = "guarded";
    constexpr int partitions = 4;
    mock->create_topic(topic, partitions);
    produce_all(topic, partitions, 10);
    add_member(guarded(topic));
    add_member(guarded(topic));
    ASSERT_TRUE(drive_until([&] { return settled(partitions) && everything_seen(); }));
    for (auto& m : members) {
        EXPECT_EQ(m->live.size(), 2u) << m->name;
        EXPECT_TRUE(m->errors.empty()) << m->name << ": " << m->errors.front().second;
    }
    observer_auth = zk::auth_data{"digest", std::string(user) + ":" + password};
    expect_znodes_match_members(topic, partitions);
    expect_consumed(true);

    auto walked = kspout::testing::run_process(
        {KSPOUT_PYTHON, "-c", kazoo_acls, zookeeper->connect_string(), "/consumers", user, password});
    ASSERT_TRUE(walked.ok()) << walked.describe();
    auto lines = lines_of(walked.out);
    ASSERT_FALSE(lines.empty());
    ASSERT_TRUE(lines[0].starts_with("digest-id\t" + std::string(user) + ":")) << lines[0];
    const std::string id = lines[0].substr(std::string("digest-id\t").size());
    const std::string g = std::string("/consumers/") + group;

    std::map<std::string, std::vector<std::string>> acls;   // path -> its ACL entries
    std::map<std::string, std::vector<std::string>> anyone; // path -> what the anonymous client could do
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        auto tab = line.find('\t');
        ASSERT_NE(tab, std::string::npos) << line;
        std::string path = line.substr(0, tab);
        std::string rest = line.substr(tab + 1);
        if (rest.starts_with("acl\t"))
            acls[path].push_back(rest.substr(4));
        else
            anyone[path].push_back(rest.substr(std::string("anonymous\t").size()));
    }
    // /consumers is every group's: open, and readable by anyone.
    EXPECT_EQ(acls["/consumers"], std::vector<std::string>{"world\tanyone\t31"});
    EXPECT_EQ(anyone["/consumers"], std::vector<std::string>{"read\tallowed"});
    // Everything of the group: only the digest id, with every permission; nothing for anyone else.
    std::vector<std::string> group_nodes;
    for (const auto& [path, entries] : acls) {
        if (path == "/consumers")
            continue;
        group_nodes.push_back(path);
        EXPECT_TRUE(path == g || path.starts_with(g + "/")) << path;
        EXPECT_EQ(entries, std::vector<std::string>{"digest\t" + id + "\t31"}) << path;
        EXPECT_EQ(anyone[path], (std::vector<std::string>{"read\trefused", "write\trefused"})) << path;
    }
    // The group node, ids, owners, the owners directory, two members and four owner nodes.
    EXPECT_EQ(group_nodes.size(), 4u + 2u + partitions) << walked.out;
    EXPECT_TRUE(acls.contains(g + "/ids/" + members[0]->consumer->consumer_id())) << walked.out;
    EXPECT_TRUE(acls.contains(g + "/owners/" + topic)) << walked.out;
    expect_no_secret_anywhere();
}

TEST_F(BalancedAcl, MembersWithoutTheCredentialsAreRefusedOnceAndStayOut)
{
    const std::string topic = "guarded-refusals";
    constexpr int partitions = 3;
    mock->create_topic(topic, partitions);
    member& good = add_member(guarded(topic));
    ASSERT_TRUE(drive_until([&] { return settled(partitions); }));

    member& anonymous = add_member(options_for(topic)); // no credentials, open ACL
    member& wrong = add_member(guarded(topic, wrong_password));
    ASSERT_TRUE(drive_until([&] { return !anonymous.errors.empty() && !wrong.errors.empty(); }, 20s));
    // Long enough for many registration retries (backoff 50 ms), had a refusal been retried.
    drive_for(2s);

    ASSERT_EQ(anonymous.errors.size(), 1u) << anonymous.errors.back().second;
    EXPECT_EQ(anonymous.errors[0].first, make_error_code(zk::errc::no_auth));
    const std::string& refused = anonymous.errors[0].second;
    EXPECT_NE(refused.find("ZooKeeper refused access to the group's znodes"), std::string::npos) << refused;
    EXPECT_NE(refused.find("ZNOAUTH"), std::string::npos) << refused;
    EXPECT_NE(refused.find("ZooKeeper auth is missing"), std::string::npos) << refused;

    ASSERT_EQ(wrong.errors.size(), 1u) << wrong.errors.back().second;
    EXPECT_EQ(wrong.errors[0].first, make_error_code(zk::errc::no_auth));
    EXPECT_NE(wrong.errors[0].second.find("ZooKeeper auth is wrong (its 'digest' credentials are not theirs)"),
              std::string::npos)
        << wrong.errors[0].second;

    // The refused own nothing and are not in the group; the member with the credentials keeps it all.
    for (member* m : {&anonymous, &wrong}) {
        EXPECT_TRUE(m->live.empty()) << m->name;
        EXPECT_TRUE(m->consumer->owned().empty()) << m->name;
        EXPECT_EQ(m->assignments, 0) << m->name;
        auto tries = std::count_if(logs.begin(), logs.end(), [&](const std::string& line) {
            return line.starts_with(m->name + " ") && line.find("registration failed") != std::string::npos;
        });
        EXPECT_EQ(tries, 0) << m->name << " retried a refused registration";
    }
    EXPECT_EQ(good.live.size(), static_cast<std::size_t>(partitions));
    EXPECT_TRUE(good.errors.empty()) << good.errors.front().second;
    observer_auth = zk::auth_data{"digest", std::string(user) + ":" + password};
    auto ids = zk_children(group::ids_path(group));
    ASSERT_TRUE(ids.has_value());
    EXPECT_EQ(*ids, std::vector<std::string>{good.consumer->consumer_id()});
    expect_no_secret_anywhere();

    // The refused still stop cleanly.
    stop_member(anonymous);
    stop_member(wrong);
}

} // namespace
} // namespace kspout::balanced::testing
