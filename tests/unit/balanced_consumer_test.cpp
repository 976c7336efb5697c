// balanced_consumer without a cluster to talk to: option errors, refusals for partitions it does not own, stop.
#include "protocol/balanced/balanced_consumer.hpp"
#include "protocol/balanced/balanced_error.hpp"
#include "protocol/io/error.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>

namespace kspout::balanced {
namespace {

using namespace std::chrono_literals;

struct recorded {
    std::vector<std::pair<std::error_code, std::string>> errors;
    int assigned_calls = 0;
    int revoking_calls = 0;
};

template <typename Predicate>
bool run_until(boost::asio::io_context& ioc, Predicate done, std::chrono::seconds limit = 10s)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    ioc.restart();
    while (!done() && std::chrono::steady_clock::now() < deadline)
        ioc.run_for(5ms);
    return done();
}

class BalancedConsumerAlone : public ::testing::Test {
protected:
    boost::asio::io_context ioc;
    std::shared_ptr<recorded> seen = std::make_shared<recorded>();

    // Port 9 (discard) on loopback: nothing listens, so every connection is refused at once.
    io::cluster_options nowhere()
    {
        io::cluster_options o;
        o.bootstrap_servers = {"127.0.0.1:9"};
        o.broker.reconnect_backoff = 10ms;
        o.broker.reconnect_backoff_max = 50ms;
        return o;
    }

    balanced_listener listener()
    {
        balanced_listener l;
        l.on_error = [s = seen](std::error_code ec, const std::string& what) { s->errors.emplace_back(ec, what); };
        l.on_assigned = [s = seen](const std::map<std::int32_t, std::int64_t>&) { ++s->assigned_calls; };
        l.on_revoking = [s = seen](const std::vector<std::int32_t>&, std::function<void()> done) {
            ++s->revoking_calls;
            done();
        };
        return l;
    }

    bool stop(balanced_consumer& c)
    {
        bool done = false;
        c.stop([&] { done = true; });
        return run_until(ioc, [&] { return done; });
    }
};

TEST_F(BalancedConsumerAlone, InvalidOptionsAreReportedOnStart)
{
    balanced_options o;
    o.topic = "events";
    o.fixed = static_member{4, 2};
    auto c = balanced_consumer::create(ioc.get_executor(), nowhere(), o, listener());
    c->start();
    ASSERT_EQ(seen->errors.size(), 1u);
    EXPECT_EQ(seen->errors[0].first, errc::invalid_options);
    EXPECT_NE(seen->errors[0].second.find("index 4 outside [0, 2)"), std::string::npos) << seen->errors[0].second;
    EXPECT_TRUE(c->poll(10).empty());
    EXPECT_TRUE(stop(*c));
    EXPECT_EQ(seen->revoking_calls, 0);
}

TEST_F(BalancedConsumerAlone, AMalformedBootstrapListIsAnOptionError)
{
    balanced_options o;
    o.topic = "events";
    o.fixed = static_member{0, 1};
    io::cluster_options bad;
    bad.bootstrap_servers = {"no-port-here"};
    auto c = balanced_consumer::create(ioc.get_executor(), bad, o, listener());
    c->start();
    ASSERT_EQ(seen->errors.size(), 1u);
    EXPECT_EQ(seen->errors[0].first, errc::invalid_options);
    std::optional<std::error_code> committed;
    c->commit({{0, 5}}, [&](std::error_code ec) { committed = ec; });
    ASSERT_TRUE(run_until(ioc, [&] { return committed.has_value(); }));
    EXPECT_EQ(*committed, io::errc::shut_down);
}

TEST_F(BalancedConsumerAlone, RefusesPartitionsItDoesNotOwn)
{
    balanced_options o;
    o.topic = "events";
    o.group_id = "g";
    o.fixed = static_member{0, 1};
    auto c = balanced_consumer::create(ioc.get_executor(), nowhere(), o, listener());
    c->start();
    run_until(ioc, [] { return false; }, 0s);
    EXPECT_TRUE(c->owned().empty());
    EXPECT_EQ(c->seek(0, 10), io::consumer_errc::not_owned);
    EXPECT_EQ(c->pause(0), io::consumer_errc::not_owned);
    EXPECT_EQ(c->resume(0), io::consumer_errc::not_owned);
    EXPECT_FALSE(c->position(0).has_value());
    EXPECT_FALSE(c->high_watermark(0).has_value());
    EXPECT_FALSE(c->zookeeper_session().has_value()) << "static mode has no session";
    std::optional<std::error_code> committed;
    c->commit({{0, 5}, {1, 7}}, [&](std::error_code ec) { committed = ec; });
    ASSERT_TRUE(run_until(ioc, [&] { return committed.has_value(); }));
    EXPECT_EQ(*committed, io::consumer_errc::not_owned);
    EXPECT_TRUE(stop(*c));
    EXPECT_EQ(seen->assigned_calls, 0);
}

TEST_F(BalancedConsumerAlone, ConsumerIdIsPykafkaShapedUnlessGiven)
{
    balanced_options o;
    o.topic = "events";
    o.group_id = "g";
    o.zookeeper_connect = "127.0.0.1:9";
    auto generated = balanced_consumer::create(ioc.get_executor(), nowhere(), o, listener());
    const std::string& id = generated->consumer_id();
    auto colon = id.rfind(':');
    ASSERT_NE(colon, std::string::npos) << id;
    EXPECT_EQ(id.size() - colon - 1, 36u) << "a uuid4 after the host name: " << id;
    EXPECT_EQ(id[colon + 1 + 14], '4') << id;

    o.consumer_id = "fixed-host:0000";
    auto given = balanced_consumer::create(ioc.get_executor(), nowhere(), o, listener());
    EXPECT_EQ(given->consumer_id(), "fixed-host:0000");
    o.consumer_id.clear();
    auto another = balanced_consumer::create(ioc.get_executor(), nowhere(), o, listener());
    EXPECT_NE(another->consumer_id(), generated->consumer_id()) << "a fresh id per instance, as pykafka makes";
}

TEST_F(BalancedConsumerAlone, StopIsIdempotentAndAlwaysCompletes)
{
    balanced_options o;
    o.topic = "events";
    o.group_id = "g";
    o.zookeeper_connect = "127.0.0.1:9"; // nothing there: the session never comes up
    o.zookeeper_session_timeout = 2s;
    auto c = balanced_consumer::create(ioc.get_executor(), nowhere(), o, listener());
    c->start();
    run_until(ioc, [] { return false; }, 0s);
    int done = 0;
    c->stop([&] { ++done; });
    c->stop([&] { ++done; });
    ASSERT_TRUE(run_until(ioc, [&] { return done == 2; }));
    c->stop([&] { ++done; });
    ASSERT_TRUE(run_until(ioc, [&] { return done == 3; }));
    EXPECT_TRUE(c->poll(1).empty());
}

} // namespace
} // namespace kspout::balanced
