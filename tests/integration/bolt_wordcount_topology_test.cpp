// The word count example (topology-examples/wordcount.flux.yaml: kafka-spout -> C++ split and
// count bolts -> kafka-bolt) under kspout-local-topology against the mock cluster.
#include "tests/integration/mock_cluster.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/temp_dir.hpp"
#include "tests/integration/topology_resources.hpp"
#include "tests/integration/wordcount_check.hpp"

#include <gtest/gtest.h>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

TEST(BoltWordCountTopology, TheLastCountOfEveryWordInTheOutputTopicIsItsCountInTheInput)
{
    constexpr int lines = 200;
    mock_cluster mock{3};
    mock.create_topic("wc-lines", 3);
    mock.create_topic("wc-counts", 3);
    auto input = wordcount_lines(lines);
    produce_lines_with_kcat(mock.bootstrap(), "wc-lines", input.lines);

    temp_dir dir;
    auto resources = topology_resources(dir.path() / "resources");
    auto run = run_process({KSPOUT_LOCAL_TOPOLOGY_BIN, std::string(KSPOUT_TOPOLOGY_EXAMPLES) + "/wordcount.flux.yaml",
                            "--resources", resources.string(), "--quiet", "--set",
                            "kafka.bootstrap.servers=" + mock.bootstrap(), "--set", "kafka.topic=wc-lines", "--set",
                            "kafka.bolt.topic=wc-counts", "--max-tuples", std::to_string(lines)},
                           {}, 120s);
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;

    // --max-tuples waits for every tree: each line was split, each word counted once and its
    // count acked by kafka-bolt only once the broker had it, so nothing was replayed.
    auto counts = read_word_counts(mock.bootstrap(), "wc-counts");
    EXPECT_EQ(counts.last, input.expected);
    for (const auto& [word, all] : counts.all) {
        // One record per occurrence, counting up by one: nothing lost, nothing written twice.
        std::vector<long> one_by_one;
        for (long n = 1; n <= input.expected[word]; ++n) one_by_one.push_back(n);
        EXPECT_EQ(all, one_by_one) << word;
    }
}

} // namespace
} // namespace kspout::testing
