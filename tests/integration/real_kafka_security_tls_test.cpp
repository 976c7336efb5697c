// TLS to a real Kafka broker: our producer and consumer over mutual TLS, kafka-python both ways, and each handshake failure.
#include "tests/integration/io_consumer_fixture.hpp"
#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/security_fixture.hpp"

#include "protocol/io/broker.hpp"
#include "protocol/io/producer.hpp"
#include "protocol/io/tls_stream.hpp"
#include "protocol/messages/metadata.hpp"

#include <gmock/gmock.h>

namespace kspout::io::consumer_testing {
namespace {

using testing::client_tls;
using testing::kafka_broker;
using testing::security_broker;
using testing::tls_listener;

// Short timeouts, mutual TLS to one of the broker's TLS listeners.
cluster_options tls_cluster_options(const kafka_broker& kafka, tls_listener which)
{
    auto options = testing::test_cluster_options(kafka.tls_bootstrap(which));
    options.broker.security = security_protocol::ssl;
    options.broker.tls = client_tls(*kafka.certificates());
    return options;
}

class TlsConsumer : public ConsumerFixtureBase {
protected:
    kafka_broker& broker = security_broker();
    std::string bootstrap() const override { return broker.tls_bootstrap(tls_listener::good); }

    cluster_options fast_cluster_options() override
    {
        auto o = ConsumerFixtureBase::fast_cluster_options();
        o.broker.security = security_protocol::ssl;
        o.broker.tls = client_tls(*broker.certificates());
        return o;
    }

    // Our producer over TLS: `count` records "ours-<i>" to partition 0.
    void produce_ours(const std::string& topic, int count)
    {
        testing::produce_numbered(ioc, shared_cluster(), topic, "ours-", static_cast<std::size_t>(count));
    }

    testing::process_result python(const std::string& mode, const std::string& topic, int count)
    {
        const auto& certs = *broker.certificates();
        nlohmann::json config = {{"security_protocol", "SSL"},
                                 {"ssl_cafile", certs.ca.string()},
                                 {"ssl_certfile", certs.client.certificate.string()},
                                 {"ssl_keyfile", certs.client.key.string()},
                                 {"ssl_password", certs.client_key_password}};
        return testing::kafka_python_peer(config, mode, bootstrap(), topic, count);
    }

    void expect_no_secret_in_logs()
    {
        for (const auto& line : logs) {
            EXPECT_THAT(line, ::testing::Not(::testing::HasSubstr(broker.certificates()->client_key_password)));
        }
    }
};

TEST_F(TlsConsumer, OurConsumerReadsWhatOurProducerWroteOverMutualTls)
{
    broker.create_topic("tls-ours", 1);
    produce_ours("tls-ours", 300);
    auto consumer = make_consumer(options_for("tls-ours"));
    consumer->assign_all();
    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, 300)) << got.count() << " of 300";
    ASSERT_EQ(got.count(), 300u);
    for (const auto& m : got.messages) EXPECT_EQ(m.value, "ours-" + std::to_string(m.offset));
    EXPECT_TRUE(errors.empty());
    expect_no_secret_in_logs();
}

TEST_F(TlsConsumer, KafkaPythonReadsWhatWeWroteOverTls)
{
    broker.create_topic("tls-to-python", 1);
    produce_ours("tls-to-python", 50);
    auto run = python("consume", "tls-to-python", 50);
    ASSERT_TRUE(run.ok()) << run.describe();
    std::string expected;
    for (int i = 0; i < 50; ++i) expected += "ours-" + std::to_string(i) + "\n";
    EXPECT_EQ(run.out, expected);
}

TEST_F(TlsConsumer, WeReadWhatKafkaPythonWroteOverTls)
{
    broker.create_topic("tls-from-python", 1);
    auto run = python("produce", "tls-from-python", 50);
    ASSERT_TRUE(run.ok()) << run.describe();
    auto consumer = make_consumer(options_for("tls-from-python"));
    consumer->assign_all();
    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, 50)) << got.count() << " of 50";
    for (const auto& m : got.messages) EXPECT_EQ(m.value, "python-" + std::to_string(m.offset));
    EXPECT_TRUE(errors.empty());
}

struct handshake_case {
    const char* name;
    // Which listener, and how the client differs from a correct mutual-TLS one.
    std::function<std::string(const kafka_broker&)> target;
    std::function<void(broker_options&, const testing::tls_certificates&)> adjust;
    std::error_code expected; // empty: an error of the TLS layer (an alert from the broker)
};

testing::failed_attempt attempt(const kafka_broker& kafka, const handshake_case& c)
{
    broker_options options;
    options.security = security_protocol::ssl;
    options.tls = client_tls(*kafka.certificates());
    c.adjust(options, *kafka.certificates());
    return testing::first_request(c.target(kafka), options);
}

std::string good(const kafka_broker& k) { return k.tls_bootstrap(tls_listener::good); }

