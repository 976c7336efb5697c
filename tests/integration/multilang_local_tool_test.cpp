// kspout-local-topology end to end: a Flux YAML file in, a summary on stdout, the exit status.
#include "tests/integration/process.hpp"
#include "tests/integration/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <regex>
#include <thread>

namespace kspout::testing {
namespace {

using ::testing::HasSubstr;

std::string topology_yaml(const std::string& bolt_mode)
{
    return std::string(R"(# counting spout -> stringify bolt -> upper bolt -> LogInfoBolt
name: "tool-test"
config:
  topology.message.timeout.secs: 5
  topology.max.spout.pending: 8
spouts:
  - id: "counter"
    className: "org.apache.storm.flux.wrappers.spouts.FluxShellSpout"
    constructorArgs:
      - [")") + KSPOUT_COUNTING_SPOUT_BIN + R"("]
      - ["n"]
    parallelism: 2
bolts:
  - id: "text"
    className: "org.apache.storm.flux.wrappers.bolts.FluxShellBolt"
    constructorArgs:
      - [")" + KSPOUT_LOCAL_TEST_BOLT_BIN + R"("]
      - ["word"]
    configMethods:
      - name: "addComponentConfig"
        args: ["local.bolt.mode", ")" + bolt_mode + R"("]
    parallelism: 2
  - id: "upper"
    className: "org.apache.storm.flux.wrappers.bolts.FluxShellBolt"
    constructorArgs:
      - [")" + KSPOUT_UPPER_BOLT_BIN + R"("]
      - ["word"]
  - id: "log"
    className: "org.apache.storm.flux.wrappers.bolts.LogInfoBolt"
streams:
  - from: "counter"
    to: "text"
    grouping: {type: SHUFFLE}
  - from: "text"
    to: "upper"
    grouping:
      type: FIELDS
      args: ["word"]
  - from: "upper"
    to: "log"
    grouping: {type: GLOBAL}
)";
}

class LocalToolTest : public ::testing::Test {
protected:
    // With `stderr_file`, the components' log lines go there as they come (the tool still is
    // this process's child: the shell execs it).
    process_result run(const std::string& yaml, std::vector<std::string> args,
                       const std::filesystem::path& stderr_file = {})
    {
        auto file = dir_ / "topology.yaml";
        std::ofstream(file) << yaml;
        args.insert(args.begin(), {KSPOUT_LOCAL_TOPOLOGY_BIN, file.string()});
        if (!stderr_file.empty()) args.insert(args.begin(), {"sh", "-c", "exec \"$0\" \"$@\" 2>" + stderr_file.string()});
        return run_process(args, {}, std::chrono::seconds(60));
    }
    temp_dir dir_;
};

TEST_F(LocalToolTest, CleanRunPrintsTuplesAndCountsAndExitsZero)
{
    auto r = run(topology_yaml("string"), {"--max-tuples", "30", "--print", "4", "--quiet"});
    ASSERT_TRUE(r.ok()) << r.describe();
    // The first 4 tuples, then one row per component.
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4 + 2 + 4) << r.out;
    EXPECT_THAT(r.out, HasSubstr("topology tool-test"));
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(counter\s+spout\s+2\s+30\s+-\s+30\s+0\s+0)"))) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(upper\s+bolt\s+1\s+30\s+30\s+30\s+0)"))) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(log\s+bolt\s+1\s+0\s+30\s+30\s+0)"))) << r.out;
    EXPECT_TRUE(r.err.empty()) << r.err; // --quiet
}

TEST_F(LocalToolTest, ComponentLogsGoToStderrNotStdout)
{
    auto r = run(topology_yaml("string"), {"--max-tuples", "5"});
    ASSERT_TRUE(r.ok()) << r.describe();
    EXPECT_THAT(r.err, HasSubstr("INFO acked")); // counting_spout logs each ack it gets
    EXPECT_THAT(r.out, ::testing::Not(HasSubstr("acked \"")));
}

