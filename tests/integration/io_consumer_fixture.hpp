// Fixture of the consumer integration tests: a 3-broker mock or a real broker, kcat producing, consumers, a collector.
#pragma once

#include "protocol/io/error.hpp"
#include "protocol/io/simple_consumer.hpp"
#include "tests/integration/mock_cluster.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/run_until.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kspout::io::consumer_testing {

using namespace std::chrono_literals;

struct produced_message {
    std::string key;
    std::string value;
};

struct received_message {
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

inline std::optional<std::string> copy(const std::optional<wire::bytes_view>& b)
{
    if (!b) return std::nullopt;
    return std::string(wire::as_text(*b));
}

// Everything a consumer returned, with a count per (partition, offset) to catch duplicates.
struct collector {
    std::vector<received_message> messages;
    std::map<std::pair<std::int32_t, std::int64_t>, int> seen;

    void add(std::span<const consumer_message> batch)
    {
        for (const auto& m : batch) {
            received_message r{m.partition, m.offset, copy(m.key), copy(m.value), {}};
            for (const auto& h : m.headers) r.headers.emplace_back(std::string(h.key), copy(h.value));
            messages.push_back(std::move(r));
            ++seen[{m.partition, m.offset}];
        }
    }
    std::size_t count() const { return messages.size(); }
    std::size_t count(std::int32_t partition) const
    {
        std::size_t n = 0;
        for (const auto& m : messages) n += m.partition == partition;
        return n;
    }
};

// The most messages each of a consumer's first `partitions` partitions buffered when sampled.
struct buffer_peaks {
    const simple_consumer& consumer;
    std::int32_t partitions;
    std::map<std::int32_t, std::size_t> peak;

    void sample()
    {
        for (std::int32_t p = 0; p < partitions; ++p) peak[p] = std::max(peak[p], consumer.buffered_messages(p));
    }
};

// Everything but the brokers: the derived fixture says where they are.
class ConsumerFixtureBase : public ::testing::Test {
protected:
    virtual std::string bootstrap() const = 0;

    boost::asio::io_context ioc;
    std::vector<std::string> logs;
    std::vector<consumer_error> errors;
    // Per topic and partition, what was produced; the index is the offset.
    std::map<std::string, std::map<std::int32_t, std::vector<produced_message>>> produced;

    void TearDown() override
    {
        if (HasFailure() || std::getenv("KSPOUT_TEST_LOGS")) {
            for (const auto& line : logs) std::cerr << "log: " << line << "\n";
        }
        for (auto& c : consumers_) c->stop();
        if (cluster_) cluster_->shut_down();
        ioc.restart();
        ioc.poll(); // runs the posted shut-down handlers
    }

    log::logger test_logger()
    {
        log::logger log;
        log.threshold = log::log_level::info;
        log.sink = [this](log::log_level, std::string_view text) { logs.emplace_back(text); };
        return log;
    }

    virtual cluster_options fast_cluster_options()
    {
        cluster_options o;
        o.bootstrap_servers = {bootstrap()};
        o.request_timeout = 5s;
        o.broker.reconnect_backoff = 20ms;
        o.broker.reconnect_backoff_max = 200ms;
        o.broker.connect_timeout = 2s;
        o.broker.api_versions_timeout = 2s;
        return o;
    }

    std::shared_ptr<cluster> shared_cluster()
    {
        if (!cluster_) cluster_ = cluster::create(ioc.get_executor(), fast_cluster_options(), test_logger());
        return cluster_;
    }

    static consumer_options options_for(const std::string& topic, offset_reset reset = offset_reset::earliest)
    {
        consumer_options o;
        o.topic = topic;
        o.auto_offset_reset = reset;
        o.fetch_max_wait = 50ms;
        o.retry_backoff = 30ms;
        o.request_timeout = 5s;
        return o;
    }

    std::shared_ptr<simple_consumer> make_consumer(consumer_options o)
    {
        auto c = simple_consumer::create(shared_cluster(), std::move(o), test_logger());
        c->on_error([this](const consumer_error& e) { errors.push_back(e); });
        consumers_.push_back(c);
        return c;
    }

