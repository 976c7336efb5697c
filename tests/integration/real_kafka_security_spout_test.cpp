// The kafka-spout executable over mutual TLS and SASL_SSL to a real broker: end to end, and every output of a run grepped for the passwords.
#include "tests/integration/group_driver.hpp"
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/security_fixture.hpp"

#include <gmock/gmock.h>

#include <fstream>
#include <set>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

// Everything a spout run showed: tuples' ids, log and error messages, stderr.
struct spout_output {
    std::vector<std::string> emitted_ids;
    std::vector<std::string> logs;
    std::vector<std::string> errors;
    std::string err;

    void add(const multilang::spout_reply& reply)
    {
        for (const auto& e : reply.emits) emitted_ids.push_back(*e.id);
        for (const auto& l : reply.logs) logs.push_back(l.msg);
        for (const auto& e : reply.errors) errors.push_back(e.msg);
    }
    std::string all() const
    {
        std::string text = err;
        for (const auto& line : logs) text += line + "\n";
        for (const auto& line : errors) text += line + "\n";
        return text;
    }
};

multilang::json tls_spout_conf(const kafka_broker& broker, const std::string& topic, const std::string& password)
{
    const tls_certificates& certs = *broker.certificates();
    auto conf = static_spout_conf(broker.tls_bootstrap(tls_listener::good), topic, "g-" + topic);
    conf["kafka.security.protocol"] = "SSL";
    conf["kafka.ssl.ca.location"] = certs.ca.string();
    conf["kafka.ssl.certificate.location"] = certs.client.certificate.string();
    conf["kafka.ssl.key.location"] = certs.client.key.string();
    conf["kafka.ssl.key.password"] = password;
    conf["kafka.spout.log.level"] = "debug"; // every line there is, for the grep
    conf["kafka.spout.stats.interval.ms"] = 50;
    return conf;
}

// SASL_SSL with SCRAM-SHA-512, the password as given (env:NAME, say); the CA but no client certificate.
multilang::json sasl_spout_conf(const kafka_broker& broker, const std::string& topic, const std::string& password)
{
    auto conf = static_spout_conf(broker.sasl_bootstrap(sasl_listener::tls), topic, "g-" + topic);
    conf["kafka.security.protocol"] = "SASL_SSL";
    conf["kafka.ssl.ca.location"] = broker.certificates()->ca.string();
    conf["kafka.sasl.mechanism"] = "SCRAM-SHA-512";
    conf["kafka.sasl.username"] = std::string(sasl_user);
    conf["kafka.sasl.password"] = password;
    conf["kafka.spout.log.level"] = "debug";
    conf["kafka.spout.stats.interval.ms"] = 50;
    return conf;
}

class RealSpoutSecure : public ::testing::Test {
protected:
    kafka_broker& broker = security_broker();
    temp_dir dir;
    spout_output output;

    spout_task_options task_options(multilang::json conf)
    {
        return {std::move(conf), 1, {1}, 5s, {}, [this](const std::string& text) { output.err += text; }};
    }

    // Acks everything the task emits until the group's commit reaches `ends`; false if it never does.
    bool ack_until_committed(spout_task& task, const std::string& topic, const std::map<std::int32_t, std::int64_t>& ends)
    {
        std::size_t total = 0;
        for (const auto& [p, end] : ends) total += static_cast<std::size_t>(end);
        output.add(task.storm().activate());
        for (auto deadline = std::chrono::steady_clock::now() + 60s; std::chrono::steady_clock::now() < deadline;) {
            auto reply = task.storm().next();
            output.add(reply);
            for (const auto& e : reply.emits) output.add(task.storm().ack(*e.id));
            if (output.emitted_ids.size() >= total &&
                committed_offsets(broker.bootstrap(), "g-" + topic, topic, static_cast<int>(ends.size())) == ends) {
                return true;
            }
        }
        return false;
    }
};

