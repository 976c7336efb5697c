// The security settings: TLS keys into the broker options, and secrets inline, from a file or the environment, never echoed.
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

json tls_conf()
{
    return {
        {"kafka.topic", "events"},
        {"kafka.bootstrap.servers", "k1:9093"},
        {"kafka.group.id", "readers"},
        {"kafka.spout.assignment", "static"},
        {"kafka.security.protocol", "SSL"},
        {"kafka.ssl.ca.location", "/etc/kafka/ca.pem"},
        {"kafka.ssl.certificate.location", "/etc/kafka/client.pem"},
        {"kafka.ssl.key.location", "/etc/kafka/client.key"},
    };
}

TEST(SpoutSecuritySettings, PlaintextWithHostnameVerificationByDefault)
{
    auto r = load_settings({{"kafka.topic", "t"}, {"kafka.bootstrap.servers", "k:1"}, {"kafka.group.id", "g"},
                            {"kafka.spout.assignment", "static"}},
                           {});
    ASSERT_TRUE(r.value) << joined(r.errors);
    const auto& broker = r.value->cluster.broker;
    EXPECT_EQ(broker.security, io::security_protocol::plaintext);
    EXPECT_TRUE(broker.tls.verify_hostname);
    EXPECT_TRUE(broker.tls.ca_location.empty());
    EXPECT_TRUE(broker.tls.key_password.empty());
}

TEST(SpoutSecuritySettings, TlsKeysReachTheBrokerOptions)
{
    json conf = tls_conf();
    conf["kafka.ssl.key.password"] = "inline-secret";
    conf["kafka.ssl.endpoint.identification.algorithm"] = "";
    conf["kafka.ssl.cipher.suites"] = "ECDHE+AESGCM";
    auto r = load_settings(conf, {});
    ASSERT_TRUE(r.value) << joined(r.errors);
    const auto& broker = r.value->cluster.broker;
    EXPECT_EQ(broker.security, io::security_protocol::ssl);
    EXPECT_EQ(broker.tls.ca_location, "/etc/kafka/ca.pem");
    EXPECT_EQ(broker.tls.certificate_location, "/etc/kafka/client.pem");
    EXPECT_EQ(broker.tls.key_location, "/etc/kafka/client.key");
    EXPECT_EQ(broker.tls.key_password, "inline-secret");
    EXPECT_FALSE(broker.tls.verify_hostname);
    EXPECT_EQ(broker.tls.cipher_list, "ECDHE+AESGCM");
}

TEST(SpoutSecuritySettings, SaslKeysReachTheBrokerOptions)
{
    json conf = tls_conf();
    conf["kafka.security.protocol"] = "SASL_SSL";
    conf["kafka.sasl.username"] = "alice";
    conf["kafka.sasl.password"] = "alice-secret";
    auto r = load_settings(conf, {});
    ASSERT_TRUE(r.value) << joined(r.errors);
    const auto& broker = r.value->cluster.broker;
    EXPECT_EQ(broker.security, io::security_protocol::sasl_ssl);
    EXPECT_EQ(broker.sasl.mechanism, "PLAIN");
    EXPECT_EQ(broker.sasl.username, "alice");
    EXPECT_EQ(broker.sasl.password, "alice-secret");
}

TEST(SpoutSecuritySettings, OauthbearerNeedsATokenFileAndNoUserName)
{
    json conf = tls_conf();
    conf["kafka.security.protocol"] = "SASL_SSL";
    conf["kafka.sasl.mechanism"] = "OAUTHBEARER";
    conf["kafka.sasl.oauthbearer.token.file"] = "/run/agent/kafka.jws";
    auto r = load_settings(conf, {});
    ASSERT_TRUE(r.value) << joined(r.errors);
    EXPECT_EQ(r.value->cluster.broker.sasl.mechanism, "OAUTHBEARER");
    EXPECT_EQ(r.value->cluster.broker.sasl.oauthbearer_token_file, "/run/agent/kafka.jws");

    conf.erase("kafka.sasl.oauthbearer.token.file");
    r = load_settings(conf, {});
    ASSERT_EQ(r.errors.size(), 1u) << joined(r.errors);
    EXPECT_NE(r.errors[0].find("kafka.sasl.oauthbearer.token.file is required with kafka.sasl.mechanism OAUTHBEARER"),
              std::string::npos)
        << r.errors[0];

    conf["kafka.sasl.oauthbearer.token.file"] = "/run/agent/kafka.jws";
    conf["kafka.client.engine"] = "rdkafka";
    r = load_settings(conf, {});
    ASSERT_FALSE(r.value);
    EXPECT_NE(joined(r.errors).find("kafka.sasl.mechanism OAUTHBEARER needs kafka.client.engine native"),
              std::string::npos)
        << joined(r.errors);
}