    // Produces `count` messages to one partition with kcat, at most `batch` per stored message set.
    void produce(const std::string& topic, std::int32_t partition, int count, const std::string& codec = "none",
                 int batch = 10)
    {
        auto& list = produced[topic][partition];
        std::string input;
        std::vector<produced_message> added;
        for (int i = 0; i < count; ++i) {
            std::size_t offset = list.size() + added.size();
            produced_message m{topic + "-p" + std::to_string(partition) + "-" + std::to_string(offset),
                               "value " + std::to_string(offset) + " of partition " + std::to_string(partition) +
                                   std::string(offset % 13, '*') + " codec " + codec};
            input += m.key + ":" + m.value + "\n";
            added.push_back(std::move(m));
        }
        // Idempotent, so a batch retried after a slow answer is neither stored twice nor after
        // the batches that followed it: the test expects each record at its place.
        auto result = testing::run_process({"kcat", "-b", bootstrap(), "-P", "-t", topic, "-p",
                                            std::to_string(partition), "-z", codec, "-K:", "-X",
                                            "batch.num.messages=" + std::to_string(batch), "-X",
                                            "enable.idempotence=true"},
                                           input);
        ASSERT_TRUE(result.ok()) << result.describe();
        list.insert(list.end(), added.begin(), added.end());
    }

    std::size_t produced_count(const std::string& topic) const
    {
        std::size_t n = 0;
        if (auto it = produced.find(topic); it != produced.end()) {
            for (const auto& [p, list] : it->second) n += list.size();
        }
        return n;
    }

    // Polls until nothing is buffered; returns how many messages came.
    static std::size_t poll_all(fetch_engine& c, collector& into, std::size_t max = 50)
    {
        std::size_t n = 0;
        for (;;) {
            auto batch = c.poll(max);
            if (batch.empty()) return n;
            into.add(batch);
            n += batch.size();
        }
    }

    // Runs the io_context until the consumer has completed n more Fetch (or Metadata) round trips.
    bool more_fetch_rounds(const simple_consumer& c, std::uint64_t n)
    {
        auto target = c.rounds().fetch_responses + n;
        return testing::run_until(ioc, [&] { return c.rounds().fetch_responses >= target; });
    }
    bool more_metadata_rounds(const simple_consumer& c, std::uint64_t n)
    {
        auto target = c.rounds().metadata_responses + n;
        return testing::run_until(ioc, [&] { return c.rounds().metadata_responses >= target; });
    }

    // Runs the io_context, polling, until the collector holds `total` messages. Then waits two
    // more fetch rounds so that a duplicate, if any were coming, would show up.
    bool consume_until(simple_consumer& c, collector& into, std::size_t total)
    {
        bool done = testing::run_until(ioc, [&] {
            poll_all(c, into);
            return into.count() >= total;
        });
        done = more_fetch_rounds(c, 2) && done;
        poll_all(c, into);
        return done;
    }

    // Every produced message of `topic` in [from, to) per partition (default: all) arrived exactly
    // once with its key and value, and nothing else did.
    void expect_exactly_once(const collector& got, const std::string& topic,
                             std::map<std::int32_t, std::int64_t> from = {},
                             std::map<std::int32_t, std::int64_t> to = {})
    {
        std::size_t expected = 0;
        for (const auto& [partition, list] : produced.at(topic)) {
            std::int64_t first = from.contains(partition) ? from.at(partition) : 0;
            std::int64_t end = to.contains(partition) ? to.at(partition) : static_cast<std::int64_t>(list.size());
            for (auto offset = first; offset < end; ++offset) {
                ++expected;
                auto it = got.seen.find({partition, offset});
                EXPECT_TRUE(it != got.seen.end() && it->second == 1)
                    << "partition " << partition << " offset " << offset << " seen "
                    << (it == got.seen.end() ? 0 : it->second) << " times";
            }
        }
        EXPECT_EQ(got.count(), expected);
        for (const auto& m : got.messages) {
            const auto& list = produced.at(topic)[m.partition];
            ASSERT_LT(m.offset, static_cast<std::int64_t>(list.size())) << "partition " << m.partition;
            ASSERT_GE(m.offset, 0);
            const auto& want = list[static_cast<std::size_t>(m.offset)];
            EXPECT_EQ(m.key, want.key) << "partition " << m.partition << " offset " << m.offset;
            EXPECT_EQ(m.value, want.value) << "partition " << m.partition << " offset " << m.offset;
        }
    }

