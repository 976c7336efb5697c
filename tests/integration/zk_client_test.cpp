// zk::client against a real ZooKeeper server: CRUD, ephemerals, chroot, watches, expiry, restart, teardown.
#include "protocol/zk/zk_client.hpp"
#include "tests/integration/run_until.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace kspout::zk {
namespace {

using namespace std::chrono_literals;
using kspout::testing::run_until;

// One handler's answer: how often it ran, on which thread, with what.
template <typename... Results>
struct answer {
    int calls = 0;
    std::error_code ec;
    std::tuple<Results...> values;
    std::thread::id thread;
};

template <typename... Results>
using answer_ptr = std::shared_ptr<answer<Results...>>;

// A handler that records into `a`; shared so that a late call never touches a finished test.
template <typename... Results>
auto recorder(const answer_ptr<Results...>& a)
{
    return [a](std::error_code ec, Results... values) {
        ++a->calls;
        a->ec = ec;
        a->values = std::tuple<Results...>(std::move(values)...);
        a->thread = std::this_thread::get_id();
    };
}

struct state_log {
    std::vector<session_state> seen;

    bool saw(session_state s) const { return std::find(seen.begin(), seen.end(), s) != seen.end(); }
};

class ZkClient : public ::testing::Test {
protected:
    void SetUp() override
    {
        server = std::make_unique<kspout::testing::zookeeper_server>();
        RecordProperty("zookeeper_start_ms", static_cast<int>(server->last_start_time().count()));
    }

    std::unique_ptr<client> make_client(const std::string& connect_string,
                                        std::chrono::milliseconds session_timeout = 10s,
                                        std::shared_ptr<state_log> log = std::make_shared<state_log>())
    {
        client_options options;
        options.connect_string = connect_string;
        options.session_timeout = session_timeout;
        auto c = std::make_unique<client>(ioc.get_executor(), options);
        EXPECT_FALSE(c->start([log](session_state s) { log->seen.push_back(s); }));
        return c;
    }

    std::unique_ptr<client> connect(const std::string& connect_string, std::chrono::milliseconds session_timeout = 10s,
                                    std::shared_ptr<state_log> log = std::make_shared<state_log>())
    {
        auto c = make_client(connect_string, session_timeout, log);
        EXPECT_TRUE(run_until(ioc, [&] { return c->state() == session_state::connected; }))
            << "no session; server output:\n"
            << server->log();
        return c;
    }

    template <typename... Results, typename Start>
    answer<Results...> await(Start start)
    {
        auto a = std::make_shared<answer<Results...>>();
        start(recorder<Results...>(a));
        EXPECT_TRUE(run_until(ioc, [&] { return a->calls > 0; })) << "no answer";
        return *a;
    }

    answer<std::string> create(client& c, const std::string& path, const std::string& data = {},
                               create_options options = {})
    {
        return await<std::string>([&](auto h) { c.create(path, data, options, h); });
    }

    answer<std::string, stat> get(client& c, const std::string& path, watch_handler watcher = {})
    {
        return await<std::string, stat>([&](auto h) { c.get(path, h, watcher); });
    }

    answer<std::vector<std::string>, stat> children(client& c, const std::string& path, watch_handler watcher = {})
    {
        return await<std::vector<std::string>, stat>([&](auto h) { c.get_children(path, h, watcher); });
    }

    answer<std::optional<stat>> exists(client& c, const std::string& path, watch_handler watcher = {})
    {
        return await<std::optional<stat>>([&](auto h) { c.exists(path, h, watcher); });
    }

    answer<> remove(client& c, const std::string& path, std::int32_t version = -1)
    {
        return await<>([&](auto h) { c.remove(path, version, h); });
    }

