// Our members' znodes as pykafka writes them, read back by kazoo byte for byte.
#include "tests/integration/balanced_fixture.hpp"
#include "tests/integration/kazoo_walk.hpp"

#include <regex>

namespace kspout::balanced::testing {
namespace {

using kspout::testing::hex;
using kspout::testing::kazoo_walk;
using kspout::testing::lines_of;

class BalancedLayout : public BalancedFixture {
protected:
    // partition -> leader, from a metadata request of our own.
    std::map<std::int32_t, std::int32_t> leaders(const std::string& topic)
    {
        auto c = io::cluster::create(ioc.get_executor(), cluster_options());
        std::optional<std::error_code> result;
        c->refresh_metadata({topic}, [&](std::error_code ec) { result = ec; });
        EXPECT_TRUE(run_until(ioc, [&] { return result.has_value(); }));
        std::map<std::int32_t, std::int32_t> out;
        if (result && !*result && c->topic(topic)) {
            for (const auto& p : c->topic(topic)->partitions)
                out[p.partition] = p.leader;
        }
        c->shut_down();
        run_for(ioc, 10ms);
        return out;
    }
};

TEST_F(BalancedLayout, KazooReadsOurZnodesAsPykafkaWritesThem)
{
    const std::string topic = "events.v1";
    constexpr int partitions = 3;
    mock->create_topic(topic, partitions);
    member& m = add_member(options_for(topic));
    ASSERT_TRUE(drive_until([&] { return settled(partitions); }));
    auto by_partition = leaders(topic);
    ASSERT_EQ(by_partition.size(), static_cast<std::size_t>(partitions));

    auto walked = kspout::testing::run_process({KSPOUT_PYTHON, "-c", kazoo_walk, zookeeper->connect_string(), "/consumers"});
    ASSERT_TRUE(walked.ok()) << walked.describe();
    const std::string id = m.consumer->consumer_id();
    const std::string session = std::to_string(m.consumer->zookeeper_session()->id);
    const std::string g = std::string("/consumers/") + group;
    std::vector<std::string> expected = {
        "/consumers\t\t0",
        g + "\t\t0",
        g + "/ids\t\t0",
        g + "/ids/" + id + "\t" + hex(topic) + "\t" + session,
        g + "/owners\t\t0",
        g + "/owners/" + topic + "\t\t0",
    };
    std::vector<std::string> owner_lines;
    for (const auto& [p, leader] : by_partition)
        owner_lines.push_back(g + "/owners/" + topic + "/" + std::to_string(leader) + "-" + std::to_string(p) + "\t" +
                              hex(id) + "\t" + session);
    std::sort(owner_lines.begin(), owner_lines.end());
    expected.insert(expected.end(), owner_lines.begin(), owner_lines.end());
    EXPECT_EQ(lines_of(walked.out), expected);

    // The consumer id is "<socket.gethostname()>:<uuid4>".
    auto host = kspout::testing::run_process({KSPOUT_PYTHON, "-c", "import socket; print(socket.gethostname())"});
    ASSERT_TRUE(host.ok()) << host.describe();
    std::string hostname = lines_of(host.out).at(0);
    ASSERT_TRUE(id.starts_with(hostname + ":")) << id << " vs " << hostname;
    EXPECT_TRUE(std::regex_match(id.substr(hostname.size() + 1),
                                 std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
        << id;
}

} // namespace
} // namespace kspout::balanced::testing