TEST(SpoutSecuritySettings, SecretsComeFromAFileOrTheEnvironment)
{
    auto path = std::filesystem::temp_directory_path() / ("kspout-secret-" + std::to_string(::getpid()));
    std::ofstream(path) << "from-the-file\n";
    ::setenv("KSPOUT_TEST_KEY_PASSWORD", "from-the-environment", 1);

    json conf = tls_conf();
    conf["kafka.ssl.key.password"] = "file:" + path.string();
    auto from_file = load_settings(conf, {});
    conf["kafka.ssl.key.password"] = "env:KSPOUT_TEST_KEY_PASSWORD";
    auto from_env = load_settings(conf, {});
    std::filesystem::remove(path);
    ::unsetenv("KSPOUT_TEST_KEY_PASSWORD");

    ASSERT_TRUE(from_file.value) << joined(from_file.errors);
    EXPECT_EQ(from_file.value->cluster.broker.tls.key_password, "from-the-file");
    ASSERT_TRUE(from_env.value) << joined(from_env.errors);
    EXPECT_EQ(from_env.value->cluster.broker.tls.key_password, "from-the-environment");
}

TEST(SpoutSecuritySettings, ErrorsAboutSecretsNameTheSourceButNeverTheValue)
{
    json conf = tls_conf();
    conf["kafka.ssl.key.password"] = "env:KSPOUT_TEST_UNSET_VARIABLE";
    auto r = load_settings(conf, {});
    ASSERT_EQ(r.errors.size(), 1u) << joined(r.errors);
    EXPECT_NE(r.errors[0].find("KSPOUT_TEST_UNSET_VARIABLE is not set"), std::string::npos) << r.errors[0];

    conf["kafka.ssl.key.password"] = json::array({"a-secret-in-a-list"});
    r = load_settings(conf, {});
    ASSERT_EQ(r.errors.size(), 1u) << joined(r.errors);
    EXPECT_NE(r.errors[0].find("kafka.ssl.key.password: bad value (hidden)"), std::string::npos) << r.errors[0];
    EXPECT_EQ(r.errors[0].find("a-secret-in-a-list"), std::string::npos) << r.errors[0];

    conf["kafka.ssl.key.password"] = "file:/nonexistent/kspout-secret";
    r = load_settings(conf, {});
    ASSERT_EQ(r.errors.size(), 1u) << joined(r.errors);
    EXPECT_NE(r.errors[0].find("cannot read the secret file /nonexistent/kspout-secret"), std::string::npos)
        << r.errors[0];
}

TEST(SpoutSecuritySettings, BadSecurityValues)
{
    json conf = tls_conf();
    conf["kafka.security.protocol"] = "KERBEROS";
    auto r = load_settings(conf, {});
    ASSERT_EQ(r.errors.size(), 1u) << joined(r.errors);
    EXPECT_NE(r.errors[0].find("expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"), std::string::npos)
        << r.errors[0];

    conf = tls_conf();
    conf["kafka.security.protocol"] = "SASL_SSL";
    r = load_settings(conf, {});
    ASSERT_EQ(r.errors.size(), 1u) << joined(r.errors);
    EXPECT_NE(r.errors[0].find("kafka.sasl.username is required with a SASL_* kafka.security.protocol"), std::string::npos) << r.errors[0];

    conf = tls_conf();
    conf["kafka.sasl.mechanism"] = "GSSAPI";
    EXPECT_EQ(load_settings(conf, {}).errors.size(), 1u);

    conf = tls_conf();
    conf["kafka.ssl.endpoint.identification.algorithm"] = "none";
    EXPECT_EQ(load_settings(conf, {}).errors.size(), 1u);

    conf = tls_conf();
    conf.erase("kafka.ssl.key.location");
    r = load_settings(conf, {});
    ASSERT_EQ(r.errors.size(), 1u) << joined(r.errors);
    EXPECT_NE(r.errors[0].find("kafka.ssl.certificate.location and kafka.ssl.key.location go together"),
              std::string::npos)
        << r.errors[0];
}

} // namespace
} // namespace kspout::spout