    boost::asio::io_context ioc;
    std::unique_ptr<kspout::testing::zookeeper_server> server;
};

std::vector<std::string> sorted(std::vector<std::string> names)
{
    std::sort(names.begin(), names.end());
    return names;
}

TEST_F(ZkClient, CreateGetChildrenRemove)
{
    auto zk = connect(server->connect_string());
    const std::string payload("bytes\0with\xff nul", 15);

    auto made = create(*zk, "/a", payload);
    EXPECT_FALSE(made.ec) << made.ec.message();
    EXPECT_EQ(std::get<0>(made.values), "/a");

    auto read = get(*zk, "/a");
    ASSERT_FALSE(read.ec) << read.ec.message();
    EXPECT_EQ(std::get<0>(read.values), payload);
    EXPECT_EQ(std::get<1>(read.values).version, 0);
    EXPECT_EQ(std::get<1>(read.values).data_length, 15);
    EXPECT_EQ(std::get<1>(read.values).ephemeral_owner, 0);

    EXPECT_FALSE(create(*zk, "/a/c").ec);
    EXPECT_FALSE(create(*zk, "/a/b").ec);
    auto listed = children(*zk, "/a");
    ASSERT_FALSE(listed.ec);
    EXPECT_EQ(sorted(std::get<0>(listed.values)), (std::vector<std::string>{"b", "c"}));
    EXPECT_EQ(std::get<1>(listed.values).num_children, 2);

    EXPECT_EQ(create(*zk, "/a", "again").ec, errc::node_exists);
    EXPECT_EQ(create(*zk, "/missing/child").ec, errc::no_node);
    EXPECT_EQ(get(*zk, "/nope").ec, errc::no_node);
    EXPECT_EQ(children(*zk, "/nope").ec, errc::no_node);
    EXPECT_EQ(create(*zk, "no-leading-slash").ec, errc::bad_arguments);

    auto there = exists(*zk, "/a/b");
    EXPECT_FALSE(there.ec);
    EXPECT_TRUE(std::get<0>(there.values).has_value());
    auto absent = exists(*zk, "/a/zzz");
    EXPECT_FALSE(absent.ec) << "a missing node is not an error for exists";
    EXPECT_FALSE(std::get<0>(absent.values).has_value());

    EXPECT_EQ(remove(*zk, "/a").ec, errc::not_empty);
    EXPECT_EQ(remove(*zk, "/a/b", 7).ec, errc::bad_version);
    EXPECT_FALSE(remove(*zk, "/a/b", 0).ec);
    EXPECT_FALSE(remove(*zk, "/a/c").ec);
    EXPECT_EQ(remove(*zk, "/a/c").ec, errc::no_node);
    EXPECT_FALSE(remove(*zk, "/a").ec);
    EXPECT_FALSE(std::get<0>(exists(*zk, "/a").values).has_value());
}

TEST_F(ZkClient, CreateWithParentsAndSequentialNodes)
{
    auto zk = connect(server->connect_string());
    create_options with_parents;
    with_parents.make_parents = true;
    auto deep = create(*zk, "/x/y/z", "leaf", with_parents);
    ASSERT_FALSE(deep.ec) << deep.ec.message();
    EXPECT_EQ(std::get<0>(deep.values), "/x/y/z");
    EXPECT_EQ(std::get<0>(get(*zk, "/x/y/z").values), "leaf");
    EXPECT_EQ(std::get<0>(get(*zk, "/x/y").values), "");
    EXPECT_EQ(std::get<1>(get(*zk, "/x").values).ephemeral_owner, 0) << "parents are persistent";

    // Parents that exist already are fine; the node itself existing is still an error.
    EXPECT_FALSE(create(*zk, "/x/y/w", {}, with_parents).ec);
    EXPECT_EQ(create(*zk, "/x/y/w", {}, with_parents).ec, errc::node_exists);

    create_options sequential;
    sequential.mode = create_mode::persistent_sequential;
    sequential.make_parents = true;
    auto first = create(*zk, "/seq/n-", {}, sequential);
    auto second = create(*zk, "/seq/n-", {}, sequential);
    ASSERT_FALSE(first.ec || second.ec);
    EXPECT_EQ(std::get<0>(first.values), "/seq/n-0000000000");
    EXPECT_EQ(std::get<0>(second.values), "/seq/n-0000000001");
}

TEST_F(ZkClient, EphemeralNodeVanishesWhenItsSessionCloses)
{
    auto owner = connect(server->connect_string());
    auto observer = connect(server->connect_string());
    create_options ephemeral;
    ephemeral.mode = create_mode::ephemeral;
    ASSERT_FALSE(create(*owner, "/e", "mine", ephemeral).ec);
    ASSERT_TRUE(owner->credentials());

    auto seen = exists(*observer, "/e");
    ASSERT_TRUE(std::get<0>(seen.values).has_value());
    EXPECT_EQ(std::get<0>(seen.values)->ephemeral_owner, owner->credentials()->id);
    EXPECT_EQ(create(*owner, "/e/child").ec, errc::no_children_for_ephemerals);

    auto gone = std::make_shared<answer<watch_event>>();
    ASSERT_FALSE(exists(*observer, "/e", recorder<watch_event>(gone)).ec);
    owner->close();
    EXPECT_EQ(owner->state(), session_state::closed);
    ASSERT_TRUE(run_until(ioc, [&] { return gone->calls > 0; }));
    EXPECT_FALSE(gone->ec);
    EXPECT_EQ(std::get<0>(gone->values).type, event_type::deleted);
    EXPECT_EQ(std::get<0>(gone->values).path, "/e");
    EXPECT_FALSE(std::get<0>(exists(*observer, "/e").values).has_value());
}

TEST_F(ZkClient, ChrootPathsAreRelativeBothWays)
{
    auto root = connect(server->connect_string());
    ASSERT_FALSE(create(*root, "/kafka").ec);
    auto chrooted = connect(server->connect_string("/kafka"));

    create_options member;
    member.mode = create_mode::ephemeral;
    member.make_parents = true;
    auto made = create(*chrooted, "/consumers/g/ids/m1", "events", member);
    ASSERT_FALSE(made.ec) << made.ec.message();
    EXPECT_EQ(std::get<0>(made.values), "/consumers/g/ids/m1");

    EXPECT_EQ(std::get<0>(get(*root, "/kafka/consumers/g/ids/m1").values), "events");
    EXPECT_FALSE(std::get<0>(exists(*root, "/consumers").values).has_value());
    EXPECT_EQ(std::get<0>(get(*chrooted, "/consumers/g/ids/m1").values), "events");

    auto event = std::make_shared<answer<watch_event>>();
    auto listed = children(*chrooted, "/consumers/g/ids", recorder<watch_event>(event));
    EXPECT_EQ(std::get<0>(listed.values), std::vector<std::string>{"m1"});
    ASSERT_FALSE(create(*root, "/kafka/consumers/g/ids/m2").ec);
    ASSERT_TRUE(run_until(ioc, [&] { return event->calls > 0; }));
    EXPECT_EQ(std::get<0>(event->values).type, event_type::child);
    EXPECT_EQ(std::get<0>(event->values).path, "/consumers/g/ids");
}

TEST_F(ZkClient, WatchesFireOnceOnTheExecutor)
{
    auto zk = connect(server->connect_string());
    const auto executor_thread = std::this_thread::get_id(); // the one running ioc

    auto created = std::make_shared<answer<watch_event>>();
    auto absent = exists(*zk, "/w", recorder<watch_event>(created));
    EXPECT_FALSE(absent.ec);
    EXPECT_EQ(absent.thread, executor_thread);
    ASSERT_FALSE(create(*zk, "/w").ec);
    ASSERT_TRUE(run_until(ioc, [&] { return created->calls > 0; }));
    EXPECT_FALSE(created->ec);
    EXPECT_EQ(std::get<0>(created->values).type, event_type::created);
    EXPECT_EQ(std::get<0>(created->values).path, "/w");
    EXPECT_EQ(created->thread, executor_thread);

    auto child = std::make_shared<answer<watch_event>>();
    ASSERT_FALSE(children(*zk, "/w", recorder<watch_event>(child)).ec);
    auto deleted = std::make_shared<answer<watch_event>>();
    ASSERT_FALSE(get(*zk, "/w", recorder<watch_event>(deleted)).ec);

    ASSERT_FALSE(create(*zk, "/w/c1").ec);
    ASSERT_TRUE(run_until(ioc, [&] { return child->calls > 0; }));
    EXPECT_EQ(std::get<0>(child->values).type, event_type::child);
    EXPECT_EQ(child->thread, executor_thread);

    // More changes after a watch fired do not call it again. The server sends a client its watch
    // events before the answers to its later requests, so an answer is enough to wait for.
    ASSERT_FALSE(create(*zk, "/w/c2").ec);
    ASSERT_FALSE(remove(*zk, "/w/c1").ec);
    ASSERT_FALSE(remove(*zk, "/w/c2").ec);
    EXPECT_EQ(deleted->calls, 0) << "a data watch does not fire on child changes";
    ASSERT_FALSE(remove(*zk, "/w").ec);
    ASSERT_TRUE(run_until(ioc, [&] { return deleted->calls > 0; }));
    EXPECT_EQ(std::get<0>(deleted->values).type, event_type::deleted);
    EXPECT_EQ(deleted->thread, executor_thread);

    ASSERT_FALSE(create(*zk, "/w").ec);
    ASSERT_FALSE(remove(*zk, "/w").ec);
    ASSERT_FALSE(exists(*zk, "/w").ec);
    EXPECT_EQ(created->calls, 1);
    EXPECT_EQ(child->calls, 1);
    EXPECT_EQ(deleted->calls, 1);
}

TEST_F(ZkClient, AFailedCallSetsNoWatch)
{
    auto zk = connect(server->connect_string());
    auto data_watch = std::make_shared<answer<watch_event>>();
    auto child_watch = std::make_shared<answer<watch_event>>();
    EXPECT_EQ(get(*zk, "/later", recorder<watch_event>(data_watch)).ec, errc::no_node);
    EXPECT_EQ(children(*zk, "/later", recorder<watch_event>(child_watch)).ec, errc::no_node);
    ASSERT_FALSE(create(*zk, "/later").ec);
    ASSERT_FALSE(create(*zk, "/later/c").ec);
    ASSERT_FALSE(remove(*zk, "/later/c").ec);
    ASSERT_FALSE(remove(*zk, "/later").ec);
    ASSERT_FALSE(exists(*zk, "/later").ec);
    EXPECT_EQ(data_watch->calls, 0);
    EXPECT_EQ(child_watch->calls, 0);
}

TEST_F(ZkClient, ExpiryIsReportedAndReconnectGivesAWorkingNewSession)
{
    auto log = std::make_shared<state_log>();
    auto zk = connect(server->connect_string(), 2s, log);
    create_options ephemeral;
    ephemeral.mode = create_mode::ephemeral;
    ASSERT_FALSE(create(*zk, "/mine", {}, ephemeral).ec);
    auto watch = std::make_shared<answer<watch_event>>();
    ASSERT_FALSE(exists(*zk, "/never", recorder<watch_event>(watch)).ec);
    std::optional<session_credentials> old = zk->credentials();
    ASSERT_TRUE(old);
    EXPECT_EQ(old->password.size(), 16u);

    kspout::testing::expire_session(server->connect_string(), old->id, old->password);
    ASSERT_TRUE(run_until(ioc, [&] { return zk->state() == session_state::expired; }));
    EXPECT_TRUE(log->saw(session_state::expired));
    ASSERT_TRUE(run_until(ioc, [&] { return watch->calls > 0; }));
    EXPECT_EQ(watch->ec, errc::session_expired);
    EXPECT_EQ(get(*zk, "/mine").ec, errc::invalid_state) << "the expired handle is dead";

    ASSERT_FALSE(zk->reconnect());
    ASSERT_TRUE(run_until(ioc, [&] { return zk->state() == session_state::connected; }));
    EXPECT_EQ(log->seen.back(), session_state::connected);
    ASSERT_TRUE(zk->credentials());
    EXPECT_NE(zk->credentials()->id, old->id);
    EXPECT_FALSE(std::get<0>(exists(*zk, "/mine").values).has_value()) << "the old session's ephemeral is gone";
    auto again = create(*zk, "/mine", {}, ephemeral);
    EXPECT_FALSE(again.ec) << again.ec.message();
    EXPECT_EQ(std::get<0>(exists(*zk, "/mine").values)->ephemeral_owner, zk->credentials()->id);
    EXPECT_EQ(watch->calls, 1);
}

TEST_F(ZkClient, ServerRestartWithinTheTimeoutKeepsTheSession)
{
    auto log = std::make_shared<state_log>();
    auto zk = connect(server->connect_string(), 20s, log);
    create_options ephemeral;
    ephemeral.mode = create_mode::ephemeral;
    ASSERT_FALSE(create(*zk, "/stay", {}, ephemeral).ec);
    auto id = zk->credentials()->id;

    server->stop();
    ASSERT_TRUE(run_until(ioc, [&] { return zk->state() == session_state::disconnected; }));
    auto while_down = std::make_shared<answer<std::string>>();
    zk->create("/during-outage", {}, {}, recorder<std::string>(while_down));

    server->restart();
    ASSERT_TRUE(run_until(ioc, [&] { return zk->state() == session_state::connected; }));
    EXPECT_EQ(log->seen, (std::vector<session_state>{session_state::connected, session_state::disconnected,
                                                     session_state::connected}));
    EXPECT_EQ(zk->credentials()->id, id);
    auto still = exists(*zk, "/stay");
    ASSERT_TRUE(std::get<0>(still.values).has_value());
    EXPECT_EQ(std::get<0>(still.values)->ephemeral_owner, id);
    // A request made during the outage is answered once, one way or the other.
    ASSERT_TRUE(run_until(ioc, [&] { return while_down->calls > 0; }));
    EXPECT_EQ(while_down->calls, 1);
    if (while_down->ec) {
        EXPECT_EQ(while_down->ec, errc::connection_loss);
    }
}

// Issues a mix of requests, some with watches, and counts every handler call.
struct in_flight {
    std::vector<std::shared_ptr<answer<std::string>>> creates;
    std::vector<std::shared_ptr<answer<std::string, stat>>> gets;
    std::vector<std::shared_ptr<answer<std::optional<stat>>>> exists;
    std::vector<std::shared_ptr<answer<watch_event>>> watches;

