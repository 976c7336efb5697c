// The ZooKeeper security settings: digest credentials (a secret) and the group's znode ACL.
#include "spout/settings.hpp"

#include "tests/unit/settings_test_util.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace kspout::spout {
namespace {

using nlohmann::json;
using test_util::joined;

json balanced_conf()
{
    return {
        {"kafka.topic", "events"},
        {"kafka.bootstrap.servers", "k1:9092"},
        {"kafka.group.id", "readers"},
        {"kafka.zookeeper.connect", "zk1:2181/kafka"},
    };
}

TEST(SpoutZookeeperSettings, NoCredentialsAndOpenZnodesByDefault)
{
    auto r = load_settings(balanced_conf(), {});
    ASSERT_TRUE(r.value) << joined(r.errors);
    EXPECT_FALSE(r.value->group.zookeeper_auth.has_value());
    EXPECT_EQ(r.value->group.zookeeper_acl, zk::acl_policy::open);
}

TEST(SpoutZookeeperSettings, DigestCredentialsAndCreatorAclReachTheGroupOptions)
{
    json conf = balanced_conf();
    conf["kafka.zookeeper.auth"] = "digest:alice:pa:ss:word";
    conf["kafka.zookeeper.acl"] = "creator";
    auto r = load_settings(conf, {});
    ASSERT_TRUE(r.value) << joined(r.errors);
    ASSERT_TRUE(r.value->group.zookeeper_auth.has_value());
    EXPECT_EQ(r.value->group.zookeeper_auth->scheme, "digest");
    EXPECT_EQ(r.value->group.zookeeper_auth->credentials, "alice:pa:ss:word"); // the password may hold colons
    EXPECT_EQ(r.value->group.zookeeper_acl, zk::acl_policy::creator);
}

TEST(SpoutZookeeperSettings, CredentialsComeFromAFileOrTheEnvironment)
{
    auto path = std::filesystem::temp_directory_path() / ("kspout-zk-auth-" + std::to_string(::getpid()));
    std::ofstream(path) << "digest:bob:from-the-file\n";
    ::setenv("KSPOUT_TEST_ZK_AUTH", "digest:carol:from-the-environment", 1);

    json conf = balanced_conf();
    conf["kafka.zookeeper.auth"] = "file:" + path.string();
    auto from_file = load_settings(conf, {});
    conf["kafka.zookeeper.auth"] = "env:KSPOUT_TEST_ZK_AUTH";
    auto from_env = load_settings(conf, {});
    std::filesystem::remove(path);
    ::unsetenv("KSPOUT_TEST_ZK_AUTH");

    ASSERT_TRUE(from_file.value) << joined(from_file.errors);
    EXPECT_EQ(from_file.value->group.zookeeper_auth->credentials, "bob:from-the-file");
    ASSERT_TRUE(from_env.value) << joined(from_env.errors);
    EXPECT_EQ(from_env.value->group.zookeeper_auth->credentials, "carol:from-the-environment");
}

TEST(SpoutZookeeperSettings, BadCredentialsAreRefusedWithoutQuotingThem)
{
    struct bad {
        const char* written;
        const char* why;
    };
    for (const bad& b : {bad{"sasl:alice:hunter2-secret", "only the digest scheme is supported"},
                         bad{"hunter2-secret", "no scheme given"},
                         bad{"digest:hunter2-secret", "a user name, a colon, then the password"},
                         bad{"digest::hunter2-secret", "a user name, a colon, then the password"}}) {
        json conf = balanced_conf();
        conf["kafka.zookeeper.auth"] = b.written;
        auto r = load_settings(conf, {});
        ASSERT_EQ(r.errors.size(), 1u) << b.written << ": " << joined(r.errors);
        EXPECT_NE(r.errors[0].find("kafka.zookeeper.auth: bad value (hidden)"), std::string::npos) << r.errors[0];
        EXPECT_NE(r.errors[0].find(b.why), std::string::npos) << r.errors[0];
        EXPECT_EQ(r.errors[0].find("hunter2"), std::string::npos) << r.errors[0];
        EXPECT_EQ(r.errors[0].find("alice"), std::string::npos) << r.errors[0];
    }
    json conf = balanced_conf();
    conf["kafka.zookeeper.auth"] = "env:KSPOUT_TEST_UNSET_ZK_AUTH";
    auto r = load_settings(conf, {});
    ASSERT_EQ(r.errors.size(), 1u) << joined(r.errors);
    EXPECT_NE(r.errors[0].find("KSPOUT_TEST_UNSET_ZK_AUTH is not set"), std::string::npos) << r.errors[0];
}

TEST(SpoutZookeeperSettings, CreatorAclWithoutCredentialsIsAConfigurationError)
{
    json conf = balanced_conf();
    conf["kafka.zookeeper.acl"] = "creator";
    auto r = load_settings(conf, {});
    ASSERT_EQ(r.errors.size(), 1u) << joined(r.errors);
    EXPECT_NE(r.errors[0].find("kafka.zookeeper.acl=creator needs kafka.zookeeper.auth"), std::string::npos)
        << r.errors[0];

    conf["kafka.zookeeper.acl"] = "world";
    r = load_settings(conf, {});
    ASSERT_EQ(r.errors.size(), 1u) << joined(r.errors);
    EXPECT_NE(r.errors[0].find("expected one of open, creator"), std::string::npos) << r.errors[0];

    // Credentials with open znodes are fine: the member can join a group whose creator ACL'd it.
    conf["kafka.zookeeper.acl"] = "open";
    conf["kafka.zookeeper.auth"] = "digest:alice:secret";
    EXPECT_TRUE(load_settings(conf, {}).value);
}

} // namespace
} // namespace kspout::spout
