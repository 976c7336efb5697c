// SASL PLAIN to a real Kafka broker: our producer and consumer over SASL_PLAINTEXT and SASL_SSL, a wrong password, an unknown mechanism.
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

class SaslConsumer : public ConsumerFixtureBase, public ::testing::WithParamInterface<sasl_listener> {
protected:
    kafka_broker& broker = security_broker();
    std::string bootstrap() const override { return broker.sasl_bootstrap(GetParam()); }

    cluster_options fast_cluster_options() override
    {
        auto o = ConsumerFixtureBase::fast_cluster_options();
        o.broker.security = GetParam() == sasl_listener::tls ? security_protocol::sasl_ssl
                                                             : security_protocol::sasl_plaintext;
        o.broker.tls = testing::client_tls(*broker.certificates());
        o.broker.sasl = testing::client_sasl();
        return o;
    }
};

TEST_P(SaslConsumer, OurConsumerReadsWhatOurProducerWrote)
{
    const std::string topic = GetParam() == sasl_listener::tls ? "sasl-ssl-ours" : "sasl-plaintext-ours";
    broker.create_topic(topic, 1);
    auto producer = producer::create(shared_cluster(), {});
    std::vector<testing::sent_record> sent(100);
    for (std::size_t i = 0; i < sent.size(); ++i) {
        sent[i].partition = 0;
        sent[i].value = "sasl-" + std::to_string(i);
    }
    testing::produce_all(*producer, topic, sent);
    ASSERT_FALSE(testing::flush_and_wait(ioc, *producer));
    producer->stop();

    auto consumer = make_consumer(options_for(topic));
    consumer->assign_all();
    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, sent.size())) << got.count() << " of " << sent.size();
    for (const auto& m : got.messages) EXPECT_EQ(m.value, "sasl-" + std::to_string(m.offset));
    EXPECT_TRUE(errors.empty());
    for (const auto& line : logs) EXPECT_THAT(line, ::testing::Not(::testing::HasSubstr(testing::sasl_password)));
}

INSTANTIATE_TEST_SUITE_P(Listeners, SaslConsumer, ::testing::Values(sasl_listener::plaintext, sasl_listener::tls),
                         [](const ::testing::TestParamInfo<sasl_listener>& l) {
                             return std::string(l.param == sasl_listener::tls ? "SASL_SSL" : "SASL_PLAINTEXT");
                         });

broker_options sasl_plaintext_client()
{
    broker_options options;
    options.security = security_protocol::sasl_plaintext;
    options.sasl = testing::client_sasl();
    return options;
}

TEST(SaslLogin, AWrongPasswordIsOneClearAuthErrorWithNoPasswordInTheLog)
{
    kafka_broker& kafka = security_broker();
    auto options = sasl_plaintext_client();
    const std::string wrong = "kspout-not-alices-password";
    options.sasl.password = wrong;
    const std::string target = kafka.sasl_bootstrap(sasl_listener::plaintext);
    auto failed = testing::first_request(target, options);
    EXPECT_EQ(failed.ec, wire::make_broker_error(58)) << failed.ec.message(); // SASL_AUTHENTICATION_FAILED
    EXPECT_EQ(failed.ec, error_kind::auth);
    auto reports = testing::connect_failures(failed, target);
    ASSERT_EQ(reports.size(), 1u) << ::testing::PrintToString(failed.logs);
    std::string all;
    for (const auto& line : failed.logs) all += line + "\n";
    EXPECT_THAT(all, ::testing::HasSubstr("broker " + target + ": SASL PLAIN login as " +
                                          std::string(testing::sasl_user) + " failed"));
    EXPECT_THAT(all, ::testing::Not(::testing::HasSubstr(wrong)));
    EXPECT_THAT(all, ::testing::Not(::testing::HasSubstr(testing::sasl_password)));
}

TEST(SaslLogin, AMechanismTheBrokerDoesNotOfferIsRefusedNamingWhatItOffers)
{
    kafka_broker& kafka = security_broker();
    auto options = sasl_plaintext_client();
    options.sasl.mechanism = "SCRAM-SHA-256";
    const std::string target = kafka.sasl_bootstrap(sasl_listener::plaintext);
    auto failed = testing::first_request(target, options);
    EXPECT_EQ(failed.ec, wire::make_broker_error(33)) << failed.ec.message(); // UNSUPPORTED_SASL_MECHANISM
    std::string all;
    for (const auto& line : failed.logs) all += line + "\n";
    EXPECT_THAT(all, ::testing::HasSubstr("mechanism SCRAM-SHA-256 refused; the broker offers PLAIN"));
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
