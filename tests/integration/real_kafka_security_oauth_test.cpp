// SASL OAUTHBEARER and re-authentication (KIP-368) against a real Kafka broker: unsecured tokens from a file,
// an expired one, the file read again per login and per re-authentication; connections that outlive several
// short sessions, and the broker cutting off a client that does not log in again.
#include "tests/integration/io_consumer_fixture.hpp"
#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/security_fixture.hpp"
#include "tests/integration/temp_dir.hpp"

#include "protocol/error/error_kind.hpp"
#include "protocol/io/producer.hpp"
#include "protocol/wire/broker_error.hpp"

#include <gmock/gmock.h>

#include <fstream>

namespace kspout::io::consumer_testing {
namespace {

using testing::kafka_broker;
using testing::sasl_listener;
using testing::security_broker;

using testing::unsecured_token;

void write_file(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::trunc);
    out << text << "\n";
}

std::string joined(const std::vector<std::string>& lines)
{
    std::string all;
    for (const auto& line : lines) all += line + "\n";
    return all;
}

class OauthConsumer : public ConsumerFixtureBase {
protected:
    kafka_broker& broker = security_broker();
    testing::temp_dir dir;
    std::filesystem::path token_file = dir / "token.jws";
    std::string token = unsecured_token("kspout-oauth-client", std::chrono::hours(1));

    void SetUp() override { write_file(token_file, token); }

    std::string bootstrap() const override { return broker.sasl_bootstrap(sasl_listener::plaintext); }

    cluster_options fast_cluster_options() override
    {
        auto o = ConsumerFixtureBase::fast_cluster_options();
        o.broker.security = security_protocol::sasl_plaintext;
        o.broker.sasl.mechanism = "OAUTHBEARER";
        o.broker.sasl.oauthbearer_token_file = token_file.string();
        return o;
    }

    // Our producer on the shared cluster: `count` records "<prefix><i>" to partition 0.
    void produce_ours(const std::string& topic, const std::string& prefix, std::size_t count)
    {
        testing::produce_numbered(ioc, shared_cluster(), topic, prefix, count);
    }
};

TEST_F(OauthConsumer, OurConsumerReadsWhatOurProducerWroteOverOauthbearer)
{
    const std::string topic = "oauth-ours";
    broker.create_topic(topic, 1);
    produce_ours(topic, "oauth-", 60);
    auto consumer = make_consumer(options_for(topic));
    consumer->assign_all();
    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, 60)) << got.count() << " of 60";
    for (const auto& m : got.messages) EXPECT_EQ(m.value, "oauth-" + std::to_string(m.offset));
    EXPECT_TRUE(errors.empty());
    EXPECT_THAT(joined(logs), ::testing::Not(::testing::HasSubstr(token)));
}

broker_options oauth_client(const std::filesystem::path& token_file)
{
    broker_options options;
    options.security = security_protocol::sasl_plaintext;
    options.sasl.mechanism = "OAUTHBEARER";
    options.sasl.oauthbearer_token_file = token_file.string();
    return options;
}

TEST(OauthLogin, AnExpiredTokenIsOneClearErrorNamingTheBrokerAndItsStatusButNotTheToken)
{
    kafka_broker& kafka = security_broker();
    testing::temp_dir dir;
    const std::string expired = unsecured_token("kspout-oauth-client", -std::chrono::minutes(5));
    write_file(dir / "token.jws", expired);
    const std::string target = kafka.sasl_bootstrap(sasl_listener::plaintext);
    auto failed = testing::first_request(target, oauth_client(dir / "token.jws"));
    EXPECT_EQ(failed.ec, wire::make_broker_error(58)) << failed.ec.message(); // SASL_AUTHENTICATION_FAILED
    EXPECT_EQ(failed.ec, error_kind::auth);
    auto reports = testing::connect_failures(failed, target);
    EXPECT_EQ(reports.size(), 1u) << ::testing::PrintToString(failed.logs);
    const std::string all = joined(failed.logs);
    EXPECT_THAT(all, ::testing::HasSubstr("broker " + target + ": SASL OAUTHBEARER login with the token in " +
                                          (dir / "token.jws").string() + " failed"));
    EXPECT_THAT(all, ::testing::HasSubstr("status invalid_token"));
    EXPECT_THAT(all, ::testing::Not(::testing::HasSubstr(expired)));
    // Nor any part of it: the payload alone would be the claims.
    EXPECT_THAT(all, ::testing::Not(::testing::HasSubstr(expired.substr(expired.find('.') + 1, 20))));
}