    void issue(client& zk, int rounds)
    {
        create_options ephemeral;
        ephemeral.mode = create_mode::ephemeral;
        for (int i = 0; i < rounds; ++i) {
            creates.push_back(std::make_shared<answer<std::string>>());
            zk.create("/inflight/n" + std::to_string(i), "x", ephemeral, recorder<std::string>(creates.back()));
            gets.push_back(std::make_shared<answer<std::string, stat>>());
            watches.push_back(std::make_shared<answer<watch_event>>());
            zk.get("/inflight", recorder<std::string, stat>(gets.back()), recorder<watch_event>(watches.back()));
            exists.push_back(std::make_shared<answer<std::optional<stat>>>());
            watches.push_back(std::make_shared<answer<watch_event>>());
            zk.exists("/inflight/n" + std::to_string(i), recorder<std::optional<stat>>(exists.back()),
                      recorder<watch_event>(watches.back()));
        }
    }

    bool all_answered() const
    {
        auto answered = [](const auto& list) {
            return std::all_of(list.begin(), list.end(), [](const auto& a) { return a->calls > 0; });
        };
        return answered(creates) && answered(gets) && answered(exists);
    }

    void expect_each_once_with(std::error_code expected) const
    {
        auto check = [&](const auto& list) {
            for (const auto& a : list) {
                EXPECT_EQ(a->calls, 1);
                EXPECT_EQ(a->ec, expected) << a->ec.message();
            }
        };
        check(creates);
        check(gets);
        check(exists);
        for (const auto& w : watches) {
            EXPECT_LE(w->calls, 1);
            if (w->calls == 1) {
                EXPECT_EQ(w->ec, errc::closing);
            }
        }
    }
};

TEST_F(ZkClient, DestroyingTheClientWithRequestsInFlightAnswersEachOnce)
{
    auto observer = connect(server->connect_string());
    ASSERT_FALSE(create(*observer, "/inflight").ec);
    // A session timeout far beyond run_until's limit: the ephemerals can only go by the close.
    auto zk = connect(server->connect_string(), 60s);

    in_flight requests;
    requests.issue(*zk, 100);
    auto before = std::chrono::steady_clock::now();
    zk.reset(); // nothing has been delivered yet: the executor has not run since
    RecordProperty("destroy_ms", static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - before)
                                     .count()));
    ASSERT_TRUE(run_until(ioc, [&] { return requests.all_answered(); }));
    requests.expect_each_once_with(errc::closing);

    // Whatever reached the server went with the session. The close was sent before the client
    // was gone, but the server may apply it after our next request, so wait for the children.
    EXPECT_TRUE(run_until(ioc, [&] {
        auto left = children(*observer, "/inflight");
        return !left.ec && std::get<0>(left.values).empty();
    })) << "ephemerals of the destroyed client's session are still there";
}

