// The compatibility matrix with the rdkafka engine: librdkafka reads every format and codec as ours does, and runs the spout.
#include "tests/integration/full_record.hpp"
#include "tests/integration/real_kafka_matrix_fixture.hpp"

#include "protocol/engine/engines.hpp"

namespace kspout::io::consumer_testing {
namespace {

class MatrixEngines : public Matrix {
protected:
    void TearDown() override
    {
        for (auto& e : engines_) e->stop();
        Matrix::TearDown();
    }

    std::shared_ptr<fetch_engine> make_rdkafka(const consumer_options& o)
    {
        auto options = fast_cluster_options();
        options.engine = client_engine::rdkafka;
        // As the spout's settings for these brokers say (spout_settings): with the probe on, librdkafka
        // asks a pre-0.10 broker again on every connection (api.version.fallback.ms 0) and read
        // nothing from 0.8.2 or 0.9 in 30 s.
        options.broker.api_version_request = kafka_version_at_least(version(), {0, 10});
        auto engine = engine::fetch_engine_factory(ioc.get_executor(), options, test_logger())(shared_cluster(), o);
        engine->on_error([this](const consumer_error& e) { errors.push_back(e); });
        engines_.push_back(engine);
        return engine;
    }

    std::vector<std::shared_ptr<fetch_engine>> engines_;
};

// The differential: one topic per stored format, one partition per codec, read by both engines
// from the start. Every field must agree, timestamps and their type, null values and headers too.
TEST_F(MatrixEngines, RdkafkaReadsTheSameRecordsAsOursInEveryFormatAndCodec)
{
    constexpr std::int64_t per_partition = 30;
    for (int magic : formats_of(version())) {
        const std::string topic = "engines-v" + std::to_string(magic);
        SCOPED_TRACE(topic);
        auto expected = produce_every_codec(topic, magic, per_partition);
        ASSERT_FALSE(HasFatalFailure());
        std::vector<partition_start> starts;
        for (std::int32_t p = 0; p < static_cast<std::int32_t>(codecs_of(version(), magic).size()); ++p) {
            starts.push_back({p, 0});
        }
        auto ours = make_consumer(options_for(topic));
        ASSERT_FALSE(ours->assign(starts));
        auto theirs = make_rdkafka(options_for(topic));
        ASSERT_FALSE(theirs->assign(starts));

        auto want = read_full_records(ioc, *ours, expected.size());
        auto got = read_full_records(ioc, *theirs, expected.size());
        ASSERT_EQ(want.size(), expected.size());
        EXPECT_EQ(got, want);
        for (const auto& r : want) {
            const auto& sent = expected.at({r.partition, r.offset});
            EXPECT_EQ(r.value, sent.value) << r;
            EXPECT_EQ(r.timestamp, magic == 0 ? -1 : *sent.timestamp) << r;
        }
        ours->stop();
        theirs->stop();
    }
    EXPECT_TRUE(errors.empty()) << errors.front().message;
}

TEST_F(MatrixEngines, StaticSpoutOnRdkafkaAcksEverythingAndCommitsTheEnd)
{
    auto settings = spout_settings();
    settings["kafka.client.engine"] = "rdkafka";
    expect_static_spout_commits_the_end("spout-static-rdkafka", "g-static-rdkafka", settings);
}

} // namespace
} // namespace kspout::io::consumer_testing