TEST_F(RealSpoutSecure, ReadsAcksAndCommitsWithTheKeyPasswordFromAFileAndNeverShowsIt)
{
    broker.create_topic("tls-spout", 2);
    produce_with_kcat(broker.bootstrap(), "tls-spout", 100);
    auto ends = end_offsets(broker.bootstrap(), "tls-spout", 2);
    const std::string& password = broker.certificates()->client_key_password;
    auto password_file = dir / "key-password";
    std::ofstream(password_file) << password << "\n";

    spout_task task(dir, task_options(tls_spout_conf(broker, "tls-spout", "file:" + password_file.string())));
    task.storm().open();
    EXPECT_TRUE(ack_until_committed(task, "tls-spout", ends)) << "the commit never reached the end offsets";
    EXPECT_EQ(std::set<std::string>(output.emitted_ids.begin(), output.emitted_ids.end()).size(), 100u);
    EXPECT_TRUE(output.errors.empty()) << ::testing::PrintToString(output.errors);
    EXPECT_TRUE(exits_zero_after_stdin_closes(task));
    // The grep covers the connection's own lines, not just the tuples'.
    EXPECT_THAT(output.all(), ::testing::HasSubstr("broker " + broker.tls_bootstrap(tls_listener::good) + " ready"));
    EXPECT_THAT(output.all(), ::testing::Not(::testing::HasSubstr(password)));
}

TEST_F(RealSpoutSecure, AWrongKeyPasswordIsOneClearErrorThatShowsNeitherPassword)
{
    const std::string wrong = "kspout-wrong-key-password";
    spout_task task(dir, task_options(tls_spout_conf(broker, "tls-spout-wrong", wrong)));
    task.storm().open();
    output.add(task.storm().activate());
    for (auto deadline = std::chrono::steady_clock::now() + 30s;
         output.errors.empty() && std::chrono::steady_clock::now() < deadline;) {
        output.add(task.storm().next());
    }
    ASSERT_EQ(output.errors.size(), 1u) << output.all();
    EXPECT_THAT(output.errors[0], ::testing::HasSubstr("cannot load key " + broker.certificates()->client.key.string()));
    EXPECT_TRUE(output.emitted_ids.empty());
    EXPECT_THAT(output.all(), ::testing::Not(::testing::HasSubstr(wrong)));
    EXPECT_THAT(output.all(), ::testing::Not(::testing::HasSubstr(broker.certificates()->client_key_password)));
}

TEST_F(RealSpoutSecure, SaslSslWithScramAndThePasswordFromTheEnvironment)
{
    broker.create_topic("sasl-spout", 2);
    produce_with_kcat(broker.bootstrap(), "sasl-spout", 100);
    auto ends = end_offsets(broker.bootstrap(), "sasl-spout", 2);
    ::setenv("KSPOUT_TEST_SASL_PASSWORD", std::string(sasl_password).c_str(), 1); // the spout inherits it
    spout_task task(dir, task_options(sasl_spout_conf(broker, "sasl-spout", "env:KSPOUT_TEST_SASL_PASSWORD")));
    ::unsetenv("KSPOUT_TEST_SASL_PASSWORD");
    task.storm().open();
    EXPECT_TRUE(ack_until_committed(task, "sasl-spout", ends)) << "the commit never reached the end offsets";
    EXPECT_EQ(std::set<std::string>(output.emitted_ids.begin(), output.emitted_ids.end()).size(), 100u);
    EXPECT_TRUE(output.errors.empty()) << ::testing::PrintToString(output.errors);
    EXPECT_TRUE(exits_zero_after_stdin_closes(task));
    EXPECT_THAT(output.all(), ::testing::HasSubstr("broker " + broker.sasl_bootstrap(sasl_listener::tls) + " ready"));
    EXPECT_THAT(output.all(), ::testing::Not(::testing::HasSubstr(sasl_password)));
}

