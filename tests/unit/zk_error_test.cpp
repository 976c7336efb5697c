// The zookeeper error category: our values are the C client's, with its names in the messages.
#include "protocol/zk/zk_error.hpp"

#include <zookeeper/zookeeper.h>

#include <gtest/gtest.h>

namespace kspout::zk {
namespace {

TEST(ZkError, ValuesMatchTheCClientHeader)
{
    struct pair {
        errc ours;
        int theirs;
        const char* name;
    };
    for (const pair& p : {
             pair{errc::system_error, ZSYSTEMERROR, "ZSYSTEMERROR"},
             pair{errc::connection_loss, ZCONNECTIONLOSS, "ZCONNECTIONLOSS"},
             pair{errc::marshalling_error, ZMARSHALLINGERROR, "ZMARSHALLINGERROR"},
             pair{errc::operation_timeout, ZOPERATIONTIMEOUT, "ZOPERATIONTIMEOUT"},
             pair{errc::bad_arguments, ZBADARGUMENTS, "ZBADARGUMENTS"},
             pair{errc::invalid_state, ZINVALIDSTATE, "ZINVALIDSTATE"},
             pair{errc::no_node, ZNONODE, "ZNONODE"},
             pair{errc::no_auth, ZNOAUTH, "ZNOAUTH"},
             pair{errc::bad_version, ZBADVERSION, "ZBADVERSION"},
             pair{errc::no_children_for_ephemerals, ZNOCHILDRENFOREPHEMERALS, "ZNOCHILDRENFOREPHEMERALS"},
             pair{errc::node_exists, ZNODEEXISTS, "ZNODEEXISTS"},
             pair{errc::not_empty, ZNOTEMPTY, "ZNOTEMPTY"},
             pair{errc::session_expired, ZSESSIONEXPIRED, "ZSESSIONEXPIRED"},
             pair{errc::auth_failed, ZAUTHFAILED, "ZAUTHFAILED"},
             pair{errc::closing, ZCLOSING, "ZCLOSING"},
             pair{errc::session_moved, ZSESSIONMOVED, "ZSESSIONMOVED"},
             pair{errc::throttled_op, ZTHROTTLEDOP, "ZTHROTTLEDOP"},
         }) {
        EXPECT_EQ(static_cast<int>(p.ours), p.theirs) << p.name;
        EXPECT_EQ(code_name(p.theirs), p.name);
        std::error_code ec = error_from_rc(p.theirs);
        EXPECT_EQ(ec, p.ours);
        EXPECT_EQ(ec.category().name(), std::string("zookeeper"));
        EXPECT_TRUE(ec.message().starts_with(std::string(p.name) + ": ")) << ec.message();
    }
}

TEST(ZkError, OkIsNoError)
{
    EXPECT_FALSE(error_from_rc(ZOK));
    EXPECT_EQ(code_name(ZOK), "ZOK");
}

TEST(ZkError, UnknownCodesStillDescribeThemselves)
{
    std::error_code ec = error_from_rc(-999);
    EXPECT_TRUE(ec);
    EXPECT_EQ(ec.message(), "unknown zookeeper error -999");
    EXPECT_EQ(code_name(-999), "");
}

TEST(ZkError, DistinctFromOtherCategories)
{
    std::error_code ours = make_error_code(errc::no_node);
    EXPECT_NE(ours, std::error_code(-101, std::generic_category()));
    EXPECT_EQ(ours.message(), "ZNONODE: node does not exist");
}

} // namespace
} // namespace kspout::zk