TEST_F(LocalToolTest, FatalComponentStopsTheRunWithStatusOne)
{
    auto r = run(topology_yaml("wrong_arity"), {"--max-tuples", "30", "--quiet"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_THAT(r.err, HasSubstr("component \"text\" task"));
    EXPECT_THAT(r.err, HasSubstr("Tuple created with wrong number of fields"));
    EXPECT_THAT(r.out, ::testing::Not(HasSubstr("topology tool-test"))); // no summary
}

// The one running child of `parent` started from `exe`, other than `except`, once it is there
// (the limit only turns a hang into a failure).
int running_child(int parent, const std::string& exe, int except = 0)
{
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
         std::chrono::steady_clock::now() < deadline;) {
        auto pids = children_running(parent, exe);
        std::erase(pids, except);
        if (pids.size() == 1) return pids.front();
        std::this_thread::sleep_for(std::chrono::milliseconds(10)); // polling /proc for the subprocess
    }
    throw std::runtime_error("no child of " + std::to_string(parent) + " runs " + exe);
}

// Waits until the log bolt has logged a tuple from the upper bolt, so the upper bolt is past its
// handshake (the tool sends tuples only after it): a bolt killed during its first handshake ends
// the run instead of being restarted. (Counting the bolt's written bytes cannot tell: a
// sanitizer runtime writes hundreds of kilobytes before main.)
void wait_until_upper_answered(const std::filesystem::path& component_log)
{
    auto answered = [&] {
        std::ifstream in(component_log);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        return text.find("upper:default") != std::string::npos;
    };
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
         std::chrono::steady_clock::now() < deadline && !answered();) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10)); // polling the tool's log file
    }
    ASSERT_TRUE(answered()) << "the upper bolt never answered a tuple";
}

TEST_F(LocalToolTest, RestartTasksStartsAKilledBoltAgainAndTheRunEndsCleanly)
{
    // Runs until SIGTERM; the tool is this process's child, the upper bolt the tool's.
    const auto component_log = dir_ / "components.log";
    auto tool = std::async(std::launch::async, [&] {
        return run(topology_yaml("string"), {"--seconds", "600", "--restart-tasks"}, component_log);
    });
    int host = running_child(::getpid(), KSPOUT_LOCAL_TOPOLOGY_BIN);
    int killed = running_child(host, KSPOUT_UPPER_BOLT_BIN);
    wait_until_upper_answered(component_log);
    ::kill(killed, SIGKILL);
    int restarted = running_child(host, KSPOUT_UPPER_BOLT_BIN, killed);
    ::kill(host, SIGTERM);
    auto r = tool.get();

    ASSERT_TRUE(r.ok()) << r.describe();
    EXPECT_TRUE(std::regex_search(r.out, std::regex("note: upper:[0-9]+ \\(pid " + std::to_string(killed) +
                                                    "\\) killed by signal 9; restarted as pid " +
                                                    std::to_string(restarted))))
        << r.out;
}

TEST_F(LocalToolTest, BadTopologyNamesTheLineAndExitsTwo)
{
    std::string yaml = topology_yaml("string");
    auto at = yaml.find("type: GLOBAL");
    yaml.replace(at, 12, "type: RANDOM");
    auto line = 1 + std::count(yaml.begin(), yaml.begin() + static_cast<long>(at), '\n');
    auto r = run(yaml, {"--max-tuples", "1"});
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_THAT(r.err, HasSubstr("topology.yaml:" + std::to_string(line) + ": grouping RANDOM is not one of"));
}

// The reproduced crashes: 10,000 levels of flow nesting overflowed the stack, and 1e999 aborted
// the tool (exit 134). Both are bad files: exit 2 with the line.
TEST_F(LocalToolTest, HostileValuesExitTwoNamingTheLine)
{
    std::string deep = "name: x\nconfig:\n  k: " + std::string(10000, '[') + std::string(10000, ']') + "\n";
    auto r = run(deep, {"--max-tuples", "1"});
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_THAT(r.err, HasSubstr("topology.yaml:3: nested deeper than 128 levels"));
    EXPECT_LT(r.err.size(), 1024u);

    std::string yaml = topology_yaml("string");
    auto at = yaml.find("timeout.secs: 5");
    yaml.replace(at, 15, "timeout.secs: 1e999");
    r = run(yaml, {"--max-tuples", "1"});
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_THAT(r.err, HasSubstr("number 1e999 is out of range"));
}

// The YAML parser's own errors (here yaml-cpp's) are bad files too: exit 2 with the line, never
// an exception out of main.
TEST_F(LocalToolTest, YamlSyntaxErrorsExitTwoNamingTheLine)
{
    std::string yaml = topology_yaml("string");
    auto at = yaml.find("    parallelism: 2\nbolts:");
    auto line = 1 + std::count(yaml.begin(), yaml.begin() + static_cast<long>(at), '\n');
    auto r = run(yaml.insert(at, "    parallelism: 1\n"), {"--max-tuples", "1"});
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_THAT(r.err, HasSubstr("topology.yaml:" + std::to_string(line + 1) + ": duplicate key \"parallelism\""));

    r = run("name: x\nconfig: {a: [1, 2}\n", {"--max-tuples", "1"});
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_THAT(r.err, HasSubstr("topology.yaml:2: illegal flow end"));
}

} // namespace
} // namespace kspout::testing