TEST(OauthLogin, AMissingOrEmptyTokenFileFailsBeforeAnythingIsSent)
{
    kafka_broker& kafka = security_broker();
    testing::temp_dir dir;
    const std::string target = kafka.sasl_bootstrap(sasl_listener::plaintext);
    auto missing = testing::first_request(target, oauth_client(dir / "absent.jws"));
    EXPECT_EQ(missing.ec, errc::sasl_token_unusable) << missing.ec.message();
    EXPECT_EQ(missing.ec, error_kind::auth);
    EXPECT_THAT(joined(missing.logs), ::testing::HasSubstr("cannot read the secret file " + (dir / "absent.jws").string()));

    write_file(dir / "blank.jws", "  ");
    auto blank = testing::first_request(target, oauth_client(dir / "blank.jws"));
    EXPECT_EQ(blank.ec, errc::sasl_token_unusable) << blank.ec.message();
    EXPECT_THAT(joined(blank.logs), ::testing::HasSubstr((dir / "blank.jws").string() + ": the token file is empty"));
}

// An agent replaces the token between two connections of one broker object: the second login
// uses the new one.
TEST(OauthLogin, TheTokenFileIsReadAgainForEachLogin)
{
    using namespace std::chrono_literals;
    kafka_broker& kafka = security_broker();
    testing::temp_dir dir;
    write_file(dir / "token.jws", unsecured_token("kspout-oauth-client", -5min));
    const std::string target = kafka.sasl_bootstrap(sasl_listener::plaintext);
    auto options = oauth_client(dir / "token.jws");
    options.reconnect_backoff = 20ms;
    options.reconnect_backoff_max = 20ms;
    boost::asio::io_context ioc;
    std::vector<std::string> logs;
    log::logger log;
    log.threshold = log::log_level::info;
    log.sink = [&](log::log_level, std::string_view line) { logs.emplace_back(line); };
    auto colon = target.rfind(':');
    auto b = io::broker::create(ioc.get_executor(),
                                {-1, target.substr(0, colon), static_cast<std::uint16_t>(std::stoi(target.substr(colon + 1)))},
                                options, log);
    auto metadata = [&] {
        std::optional<std::error_code> result;
        b->request<messages::metadata_request, messages::metadata_response>(
            wire::api_key::metadata, {}, 10s,
            [&](std::error_code ec, io::response<messages::metadata_response>) { result = ec; });
        EXPECT_TRUE(testing::run_until(ioc, [&] { return result.has_value(); }));
        return result.value_or(make_error_code(errc::request_timed_out));
    };
    EXPECT_EQ(metadata(), wire::make_broker_error(58));
    EXPECT_EQ(b->counts().connections, 0u);

    write_file(dir / "token.jws", unsecured_token("kspout-oauth-client", 1h));
    EXPECT_FALSE(metadata()) << joined(logs);
    EXPECT_EQ(b->counts().connections, 1u);
    b->shut_down();
    ioc.restart();
    ioc.poll();
}

// The short-sessions listener ends every session after short_sasl_session: a consumer that keeps
// reading must log in again on the same connection, by every mechanism.
class Reauthentication : public OauthConsumer, public ::testing::WithParamInterface<std::string> {
protected:
    bool reauthenticate = true;

    std::string bootstrap() const override { return broker.sasl_bootstrap(sasl_listener::short_sessions); }

    cluster_options fast_cluster_options() override
    {
        auto o = OauthConsumer::fast_cluster_options();
        o.broker.sasl.mechanism = GetParam();
        if (GetParam() != "OAUTHBEARER") {
            o.broker.sasl.username = std::string(testing::sasl_user);
            o.broker.sasl.password = std::string(testing::sasl_password);
        }
        o.broker.reauthenticate = reauthenticate;
        return o;
    }

    std::size_t lost_connections() const
    {
        return static_cast<std::size_t>(std::count_if(logs.begin(), logs.end(), [](const std::string& line) {
            return line.find("connection to broker") != std::string::npos && line.find("lost") != std::string::npos;
        }));
    }

    std::string topic_name() const
    {
        std::string name = "reauth-" + GetParam();
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return name + (reauthenticate ? "" : "-off");
    }

    // A consumer that has read the first 20 records of a new topic, and the broker leading it.
    struct reading {
        std::shared_ptr<simple_consumer> consumer;
        collector got;
        std::shared_ptr<kspout::io::broker> leader;
    };

