// SASL on the brokers before 4.0 (KSPOUT_KAFKA_VERSION): raw tokens after SaslHandshake v0 up to 0.11, SaslAuthenticate from 1.0.
#include "tests/integration/io_consumer_fixture.hpp"
#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/security_fixture.hpp"

#include "protocol/error/error_kind.hpp"
#include "protocol/io/producer.hpp"
#include "protocol/wire/broker_error.hpp"

#include <gmock/gmock.h>

#include <fstream>

namespace kspout::io::consumer_testing {
namespace {

using testing::kafka_broker;
using testing::kafka_version_at_least;
using testing::sasl_listener;

// The shared broker of this binary: PLAINTEXT and one SASL_PLAINTEXT listener.
kafka_broker& sasl_broker()
{
    [[maybe_unused]] static const bool configured = [] {
        testing::kafka_broker_options options;
        options.sasl_listeners = true;
        testing::configure_shared_kafka_broker(std::move(options));
        return true;
    }();
    return testing::shared_kafka_broker();
}

// What the broker offers: PLAIN, and SCRAM (Kafka 0.10.2 on: this binary runs from 0.10.2).
const std::vector<std::string> mechanisms = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};

// Our client's settings for the SASL listener: the fixture's (the version fallback, short
// timeouts) with the user's credentials.
cluster_options sasl_client_options(const kafka_broker& broker, const std::string& mechanism)
{
    auto o = broker.client_options();
    o.bootstrap_servers = {broker.sasl_bootstrap(sasl_listener::plaintext)};
    o.broker.security = security_protocol::sasl_plaintext;
    o.broker.sasl = testing::client_sasl();
    o.broker.sasl.mechanism = mechanism;
    return o;
}

nlohmann::json kafka_python_sasl(const std::string& mechanism)
{
    return {{"security_protocol", "SASL_PLAINTEXT"},
            {"sasl_mechanism", mechanism},
            {"sasl_plain_username", std::string(testing::sasl_user)},
            {"sasl_plain_password", std::string(testing::sasl_password)}};
}

class SaslVersions : public ConsumerFixtureBase, public ::testing::WithParamInterface<std::string> {
protected:
    kafka_broker& broker = sasl_broker();
    std::string bootstrap() const override { return broker.sasl_bootstrap(sasl_listener::plaintext); }
    cluster_options fast_cluster_options() override { return sasl_client_options(broker, GetParam()); }


    void expect_no_password_logged()
    {
        for (const auto& line : logs) EXPECT_THAT(line, ::testing::Not(::testing::HasSubstr(testing::sasl_password)));
    }
};

TEST_P(SaslVersions, OurProducerWritesAndOurConsumerReads)
{
    SCOPED_TRACE(broker.version());
    const std::string topic = "sasl-ours-" + GetParam();
    broker.create_topic(topic, 1);
    testing::produce_numbered(ioc, shared_cluster(), topic, "sasl-", 50);
    auto consumer = make_consumer(options_for(topic));
    consumer->assign_all();
    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, 50)) << got.count() << " of 50";
    for (const auto& message : got.messages) EXPECT_EQ(message.value, "sasl-" + std::to_string(message.offset));
    EXPECT_TRUE(errors.empty());
    expect_no_password_logged();
}

TEST_P(SaslVersions, KafkaPythonReadsWhatWeWriteAndWeReadWhatItWrites)
{
    SCOPED_TRACE(broker.version());
    const std::string topic = "sasl-python-" + GetParam();
    broker.create_topic(topic, 1);
    auto wrote = testing::kafka_python_peer(kafka_python_sasl(GetParam()), "produce", bootstrap(), topic, 30);
    ASSERT_TRUE(wrote.ok()) << wrote.describe();
    auto consumer = make_consumer(options_for(topic));
    consumer->assign_all();
    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, 30)) << got.count() << " of 30";
    for (const auto& message : got.messages) EXPECT_EQ(message.value, "python-" + std::to_string(message.offset));

    testing::produce_numbered(ioc, shared_cluster(), topic, "ours-", 20);
    auto read = testing::kafka_python_peer(kafka_python_sasl(GetParam()), "consume", bootstrap(), topic, 50);
    ASSERT_TRUE(read.ok()) << read.describe();
    std::string expected;
    for (int i = 0; i < 30; ++i) expected += "python-" + std::to_string(i) + "\n";
    for (int i = 0; i < 20; ++i) expected += "ours-" + std::to_string(i) + "\n";
    EXPECT_EQ(read.out, expected);
    expect_no_password_logged();
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, SaslVersions, ::testing::ValuesIn(mechanisms), testing::mechanism_test_name);

// Before 1.0 the broker closes the connection without a word; from 1.0 it answers
// SASL_AUTHENTICATION_FAILED. Either way: one clear auth error, no password in the log.
TEST(SaslVersionsLogin, AWrongPasswordIsOneClearAuthErrorByEveryMechanism)
{
    kafka_broker& broker = sasl_broker();
    const std::string target = broker.sasl_bootstrap(sasl_listener::plaintext);
    const std::string wrong = "kspout-not-alices-password";
    for (const auto& mechanism : mechanisms) {
        SCOPED_TRACE(broker.version() + " " + mechanism);
        auto options = sasl_client_options(broker, mechanism).broker;
        options.sasl.password = wrong;
        auto failed = testing::first_request(target, options);
        if (kafka_version_at_least(broker.version(), {1, 0})) {
            EXPECT_EQ(failed.ec, wire::make_broker_error(58)) << failed.ec.message(); // SASL_AUTHENTICATION_FAILED
        } else {
            EXPECT_EQ(failed.ec, errc::sasl_login_closed) << failed.ec.message();
        }
        EXPECT_EQ(failed.ec, error_kind::auth);
        testing::expect_clear_login_failure(failed, target, mechanism, wrong);
    }
}

TEST(SaslVersionsLogin, AMechanismTheBrokerDoesNotOfferIsRefusedNamingWhatItOffers)
{
    kafka_broker& broker = sasl_broker();
    const std::string target = broker.sasl_bootstrap(sasl_listener::plaintext);
    auto options = sasl_client_options(broker, "OAUTHBEARER").broker;
    auto token = testing::temp_dir();
    const auto token_file = token / "token";
    std::ofstream(token_file) << testing::unsecured_token("kspout-alice", std::chrono::seconds(600));
    options.sasl.oauthbearer_token_file = token_file.string();
    auto failed = testing::first_request(target, options);
    EXPECT_EQ(failed.ec, wire::make_broker_error(33)) << failed.ec.message(); // UNSUPPORTED_SASL_MECHANISM
    std::string all;
    for (const auto& line : failed.logs) all += line + "\n";
    const std::string refusal = "mechanism OAUTHBEARER refused; the broker offers ";
    auto at = all.find(refusal);
    ASSERT_NE(at, std::string::npos) << all;
    const std::string offered = all.substr(at + refusal.size(), all.find(')', at) - at - refusal.size());
    for (const auto& m : mechanisms) EXPECT_THAT(offered, ::testing::HasSubstr(m)); // in the broker's own order
}

} // namespace
} // namespace kspout::io::consumer_testing