    std::size_t log_count(std::string_view needle) const
    {
        std::size_t n = 0;
        for (const auto& line : logs) n += line.find(needle) != std::string::npos;
        return n;
    }

    // The group's committed offsets through our consumer.
    std::error_code commit(fetch_engine& c, std::map<std::int32_t, std::int64_t> offsets)
    {
        std::optional<std::error_code> result;
        c.commit(std::move(offsets), [&](std::error_code ec) { result = ec; });
        EXPECT_TRUE(testing::run_until(ioc, [&] { return result.has_value(); }));
        return result.value_or(make_error_code(errc::request_timed_out));
    }

    // A commit that must be sent by `send_by`.
    std::error_code commit_by(fetch_engine& c, std::map<std::int32_t, std::int64_t> offsets,
                              std::chrono::steady_clock::time_point send_by)
    {
        std::optional<std::error_code> result;
        c.commit(std::move(offsets), send_by, [&](std::error_code ec) { result = ec; });
        EXPECT_TRUE(testing::run_until(ioc, [&] { return result.has_value(); }));
        return result.value_or(make_error_code(errc::request_timed_out));
    }

    std::map<std::int32_t, std::int64_t> committed(fetch_engine& c, std::vector<std::int32_t> partitions,
                                                   std::error_code* error = nullptr)
    {
        std::optional<std::error_code> result;
        std::map<std::int32_t, std::int64_t> offsets;
        c.fetch_committed(std::move(partitions), [&](std::error_code ec, std::map<std::int32_t, std::int64_t> o) {
            result = ec;
            offsets = std::move(o);
        });
        EXPECT_TRUE(testing::run_until(ioc, [&] { return result.has_value(); }));
        std::error_code ec = result.value_or(make_error_code(errc::request_timed_out));
        if (error) {
            *error = ec;
        } else {
            EXPECT_FALSE(ec) << ec.message();
        }
        return offsets;
    }

    // kafka-python's view (consumer_offsets.py): "partition=offset" lines, "none" where nothing is committed.
    std::string python_committed(const std::string& group, const std::string& topic,
                                 const std::vector<std::int32_t>& partitions)
    {
        std::vector<std::string> args = {KSPOUT_PYTHON, offsets_helper, "committed", bootstrap(), group, topic};
        for (auto p : partitions) args.push_back(std::to_string(p));
        auto result = testing::run_process(args, {}, 30s);
        EXPECT_TRUE(result.ok()) << result.describe();
        return result.out;
    }

    void python_commit(const std::string& group, const std::string& topic,
                       const std::map<std::int32_t, std::int64_t>& offsets)
    {
        std::vector<std::string> args = {KSPOUT_PYTHON, offsets_helper, "commit", bootstrap(), group, topic};
        for (auto [p, o] : offsets) args.push_back(std::to_string(p) + "=" + std::to_string(o));
        auto result = testing::run_process(args, {}, 30s);
        ASSERT_TRUE(result.ok()) << result.describe();
    }

private:
    static constexpr const char* offsets_helper = KSPOUT_SOURCE_DIR "/tests/integration/consumer_offsets.py";

    std::shared_ptr<cluster> cluster_;
    std::vector<std::shared_ptr<simple_consumer>> consumers_;
};

// The consumer tests against the librdkafka mock: three brokers.
class ConsumerFixture : public ConsumerFixtureBase {
protected:
    testing::mock_cluster mock{3};
    std::string bootstrap() const override { return mock.bootstrap(); }
    void create_topic(std::string_view name, int partitions) { mock.create_topic(name, partitions); }
};

} // namespace kspout::io::consumer_testing
