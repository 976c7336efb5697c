// SASL to a real Kafka broker: our producer and consumer by PLAIN and SCRAM over SASL_PLAINTEXT and SASL_SSL, wrong passwords, a refused mechanism.
#include "tests/integration/io_consumer_fixture.hpp"
#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/security_fixture.hpp"

#include "protocol/error/error_kind.hpp"
#include "protocol/io/producer.hpp"
#include "protocol/wire/broker_error.hpp"

#include <gmock/gmock.h>

namespace kspout::io::consumer_testing {
namespace {

using testing::kafka_broker;
using testing::sasl_listener;
using testing::security_broker;

struct sasl_case {
    const char* name;
    sasl_listener listener;
    const char* mechanism;
};

class SaslConsumer : public ConsumerFixtureBase, public ::testing::WithParamInterface<sasl_case> {
protected:
    kafka_broker& broker = security_broker();
    std::string bootstrap() const override { return broker.sasl_bootstrap(GetParam().listener); }

    cluster_options fast_cluster_options() override
    {
        auto o = ConsumerFixtureBase::fast_cluster_options();
        o.broker.security = GetParam().listener == sasl_listener::tls ? security_protocol::sasl_ssl
                                                                      : security_protocol::sasl_plaintext;
        o.broker.tls = testing::client_tls(*broker.certificates());
        o.broker.sasl = testing::client_sasl();
        o.broker.sasl.mechanism = GetParam().mechanism;
        return o;
    }
};

TEST_P(SaslConsumer, OurConsumerReadsWhatOurProducerWrote)
{
    const std::string topic = std::string("sasl-ours-") + GetParam().name;
    broker.create_topic(topic, 1);
    testing::produce_numbered(ioc, shared_cluster(), topic, "sasl-", 100);

    auto consumer = make_consumer(options_for(topic));
    consumer->assign_all();
    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, 100)) << got.count() << " of 100";
    for (const auto& m : got.messages) EXPECT_EQ(m.value, "sasl-" + std::to_string(m.offset));
    EXPECT_TRUE(errors.empty());
    for (const auto& line : logs) EXPECT_THAT(line, ::testing::Not(::testing::HasSubstr(testing::sasl_password)));
}

TEST_P(SaslConsumer, KafkaPythonReadsWhatWeWriteAndWeReadWhatItWrites)
{
    const std::string topic = std::string("sasl-python-") + GetParam().name;
    broker.create_topic(topic, 1);
    nlohmann::json config = {{"security_protocol", GetParam().listener == sasl_listener::tls ? "SASL_SSL"
                                                                                             : "SASL_PLAINTEXT"},
                             {"ssl_cafile", broker.certificates()->ca.string()},
                             {"sasl_mechanism", GetParam().mechanism},
                             {"sasl_plain_username", std::string(testing::sasl_user)},
                             {"sasl_plain_password", std::string(testing::sasl_password)}};
    auto wrote = testing::kafka_python_peer(config, "produce", bootstrap(), topic, 30);
    ASSERT_TRUE(wrote.ok()) << wrote.describe();
    auto consumer = make_consumer(options_for(topic));
    consumer->assign_all();
    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, 30)) << got.count() << " of 30";
    for (const auto& m : got.messages) EXPECT_EQ(m.value, "python-" + std::to_string(m.offset));

    testing::produce_numbered(ioc, shared_cluster(), topic, "ours-", 20);
    auto read = testing::kafka_python_peer(config, "consume", bootstrap(), topic, 50);
    ASSERT_TRUE(read.ok()) << read.describe();
    std::string expected;
    for (int i = 0; i < 30; ++i) expected += "python-" + std::to_string(i) + "\n";
    for (int i = 0; i < 20; ++i) expected += "ours-" + std::to_string(i) + "\n";
    EXPECT_EQ(read.out, expected);
}

INSTANTIATE_TEST_SUITE_P(Logins, SaslConsumer,
                         ::testing::Values(sasl_case{"plain_over_tcp", sasl_listener::plaintext, "PLAIN"},
                                           sasl_case{"plain_over_tls", sasl_listener::tls, "PLAIN"},
                                           sasl_case{"scram256_over_tcp", sasl_listener::plaintext, "SCRAM-SHA-256"},
                                           sasl_case{"scram512_over_tls", sasl_listener::tls, "SCRAM-SHA-512"}),
                         [](const ::testing::TestParamInfo<sasl_case>& c) { return std::string(c.param.name); });

broker_options sasl_plaintext_client()
{
    broker_options options;
    options.security = security_protocol::sasl_plaintext;
    options.sasl = testing::client_sasl();
    return options;
}

class SaslWrongPassword : public ::testing::TestWithParam<std::string> {};

TEST_P(SaslWrongPassword, IsOneClearAuthErrorWithNoPasswordInTheLog)
{
    kafka_broker& kafka = security_broker();
    auto options = sasl_plaintext_client();
    options.sasl.mechanism = GetParam();
    const std::string wrong = "kspout-not-alices-password";
    options.sasl.password = wrong;
    const std::string target = kafka.sasl_bootstrap(sasl_listener::plaintext);
    auto failed = testing::first_request(target, options);
    EXPECT_EQ(failed.ec, wire::make_broker_error(58)) << failed.ec.message(); // SASL_AUTHENTICATION_FAILED
    EXPECT_EQ(failed.ec, error_kind::auth);
    testing::expect_clear_login_failure(failed, target, GetParam(), wrong);
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, SaslWrongPassword, ::testing::Values("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"),
                         testing::mechanism_test_name);

TEST(SaslLogin, AMechanismTheBrokerDoesNotOfferIsRefusedNamingWhatItOffers)
{
    kafka_broker& kafka = security_broker();
    broker_options options;
    options.security = security_protocol::sasl_ssl;
    options.tls = testing::client_tls(*kafka.certificates());
    options.sasl = testing::client_sasl();
    options.sasl.mechanism = "SCRAM-SHA-256";
    const std::string target = kafka.sasl_bootstrap(sasl_listener::tls);
    auto failed = testing::first_request(target, options);
    EXPECT_EQ(failed.ec, wire::make_broker_error(33)) << failed.ec.message(); // UNSUPPORTED_SASL_MECHANISM
    std::string all;
    for (const auto& line : failed.logs) all += line + "\n";
    EXPECT_THAT(all, ::testing::HasSubstr("mechanism SCRAM-SHA-256 refused; the broker offers PLAIN, SCRAM-SHA-512"));
}

TEST(SaslLogin, AMechanismWeDoNotKnowFailsBeforeAnythingIsSent)
{
    kafka_broker& kafka = security_broker();
    auto options = sasl_plaintext_client();
    options.sasl.mechanism = "GSSAPI";
    const std::string target = kafka.sasl_bootstrap(sasl_listener::plaintext);
    auto failed = testing::first_request(target, options);
    EXPECT_EQ(failed.ec, errc::no_common_version) << failed.ec.message();
    std::string all;
    for (const auto& line : failed.logs) all += line + "\n";
    EXPECT_THAT(all, ::testing::HasSubstr("unknown SASL mechanism GSSAPI"));
}

TEST(SaslLogin, PlaintextWithoutSaslToASaslPortFailsInsteadOfHanging)
{
    kafka_broker& kafka = security_broker();
    broker_options options;
    auto failed = testing::first_request(kafka.sasl_bootstrap(sasl_listener::plaintext), options);
    EXPECT_TRUE(failed.ec) << "a SASL listener answered a client that did not log in";
}

} // namespace
} // namespace kspout::io::consumer_testing
