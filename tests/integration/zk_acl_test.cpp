// zk::client's digest credentials and creator ACLs against a real ZooKeeper server.
#include "protocol/zk/zk_client.hpp"
#include "tests/integration/run_until.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kspout::zk {
namespace {

using namespace std::chrono_literals;
using kspout::testing::run_until;

constexpr const char* password = "zk-acl-Pa55word";

class ZkAcl : public ::testing::Test {
protected:
    void SetUp() override { server = std::make_unique<kspout::testing::zookeeper_server>(); }

    std::unique_ptr<client> connect(std::optional<auth_data> auth)
    {
        client_options options;
        options.connect_string = server->connect_string();
        options.session_timeout = 10s;
        options.auth = std::move(auth);
        options.logger.threshold = log::log_level::debug;
        options.logger.sink = [this](log::log_level, std::string_view text) { lines.emplace_back(text); };
        auto c = std::make_unique<client>(ioc.get_executor(), options);
        EXPECT_FALSE(c->start([this](session_state s) { states.push_back(s); }));
        EXPECT_TRUE(run_until(ioc, [&] { return c->state() == session_state::connected; }))
            << "no session; server output:\n"
            << server->log();
        return c;
    }

    std::error_code create(client& c, const std::string& path, acl_policy acl, acl_policy parents_acl)
    {
        std::optional<std::error_code> result;
        create_options o;
        o.make_parents = true;
        o.acl = acl;
        o.parents_acl = parents_acl;
        c.create(path, "payload", o, [&](std::error_code ec, std::string) { result = ec; });
        EXPECT_TRUE(run_until(ioc, [&] { return result.has_value(); }));
        return result.value_or(make_error_code(errc::operation_timeout));
    }

    std::error_code get(client& c, const std::string& path)
    {
        std::optional<std::error_code> result;
        c.get(path, [&](std::error_code ec, std::string, stat) { result = ec; });
        EXPECT_TRUE(run_until(ioc, [&] { return result.has_value(); }));
        return result.value_or(make_error_code(errc::operation_timeout));
    }

    boost::asio::io_context ioc;
    std::unique_ptr<kspout::testing::zookeeper_server> server;
    std::vector<std::string> lines;
    std::vector<session_state> states;
};

TEST_F(ZkAcl, CreatorNodesServeOnlyTheirCreatorsCredentials)
{
    auto alice = connect(auth_data{"digest", std::string("alice:") + password});
    ASSERT_FALSE(create(*alice, "/open", acl_policy::open, acl_policy::open));
    ASSERT_FALSE(create(*alice, "/open/guarded/node", acl_policy::creator, acl_policy::creator));

    auto anonymous = connect(std::nullopt);
    auto wrong = connect(auth_data{"digest", "alice:not-the-password"});
    auto again = connect(auth_data{"digest", std::string("alice:") + password});
    EXPECT_FALSE(get(*anonymous, "/open")) << "parents_acl open leaves /open to anyone";
    EXPECT_EQ(get(*anonymous, "/open/guarded"), errc::no_auth);
    EXPECT_EQ(get(*anonymous, "/open/guarded/node"), errc::no_auth);
    EXPECT_EQ(get(*wrong, "/open/guarded/node"), errc::no_auth);
    EXPECT_EQ(create(*wrong, "/open/guarded/intruder", acl_policy::open, acl_policy::open), errc::no_auth);
    EXPECT_FALSE(get(*again, "/open/guarded/node")) << "another session with the same credentials";

    // A creator ACL names the session's credentials; without any the server refuses it.
    EXPECT_EQ(create(*anonymous, "/open/mine", acl_policy::creator, acl_policy::open), errc::invalid_acl);
}

TEST_F(ZkAcl, CredentialsAreAddedAgainOnEveryNewSession)
{
    auto alice = connect(auth_data{"digest", std::string("alice:") + password});
    ASSERT_FALSE(create(*alice, "/guarded", acl_policy::creator, acl_policy::creator));
    auto first = alice->credentials();
    ASSERT_TRUE(first.has_value());
    ASSERT_FALSE(alice->reconnect());
    ASSERT_TRUE(run_until(ioc, [&] {
        auto now = alice->credentials();
        return alice->state() == session_state::connected && now && now->id != first->id;
    }));
    EXPECT_FALSE(get(*alice, "/guarded"));
    for (const auto& line : lines)
        EXPECT_EQ(line.find(password), std::string::npos) << line;
}

TEST_F(ZkAcl, ARefusedSchemeEndsTheSessionNamingOnlyTheScheme)
{
    client_options options;
    options.connect_string = server->connect_string();
    options.auth = auth_data{"no-such-scheme", std::string("alice:") + password};
    options.logger.sink = [this](log::log_level, std::string_view text) { lines.emplace_back(text); };
    client c(ioc.get_executor(), options);
    ASSERT_FALSE(c.start([this](session_state s) { states.push_back(s); }));
    ASSERT_TRUE(run_until(ioc, [&] { return c.state() == session_state::auth_failed; }))
        << "server output:\n" << server->log();
    std::string all;
    for (const auto& line : lines)
        all += line + "\n";
    EXPECT_NE(all.find("'no-such-scheme'"), std::string::npos) << all;
    EXPECT_EQ(all.find(password), std::string::npos) << all;
    EXPECT_EQ(all.find("alice"), std::string::npos) << all;
}

} // namespace
} // namespace kspout::zk