TEST_F(ZkClient, DestroyingTheClientBeforeItEverConnectedAnswersEachOnce)
{
    server->stop();
    auto zk = make_client(server->connect_string());
    EXPECT_EQ(zk->state(), session_state::connecting);
    in_flight requests;
    requests.issue(*zk, 20);
    zk.reset();
    ASSERT_TRUE(run_until(ioc, [&] { return requests.all_answered(); }));
    requests.expect_each_once_with(errc::closing);
}

TEST_F(ZkClient, ClosingFromItsOwnHandlerIsSafe)
{
    auto zk = connect(server->connect_string());
    in_flight requests;
    auto first = std::make_shared<int>(0);
    zk->exists("/", [&, first](std::error_code, std::optional<stat>) {
        ++*first;
        zk.reset(); // destroys the client inside one of its handlers
    });
    requests.issue(*zk, 10);
    ASSERT_TRUE(run_until(ioc, [&] { return *first > 0 && requests.all_answered(); }));
    EXPECT_EQ(*first, 1);
    EXPECT_EQ(zk, nullptr);
    requests.expect_each_once_with(errc::closing);
}

TEST_F(ZkClient, CallsOutsideASessionFailCleanly)
{
    client_options options;
    options.connect_string = server->connect_string();
    client zk(ioc.get_executor(), options);
    EXPECT_EQ(get(zk, "/").ec, errc::invalid_state) << "before start";

    ASSERT_FALSE(zk.start({}));
    EXPECT_EQ(zk.start({}), errc::invalid_state) << "started twice";
    ASSERT_TRUE(run_until(ioc, [&] { return zk.state() == session_state::connected; }));
    EXPECT_FALSE(get(zk, "/").ec);

    zk.close();
    EXPECT_EQ(zk.state(), session_state::closed);
    EXPECT_EQ(get(zk, "/").ec, errc::closing);
    EXPECT_EQ(create(zk, "/after").ec, errc::closing);
    EXPECT_EQ(zk.reconnect(), errc::closing);

    client_options bad;
    bad.connect_string = "127.0.0.1:1/trailing/";
    client broken(ioc.get_executor(), bad);
    EXPECT_TRUE(broken.start({})) << "a chroot ending in '/' is refused";
}

} // namespace
} // namespace kspout::zk