const handshake_case handshake_failures[] = {
    {"wrong_ca", good, [](broker_options& o, const auto& certs) { o.tls.ca_location = certs.other_ca.string(); },
     errc::tls_certificate_untrusted},
    {"expired_certificate", [](const kafka_broker& k) { return k.tls_bootstrap(tls_listener::expired); },
     [](broker_options&, const auto&) {}, errc::tls_certificate_expired},
    {"name_mismatch", [](const kafka_broker& k) { return k.tls_bootstrap(tls_listener::other_name); },
     [](broker_options&, const auto&) {}, errc::tls_hostname_mismatch},
    {"tls_to_plaintext_port", [](const kafka_broker& k) { return k.bootstrap(); },
     [](broker_options&, const auto&) {}, errc::tls_closed_in_handshake},
    {"plaintext_to_tls_port", good, [](broker_options& o, const auto&) { o.security = security_protocol::plaintext; },
     errc::not_kafka_answer},
    {"no_client_certificate", good,
     [](broker_options& o, const auto&) {
         o.tls.certificate_location.clear();
         o.tls.key_location.clear();
     },
     {}},
};

class TlsHandshakeFailure : public ::testing::TestWithParam<handshake_case> {};

TEST_P(TlsHandshakeFailure, GivesOneClearErrorNamingTheBrokerAndNoSecret)
{
    const handshake_case& c = GetParam();
    kafka_broker& kafka = security_broker();
    testing::failed_attempt failed = attempt(kafka, c);
    ASSERT_TRUE(failed.ec) << "the request succeeded";
    if (c.expected) {
        EXPECT_EQ(failed.ec, c.expected) << failed.ec.message();
    } else {
        EXPECT_TRUE(is_tls_error(failed.ec)) << failed.ec.message();
    }
    for (const auto& line : failed.logs) {
        EXPECT_THAT(line, ::testing::Not(::testing::HasSubstr(kafka.certificates()->client_key_password)));
    }
    auto reports = testing::connect_failures(failed, c.target(kafka));
    ASSERT_EQ(reports.size(), 1u) << ::testing::PrintToString(failed.logs);
    EXPECT_THAT(reports[0], ::testing::HasSubstr(failed.ec.message()));
}

INSTANTIATE_TEST_SUITE_P(Cases, TlsHandshakeFailure, ::testing::ValuesIn(handshake_failures),
                         [](const ::testing::TestParamInfo<handshake_case>& c) { return std::string(c.param.name); });

TEST(TlsHostnameVerification, CanBeTurnedOff)
{
    kafka_broker& kafka = security_broker();
    boost::asio::io_context ioc;
    auto options = tls_cluster_options(kafka, tls_listener::other_name);
    options.broker.tls.verify_hostname = false;
    auto c = cluster::create(ioc.get_executor(), options);
    std::optional<std::error_code> result;
    c->refresh_metadata({}, [&](std::error_code ec) { result = ec; });
    ASSERT_TRUE(testing::run_until(ioc, [&] { return result.has_value(); }));
    EXPECT_FALSE(*result) << result->message();
    c->shut_down();
}

TEST(TlsSettings, UnusableFilesAreRefusedUpFrontWithoutThePassword)
{
    kafka_broker& kafka = security_broker();
    boost::asio::io_context ioc;
    auto options = tls_cluster_options(kafka, tls_listener::good);
    options.broker.tls.key_password = "not-the-password";
    try {
        cluster::create(ioc.get_executor(), options);
        FAIL() << "a wrong key password was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr(kafka.certificates()->client.key.string()));
        EXPECT_THAT(e.what(), ::testing::Not(::testing::HasSubstr("not-the-password")));
    }
    options.broker.tls = client_tls(*kafka.certificates());
    options.broker.tls.ca_location = "/nonexistent/ca.pem";
    EXPECT_THROW(cluster::create(ioc.get_executor(), options), std::invalid_argument);
}

} // namespace
} // namespace kspout::io::consumer_testing

namespace kspout::io::consumer_testing {
namespace {

// kspout-peek with the spout's security settings, the key password from the environment.
TEST_F(TlsConsumer, KspoutPeekReadsOverTlsWithTheSpoutsSettings)
{
    broker.create_topic("tls-peek", 1);
    produce_ours("tls-peek", 20);
    const auto& certs = *broker.certificates();
    auto run = testing::run_process({"env", "KSPOUT_TEST_KEY_PASSWORD=" + certs.client_key_password, KSPOUT_PEEK_BIN,
                                     "--bootstrap", bootstrap(), "--topic", "tls-peek", "-X",
                                     "kafka.security.protocol=SSL", "-X", "kafka.ssl.ca.location=" + certs.ca.string(),
                                     "-X", "kafka.ssl.certificate.location=" + certs.client.certificate.string(), "-X",
                                     "kafka.ssl.key.location=" + certs.client.key.string(), "-X",
                                     "kafka.ssl.key.password=env:KSPOUT_TEST_KEY_PASSWORD"},
                                    {}, 60s);
    ASSERT_TRUE(run.ok()) << run.describe();
    for (int i = 0; i < 20; ++i) {
        EXPECT_THAT(run.out, ::testing::HasSubstr("value \"ours-" + std::to_string(i) + "\"")) << run.out;
    }

    auto refused = testing::run_process({KSPOUT_PEEK_BIN, "--bootstrap", bootstrap(), "--topic", "tls-peek", "-X",
                                         "kafka.security.protocol=SSL", "-X",
                                         "kafka.ssl.ca.location=" + certs.other_ca.string()},
                                        {}, 60s);
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_THAT(refused.err, ::testing::HasSubstr(bootstrap() + ": TLS: no trusted CA signed the broker's certificate"));
}

} // namespace
} // namespace kspout::io::consumer_testing