TEST_F(RealSpoutSecure, AWrongSaslPasswordIsReportedCommitsNothingAndShowsNeitherPassword)
{
    broker.create_topic("sasl-spout-wrong", 1);
    produce_with_kcat(broker.bootstrap(), "sasl-spout-wrong", 10);
    const std::string wrong = "kspout-wrong-sasl-password";
    spout_task task(dir, task_options(sasl_spout_conf(broker, "sasl-spout-wrong", wrong)));
    task.storm().open();
    output.add(task.storm().activate());
    const std::string failure = "SASL SCRAM-SHA-512 login as " + std::string(sasl_user) + " failed";
    for (auto deadline = std::chrono::steady_clock::now() + 30s;
         output.all().find(failure) == std::string::npos && std::chrono::steady_clock::now() < deadline;) {
        output.add(task.storm().next());
    }
    EXPECT_THAT(output.all(), ::testing::HasSubstr(failure));
    EXPECT_THAT(output.all(), ::testing::HasSubstr("Authentication failed"));
    EXPECT_TRUE(output.emitted_ids.empty());
    EXPECT_TRUE(exits_zero_after_stdin_closes(task));
    EXPECT_EQ(committed_offsets(broker.bootstrap(), "g-sasl-spout-wrong", "sasl-spout-wrong", 1),
              (std::map<std::int32_t, std::int64_t>{{0, -1}}));
    EXPECT_THAT(output.all(), ::testing::Not(::testing::HasSubstr(wrong)));
    EXPECT_THAT(output.all(), ::testing::Not(::testing::HasSubstr(sasl_password)));
}

// OAUTHBEARER on the listener whose sessions last 3 s: the token from its file, the connection
// kept by re-authentication, and neither the token nor any part of it in any output.
TEST_F(RealSpoutSecure, OauthbearerWithTheTokenFromAFileKeepsItsConnectionAndNeverShowsTheToken)
{
    broker.create_topic("oauth-spout", 2);
    produce_with_kcat(broker.bootstrap(), "oauth-spout", 100);
    auto ends = end_offsets(broker.bootstrap(), "oauth-spout", 2);
    const std::string token = unsecured_token("kspout-oauth-spout", std::chrono::hours(1));
    std::ofstream(dir / "token.jws") << token << "\n";
    const std::string listener = broker.sasl_bootstrap(sasl_listener::short_sessions);
    auto conf = static_spout_conf(listener, "oauth-spout", "g-oauth-spout");
    conf["kafka.security.protocol"] = "SASL_PLAINTEXT";
    conf["kafka.sasl.mechanism"] = "OAUTHBEARER";
    conf["kafka.sasl.oauthbearer.token.file"] = (dir / "token.jws").string();
    conf["kafka.spout.log.level"] = "debug";
    conf["kafka.spout.stats.interval.ms"] = 50;
    spout_task task(dir, task_options(conf));
    task.storm().open();
    EXPECT_TRUE(ack_until_committed(task, "oauth-spout", ends)) << "the commit never reached the end offsets";
    // Keep the spout busy with next until a session has been renewed.
    const std::string renewed = "broker " + listener + ": SASL re-authentication done";
    for (auto deadline = std::chrono::steady_clock::now() + 30s;
         output.all().find(renewed) == std::string::npos && std::chrono::steady_clock::now() < deadline;) {
        output.add(task.storm().next());
    }
    EXPECT_THAT(output.all(), ::testing::HasSubstr(renewed));
    EXPECT_EQ(std::set<std::string>(output.emitted_ids.begin(), output.emitted_ids.end()).size(), 100u);
    EXPECT_TRUE(output.errors.empty()) << ::testing::PrintToString(output.errors);
    EXPECT_TRUE(exits_zero_after_stdin_closes(task));
    EXPECT_THAT(output.all(), ::testing::Not(::testing::HasSubstr("connection to broker " + listener + " lost")));
    EXPECT_THAT(output.all(), ::testing::Not(::testing::HasSubstr(token.substr(token.find('.') + 1, 16))));
}

} // namespace
} // namespace kspout::testing
