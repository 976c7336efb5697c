// Produce faults a proxy puts between us and a real broker: answers lost after the broker appended the records (a
// second copy without idempotence, one copy with it, both engines); a refused batch with more of its partition in
// flight behind it; and a refusal whose error text no real broker would send.
#include "tests/integration/balanced_proxy.hpp"
#include "tests/integration/io_producer_peers.hpp"
#include "tests/integration/kafka_broker.hpp"

#include "protocol/engine/engines.hpp"
#include "protocol/io/producer.hpp"
#include "protocol/wire/broker_error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

struct lost_answer_case {
    io::client_engine engine = io::client_engine::native;
    bool idempotence = true;
};

std::string case_name(const ::testing::TestParamInfo<lost_answer_case>& info)
{
    return std::string(info.param.engine == io::client_engine::native ? "native" : "rdkafka") +
           (info.param.idempotence ? "_idempotent" : "_plain");
}

class RealProducerLostAnswer : public ::testing::TestWithParam<lost_answer_case> {};

// The broker appends a batch and the connection breaks before its answer arrives (the proxy drops
// the answer and closes), so the producer sends the batch again. Without idempotence the broker
// appends it twice: the control, which shows the fault happens after the append. With it, the
// broker knows the producer id and sequence, keeps one copy and answers as it did the first time.
TEST_P(RealProducerLostAnswer, TheResentBatchIsWrittenOnceOnlyWithIdempotence)
{
    const lost_answer_case c = GetParam();
    kafka_broker& broker = shared_kafka_broker();
    const std::string topic = "lost-answer-" + case_name({c, 0});
    broker.create_topic(topic, 1);

    boost::asio::io_context ioc;
    balanced::testing::metadata_proxy proxy(ioc, {{1, broker.bootstrap()}});
    auto cluster_options = test_cluster_options(proxy.bootstrap());
    cluster_options.engine = c.engine;
    auto cluster = io::cluster::create(ioc.get_executor(), cluster_options);
    io::producer_options options;
    options.idempotence = c.idempotence;
    options.retry_backoff = 20ms;
    options.request_timeout = 5s;
    options.delivery_timeout = 60s;
    auto producer = engine::make_producer_engine(ioc.get_executor(), cluster, cluster_options, options, {});

    // One record first, so that the producer id and the metadata are in place before the fault.
    std::vector<sent_record> sent(21);
    for (std::size_t i = 0; i < sent.size(); ++i) sent[i].value = "value-" + std::to_string(i);
    sent.resize(1);
    produce_all(*producer, topic, sent);
    ASSERT_FALSE(flush_and_wait(ioc, *producer));
    proxy.lose_produce_answers(1);
    sent.resize(21);
    for (std::size_t i = 1; i < sent.size(); ++i) sent[i].value = "value-" + std::to_string(i);
    produce_all(*producer, topic, sent, 1);
    ASSERT_FALSE(flush_and_wait(ioc, *producer, 60s));
    EXPECT_EQ(proxy.lost_produce_answers(), 1);
    for (const auto& r : sent) {
        EXPECT_FALSE(r.ec) << *r.value << ": " << r.ec.message();
        EXPECT_EQ(r.deliveries, 1) << *r.value;
    }

    std::map<std::string, int> copies;
    for (const auto& r : consume_with_kcat(broker.bootstrap(), topic)) ++copies[r.value.value_or("")];
    EXPECT_EQ(copies.size(), sent.size());
    int doubled = 0;
    for (const auto& [value, n] : copies) doubled += n > 1 ? 1 : 0;
    if (c.idempotence) {
        EXPECT_EQ(doubled, 0) << "records written twice despite idempotence";
        std::set<std::int64_t> offsets;
        for (const auto& r : sent) offsets.insert(r.delivered_offset);
        EXPECT_EQ(offsets.size(), sent.size()) << "two records reported at one offset";
        EXPECT_EQ(*offsets.begin(), 0);
        EXPECT_EQ(*offsets.rbegin(), static_cast<std::int64_t>(sent.size()) - 1) << "a resent batch got new offsets";
    } else {
        EXPECT_GT(doubled, 0) << "the lost answer caused no resend: the fault came before the append";
    }
    producer->stop();
    cluster->shut_down();
}

INSTANTIATE_TEST_SUITE_P(Engines, RealProducerLostAnswer,
                         ::testing::Values(lost_answer_case{io::client_engine::native, true},
                                           lost_answer_case{io::client_engine::native, false}
#ifdef KSPOUT_TEST_RDKAFKA
                                           ,
                                           lost_answer_case{io::client_engine::rdkafka, true},
                                           lost_answer_case{io::client_engine::rdkafka, false}
#endif
                                           ),
                         case_name);

// Our producer writing to a new one-partition topic of the shared broker through a proxy that
// can fail or rewrite its requests and answers; every line it logs is kept.
struct proxied_producer {
    proxied_producer(const std::string& topic, io::producer_options options)
    {
        broker.create_topic(topic, 1);
        log::logger log;
        log.sink = [this](log::log_level, std::string_view line) { lines.emplace_back(line); };
        producer = io::producer::create(cluster, options, log);
    }
    ~proxied_producer()
    {
        producer->stop();
        cluster->shut_down();
    }

