// The word count example in Storm's LocalCluster against a real broker: as Java
// (example.WordCountTopology) and as Flux (topology-examples/wordcount.flux.yaml), its C++ bolts
// and kafka-bolt run from the topology jar's resources/.
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/storm_topology_fixture.hpp"
#include "tests/integration/wordcount_check.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

// Fresh topics for one run's lines and counts, with the lines produced.
struct wordcount_topics {
    explicit wordcount_topics(const std::string& name)
        : bootstrap(shared_kafka_broker().bootstrap()), lines("wc-lines-" + name), counts("wc-counts-" + name)
    {
        shared_kafka_broker().create_topic(lines, storm_topology_partitions);
        shared_kafka_broker().create_topic(counts, storm_topology_partitions);
        produce_lines_with_kcat(bootstrap, lines, input.lines);
    }

    // Polls the counts topic until every word's last count is its count in the input (the
    // limit only turns a hang into a failure), kills the topology, then checks that every word
    // was counted up one by one: no tuple was lost or replayed on the way.
    void expect_counts(storm_local_cluster& cluster, const std::string& topology) const
    {
        word_counts read;
        for (auto deadline = std::chrono::steady_clock::now() + 120s; std::chrono::steady_clock::now() < deadline;) {
            read = read_word_counts(bootstrap, counts);
            if (read.last == input.expected) break;
            std::this_thread::sleep_for(500ms); // polling the output topic
        }
        cluster.kill(topology);
        ASSERT_EQ(read.last, input.expected) << cluster.log();
        for (const auto& [word, all] : read.all) {
            std::vector<long> one_by_one;
            for (long n = 1; n <= input.expected.at(word); ++n) one_by_one.push_back(n);
            EXPECT_EQ(all, one_by_one) << word;
        }
    }

    wordcount_input input = wordcount_lines(150);
    std::string bootstrap, lines, counts;
};

TEST_F(storm_topology, the_java_word_count_writes_every_words_count_with_kafka_bolt)
{
    wordcount_topics run("java");
    cluster_->submit_wordcount("wordcount-java", {{"bootstrap", run.bootstrap},
                                                  {"topic", run.lines},
                                                  {"counts", run.counts},
                                                  {"group", run.lines + "-group"}});
    run.expect_counts(*cluster_, "wordcount-java");
}

TEST_F(storm_topology, the_flux_word_count_writes_every_words_count_with_kafka_bolt)
{
    wordcount_topics run("flux");
    cluster_->flux("wordcount-flux", std::string(KSPOUT_TOPOLOGY_EXAMPLES) + "/wordcount.flux.yaml", {},
                   {{"kafka.bootstrap.servers", run.bootstrap},
                    {"kafka.topic", run.lines},
                    {"kafka.bolt.topic", run.counts},
                    {"kafka.group.id", run.lines + "-group"}});
    run.expect_counts(*cluster_, "wordcount-flux");
}

} // namespace
} // namespace kspout::testing
