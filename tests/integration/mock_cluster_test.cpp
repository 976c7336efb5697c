// Self-test of the mock cluster fixture: commands take effect, bad ones are refused, nothing outlives it.
#include "tests/integration/mock_cluster.hpp"
#include "tests/integration/process.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <set>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kspout::testing {
namespace {

// Connects to 127.0.0.1:port; returns 0 on success, else the errno of connect().
int connect_error(std::uint16_t port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int result = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    int error = result == 0 ? 0 : errno;
    ::close(fd);
    return error;
}

// Cluster metadata as kcat sees it (`kcat -L`), to check commands from the outside.
std::string kcat_metadata(const mock_cluster& cluster, const std::string& topic)
{
    process_result kcat = run_process({"kcat", "-b", cluster.bootstrap(), "-L", "-t", topic});
    EXPECT_TRUE(kcat.ok()) << kcat.describe();
    return kcat.out;
}

TEST(MockCluster, ReportsOneLoopbackAddressPerBroker)
{
    mock_cluster cluster(3);
    ASSERT_EQ(cluster.broker_count(), 3);
    std::set<std::uint16_t> ports;
    for (int id = 1; id <= 3; ++id) {
        EXPECT_TRUE(cluster.broker_address(id).starts_with("127.0.0.1:")) << cluster.broker_address(id);
        EXPECT_EQ(connect_error(cluster.broker_port(id)), 0) << "broker " << id;
        ports.insert(cluster.broker_port(id));
    }
    EXPECT_EQ(ports.size(), 3u);
    EXPECT_EQ(cluster.bootstrap(), cluster.broker_address(1) + "," + cluster.broker_address(2) + "," +
                                       cluster.broker_address(3));
}

TEST(MockCluster, CreatedTopicAndLeaderMovesShowInMetadata)
{
    mock_cluster cluster(2);
    cluster.create_topic("orders", 3);
    cluster.set_leader("orders", 1, 2);
    std::string metadata = kcat_metadata(cluster, "orders");
    EXPECT_NE(metadata.find("topic \"orders\" with 3 partitions"), std::string::npos) << metadata;
    EXPECT_NE(metadata.find("partition 1, leader 2,"), std::string::npos) << metadata;

    cluster.set_leader("orders", 1, 1);
    metadata = kcat_metadata(cluster, "orders");
    EXPECT_NE(metadata.find("partition 1, leader 1,"), std::string::npos) << metadata;

    std::string reason;
    EXPECT_FALSE(cluster.try_command("topic orders 3", &reason));
    EXPECT_NE(reason.find("TOPIC_ALREADY_EXISTS"), std::string::npos) << reason;
}

TEST(MockCluster, TopicErrorShowsInMetadata)
{
    mock_cluster cluster;
    cluster.create_topic("flaky", 1);
    cluster.set_topic_error("flaky", 5); // LEADER_NOT_AVAILABLE
    std::string metadata = kcat_metadata(cluster, "flaky");
    EXPECT_NE(metadata.find("Leader not available"), std::string::npos) << metadata;
}

TEST(MockCluster, BrokerDownRefusesConnectionsUntilUpAgain)
{
    mock_cluster cluster(2);
    std::uint16_t port = cluster.broker_port(2);
    ASSERT_EQ(connect_error(port), 0);

    cluster.broker_down(2);
    EXPECT_EQ(connect_error(port), ECONNREFUSED);
    EXPECT_EQ(connect_error(cluster.broker_port(1)), 0);

    cluster.broker_up(2);
    EXPECT_EQ(connect_error(port), 0);
}

TEST(MockCluster, TypedHelpersAreAccepted)
{
    mock_cluster cluster(2);
    cluster.create_topic("t", 2, 2);
    EXPECT_NO_THROW(cluster.set_rtt(1, std::chrono::milliseconds(5)));
    EXPECT_NO_THROW(cluster.set_rtt(1, std::chrono::milliseconds(0)));
    EXPECT_NO_THROW(cluster.set_follower("t", 0, 2));
    EXPECT_NO_THROW(cluster.push_errors(wire::api_key::fetch, 6, 2));
    EXPECT_NO_THROW(cluster.push_errors(wire::api_key::api_versions, mock_cluster::transport_error));
    EXPECT_NO_THROW(cluster.push_broker_error(2, wire::api_key::produce, 7, std::chrono::milliseconds(1)));
    EXPECT_NO_THROW(cluster.set_api_versions(wire::api_key::fetch, 4, 11));
    EXPECT_NO_THROW(cluster.disable_api(wire::api_key::join_group));
    EXPECT_NO_THROW(cluster.set_group_coordinator("group-a", 2));
}

TEST(MockCluster, BadCommandsAreRefusedWithAReason)
{
    mock_cluster cluster(2);
    const char* bad[] = {
        "frobnicate",
        "",
        "topic",
        "topic bad/name 1",
        "topic t 0",
        "topic t 1 3",
        "topic t x",
        "down 0",
        "down 3",
        "up 1x",
        "rtt 1 -5",
        "leader t -1 1",
        "leader t 0 3",
        "err 1 6 0",
        "err 5 6",
        "err 1 NOT_A_CODE",
        "broker_err 3 1 6 0",
        "broker_err 1 1 6",
        "apiver 1 0 12",
        "apiver 3 2 1",
        "apiver 99 0 1",
        "coordinator group g 0",
        "coordinator group g 3", // would trip an assertion inside the mock on FindCoordinator
        "coordinator shelf g 1",
        "quit now",
    };
    for (const char* line : bad) {
        std::string reason;
        EXPECT_FALSE(cluster.try_command(line, &reason)) << line;
        EXPECT_FALSE(reason.empty()) << line;
    }
    EXPECT_THROW(cluster.command("down 7"), mock_cluster_error);
    EXPECT_THROW(cluster.create_topic("two words", 1), mock_cluster_error);

    // Still serving after all that.
    cluster.create_topic("alive", 1);
    EXPECT_NE(kcat_metadata(cluster, "alive").find("topic \"alive\" with 1 partitions"), std::string::npos);
}

TEST(MockCluster, DestructorLeavesNoProcessOrListener)
{
    pid_t pid = -1;
    std::uint16_t port = 0;
    {
        mock_cluster cluster;
        pid = cluster.pid();
        port = cluster.broker_port(1);
        ASSERT_GT(pid, 0);
        ASSERT_EQ(connect_error(port), 0);
    }
    // Reaped: not our child any more, and no such process.
    int waited = ::waitpid(pid, nullptr, WNOHANG);
    int wait_error = errno;
    int signalled = ::kill(pid, 0);
    int kill_error = errno;
    EXPECT_EQ(waited, -1);
    EXPECT_EQ(wait_error, ECHILD);
    EXPECT_EQ(signalled, -1);
    EXPECT_EQ(kill_error, ESRCH);
    EXPECT_EQ(connect_error(port), ECONNREFUSED);
}

TEST(MockCluster, StopReportsACleanExit)
{
    mock_cluster cluster;
    cluster.stop();
    ASSERT_TRUE(WIFEXITED(cluster.exit_status()));
    EXPECT_EQ(WEXITSTATUS(cluster.exit_status()), 0);
    EXPECT_THROW(cluster.command("topic late 1"), mock_cluster_error);
    cluster.stop(); // idempotent
}

TEST(MockCluster, SigtermStopsTheLauncherCleanly)
{
    mock_cluster cluster;
    ASSERT_EQ(::kill(cluster.pid(), SIGTERM), 0);
    // The launcher exits without reading the command, so no reply comes.
    EXPECT_THROW(cluster.command("topic after_term 1"), mock_cluster_error);
    cluster.stop();
    ASSERT_TRUE(WIFEXITED(cluster.exit_status()));
    EXPECT_EQ(WEXITSTATUS(cluster.exit_status()), 0);
}

TEST(MockCluster, LauncherAnswersEachLineAndExitsAtEndOfInput)
{
    process_result run = run_process({KSPOUT_MOCK_CLUSTER_BIN, "--brokers", "2"},
                                     "topic a 1\nbogus\ntopic a 1\ncoordinator group g 2\n");
    ASSERT_TRUE(run.ok()) << run.describe();
    std::string_view out = run.out;
    ASSERT_TRUE(out.starts_with("bootstrap 127.0.0.1:")) << out;
    std::size_t first = out.find('\n');
    ASSERT_NE(first, std::string_view::npos);
    EXPECT_EQ(out.substr(first + 1), "ok\n"
                                     "error unknown command 'bogus'\n"
                                     "error topic: TOPIC_ALREADY_EXISTS (36)\n"
                                     "ok\n");
}

TEST(MockCluster, LauncherRejectsBadBrokerCounts)
{
    for (const char* count : {"0", "65", "x"}) {
        process_result run = run_process({KSPOUT_MOCK_CLUSTER_BIN, "--brokers", count});
        EXPECT_EQ(run.exit_code, 2) << count << ": " << run.describe();
        EXPECT_TRUE(run.out.empty()) << run.out;
    }
}

} // namespace
} // namespace kspout::testing