    const std::string* logged(std::string_view text) const
    {
        auto it = std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.find(text) != std::string::npos; });
        return it == lines.end() ? nullptr : &*it;
    }

    kafka_broker& broker = shared_kafka_broker();
    boost::asio::io_context ioc;
    balanced::testing::metadata_proxy proxy{ioc, {{1, broker.bootstrap()}}};
    std::shared_ptr<io::cluster> cluster = io::cluster::create(ioc.get_executor(), test_cluster_options(proxy.bootstrap()));
    std::vector<std::string> lines;
    std::shared_ptr<io::producer> producer;
};

// Produces 200 records with the idempotent producer in batches of a few, the proxy refusing the
// first Produce request (its partitions renamed to one that does not exist: the broker writes
// nothing), after one record acknowledged first if `warm`. Checks that the topic holds each
// record once, in produce() order.
void produce_with_the_first_request_refused(proxied_producer& run, const std::string& topic, bool warm)
{
    std::vector<std::string> produced;
    if (warm) {
        std::vector<sent_record> first(1);
        first[0].value = "warm";
        produce_all(*run.producer, topic, first);
        EXPECT_FALSE(flush_and_wait(run.ioc, *run.producer));
        produced.push_back("warm");
    }
    run.proxy.fail_produce_requests(1);
    std::vector<sent_record> sent(200);
    for (std::size_t i = 0; i < sent.size(); ++i) sent[i].value = "value-" + std::to_string(i);
    produce_all(*run.producer, topic, sent);
    EXPECT_FALSE(flush_and_wait(run.ioc, *run.producer));
    for (const auto& r : sent) {
        EXPECT_FALSE(r.ec) << *r.value << ": " << r.ec.message();
        produced.push_back(*r.value);
    }
    std::vector<std::string> in_topic;
    for (const auto& r : consume_with_kcat(run.broker.bootstrap(), topic)) in_topic.push_back(r.value.value_or(""));
    EXPECT_EQ(in_topic, produced) << "each record once, in produce() order";
}

io::producer_options idempotent_small_batches()
{
    io::producer_options options;
    options.idempotence = true;
    options.batch_size = 400; // a few records a batch
    options.retry_backoff = 20ms;
    return options;
}

// Once the broker has taken a batch of the partition, the idempotent producer keeps several in
// flight. When one is refused, the broker refuses those behind it as out of order; they go again
// after it. (The librdkafka mock checks no sequences: only a real broker shows this.)
TEST(RealProducerInFlight, BatchesBehindARefusedOneGoAgainInOrder)
{
    proxied_producer run("in-flight-warm", idempotent_small_batches());
    produce_with_the_first_request_refused(run, "in-flight-warm", true);
    EXPECT_TRUE(run.logged("UNKNOWN_TOPIC_OR_PARTITION")) << "the proxy refused no batch";
    EXPECT_TRUE(run.logged("OUT_OF_ORDER_SEQUENCE_NUMBER")) << "no batch was in flight behind the refused one";
}

// A broker without state for the producer id on a partition takes the first batch it sees
// whatever its sequence: a second batch in flight behind a refused first one would be written
// before it. So the first batch of a partition goes alone.
TEST(RealProducerInFlight, APartitionsFirstBatchGoesAloneSoARefusalCannotReorder)
{
    proxied_producer run("in-flight-cold", idempotent_small_batches());
    produce_with_the_first_request_refused(run, "in-flight-cold", false);
    EXPECT_TRUE(run.logged("UNKNOWN_TOPIC_OR_PARTITION")) << "the proxy refused no batch";
}

// A broker's error text (Produce v8's error_message) reaches our log cut to a bound and made
// printable: a broken or hostile broker could send 32 KiB of it, or terminal escapes.
TEST(RealProducerRefusal, TheBrokersErrorTextIsLoggedAsABoundedPrintableExcerpt)
{
    proxied_producer run("refused-produce", {});
    const std::string said = "\x1b[2J" + std::string(30'000, 'x');
    run.proxy.refuse_produce(balanced::testing::produce_refusal{10, said}); // MESSAGE_TOO_LARGE: not retried

    std::vector<sent_record> sent(1);
    sent[0].value = "refused";
    produce_all(*run.producer, "refused-produce", sent);
    ASSERT_FALSE(flush_and_wait(run.ioc, *run.producer)); // flushed: the record has its outcome
    EXPECT_EQ(sent[0].ec, wire::make_broker_error(10)) << sent[0].ec.message();
    const std::string* line = run.logged("failed: MESSAGE_TOO_LARGE");
    ASSERT_NE(line, nullptr) << ::testing::PrintToString(run.lines);
    EXPECT_NE(line->find("\\x1b[2Jxxx"), std::string::npos) << *line;
    EXPECT_NE(line->find("... (30004 bytes)"), std::string::npos) << *line;
    EXPECT_EQ(line->find('\x1b'), std::string::npos) << "a terminal escape reached the log";
    EXPECT_LT(line->size(), 400u);
}

} // namespace
} // namespace kspout::testing