    reading start_reading(const std::string& topic)
    {
        broker.create_topic(topic, 1);
        produce_ours(topic, "before-", 20);
        reading r;
        r.consumer = make_consumer(options_for(topic));
        r.consumer->assign_all();
        EXPECT_TRUE(consume_until(*r.consumer, r.got, 20)) << r.got.count() << " of 20";
        r.leader = shared_cluster()->leader_for(topic, 0);
        EXPECT_TRUE(r.leader);
        return r;
    }
};

TEST_P(Reauthentication, AConsumerReadingForThreeSessionsKeepsItsOneConnection)
{
    const std::string topic = topic_name();
    auto [consumer, got, leader] = start_reading(topic);
    ASSERT_TRUE(leader && got.count() == 20);
    // Fetching all along (50 ms long polls), until the third session has begun.
    ASSERT_TRUE(testing::run_until(
        ioc,
        [&] {
            poll_all(*consumer, got);
            return leader->counts().reauthentications >= 3;
        },
        std::chrono::seconds(60)))
        << leader->counts().reauthentications << " re-authentications";
    produce_ours(topic, "after-", 20);
    ASSERT_TRUE(consume_until(*consumer, got, 40)) << got.count() << " of 40";
    EXPECT_EQ(leader->counts().connections, 1u);
    EXPECT_EQ(lost_connections(), 0u) << joined(logs);
    EXPECT_TRUE(errors.empty());
    EXPECT_THAT(joined(logs), ::testing::Not(::testing::HasSubstr(token)));
    EXPECT_THAT(joined(logs), ::testing::Not(::testing::HasSubstr(testing::sasl_password)));
}

// The control: the same consumer that does not log in again is cut off by the broker once its
// session ends, and connects again.
TEST_P(Reauthentication, WithoutItTheBrokerClosesTheConnectionWhenTheSessionEnds)
{
    reauthenticate = false;
    auto [consumer, got, leader] = start_reading(topic_name());
    ASSERT_TRUE(leader && got.count() == 20);
    ASSERT_TRUE(testing::run_until(
        ioc,
        [&] {
            poll_all(*consumer, got);
            return leader->counts().connections >= 2;
        },
        std::chrono::seconds(60)))
        << joined(logs);
    EXPECT_GE(lost_connections(), 1u);
    EXPECT_EQ(leader->counts().reauthentications, 0u);
}

// An agent refreshes a short-lived token in place: each re-authentication reads the file again,
// so the connection outlives the first token.
class OauthReauthentication : public OauthConsumer {
protected:
    std::string bootstrap() const override { return broker.sasl_bootstrap(sasl_listener::short_sessions); }
};

TEST_F(OauthReauthentication, EachReauthenticationReadsTheTokenFileAgain)
{
    const std::string topic = "reauth-oauth-rotated";
    broker.create_topic(topic, 1);
    produce_ours(topic, "before-", 10);
    auto consumer = make_consumer(options_for(topic));
    consumer->assign_all();
    collector got;
    ASSERT_TRUE(consume_until(*consumer, got, 10)) << got.count() << " of 10";
    auto leader = shared_cluster()->leader_for(topic, 0);
    ASSERT_TRUE(leader);
    ASSERT_EQ(leader->counts().connections, 1u);

    // From here the connection must log in again with this token, which expires within 5 s.
    const auto short_lived_since = std::chrono::steady_clock::now();
    write_file(token_file, unsecured_token("kspout-oauth-client", std::chrono::seconds(5)));
    ASSERT_TRUE(testing::run_until(ioc, [&] {
        poll_all(*consumer, got);
        return leader->counts().reauthentications >= 1;
    }));
    const std::string refreshed = unsecured_token("kspout-oauth-client", std::chrono::hours(1));
    write_file(token_file, refreshed);
    // Past the short-lived token's expiry, with more logins since.
    ASSERT_TRUE(testing::run_until(
        ioc,
        [&] {
            poll_all(*consumer, got);
            return leader->counts().reauthentications >= 3 &&
                   std::chrono::steady_clock::now() - short_lived_since > std::chrono::seconds(6);
        },
        std::chrono::seconds(60)));
    produce_ours(topic, "after-", 10);
    ASSERT_TRUE(consume_until(*consumer, got, 20)) << got.count() << " of 20";
    EXPECT_EQ(leader->counts().connections, 1u) << joined(logs);
    EXPECT_TRUE(errors.empty());
    EXPECT_THAT(joined(logs), ::testing::Not(::testing::HasSubstr(refreshed)));
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, Reauthentication, ::testing::Values("PLAIN", "SCRAM-SHA-512", "OAUTHBEARER"),
                         testing::mechanism_test_name);

} // namespace
} // namespace kspout::io::consumer_testing
