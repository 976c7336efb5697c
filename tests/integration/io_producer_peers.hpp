// Producer integration helpers: a producer on the mock or a real broker, and reading a topic back with kcat and kafka-python.
#pragma once

#include "protocol/io/cluster.hpp"
#include "protocol/io/producer.hpp"
#include "tests/integration/mock_cluster.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/run_until.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace kspout::testing {

using header_list = std::vector<std::pair<std::string, std::optional<std::string>>>;

// One record as a peer consumer saw it.
struct seen_record {
    std::int32_t partition = -1;
    std::int64_t offset = -1;
    std::int64_t timestamp = -1;
    std::optional<std::string> key;
    std::optional<std::string> value;
    header_list headers;
    std::optional<std::int32_t> default_partition; // kafka-python's DefaultPartitioner choice (python only)
};

// One record we produce, and what its delivery handler reported.
struct sent_record {
    std::optional<std::int32_t> partition;
    std::optional<std::string> key;
    std::optional<std::string> value;
    header_list headers;
    std::optional<std::int64_t> timestamp;

    int deliveries = 0;
    std::error_code ec;
    std::int32_t delivered_partition = -1;
    std::int64_t delivered_offset = -1;
};

// Client options with short timeouts and backoffs, for brokers on loopback.
inline io::cluster_options test_cluster_options(const std::string& bootstrap)
{
    io::cluster_options options;
    options.bootstrap_servers = {bootstrap};
    options.broker.reconnect_backoff = std::chrono::milliseconds(20);
    options.broker.reconnect_backoff_max = std::chrono::milliseconds(200);
    options.broker.connect_timeout = std::chrono::seconds(2);
    options.broker.api_versions_timeout = std::chrono::seconds(2);
    options.request_timeout = std::chrono::seconds(5);
    return options;
}

inline io::cluster_options mock_cluster_options(const mock_cluster& mock)
{
    return test_cluster_options(mock.bootstrap());
}

// Queues every record (in order) with a handler that fills in its delivery fields.
inline void produce_all(io::producer_engine& p, const std::string& topic, std::vector<sent_record>& records,
                        std::size_t first = 0)
{
    for (std::size_t i = first; i < records.size(); ++i) {
        sent_record& r = records[i];
        std::vector<io::record_header> headers;
        for (const auto& [k, v] : r.headers) headers.push_back({k, v});
        std::error_code refused = p.produce(topic, r.partition, r.key, r.value, std::move(headers), r.timestamp,
                                            [&r](std::error_code ec, std::int32_t partition, std::int64_t offset) {
                                                ++r.deliveries;
                                                r.ec = ec;
                                                r.delivered_partition = partition;
                                                r.delivered_offset = offset;
                                            });
        ASSERT_FALSE(refused) << "record " << i << ": " << refused.message();
    }
}

// Flushes and runs the io_context until the flush completes; returns its result.
inline std::error_code flush_and_wait(boost::asio::io_context& ioc, io::producer_engine& p,
                                      std::chrono::seconds limit = std::chrono::seconds(30))
{
    std::optional<std::error_code> flushed;
    p.flush([&](std::error_code ec) { flushed = ec; });
    EXPECT_TRUE(run_until(ioc, [&] { return flushed.has_value(); }, limit)) << "flush did not complete";
    return flushed.value_or(make_error_code(io::errc::request_timed_out));
}

// Our producer on `cluster` writes `count` records "<prefix><i>" to partition 0 of `topic` and
// returns once all are acknowledged; a flush or delivery error fails the test.
inline void produce_numbered(boost::asio::io_context& ioc, std::shared_ptr<io::cluster> cluster,
                             const std::string& topic, const std::string& prefix, std::size_t count)
{
    auto producer = io::producer::create(std::move(cluster), {});
    std::vector<sent_record> sent(count);
    for (std::size_t i = 0; i < sent.size(); ++i) {
        sent[i].partition = 0;
        sent[i].value = prefix + std::to_string(i);
    }
    produce_all(*producer, topic, sent);
    EXPECT_FALSE(flush_and_wait(ioc, *producer));
    for (const auto& r : sent) EXPECT_FALSE(r.ec) << r.ec.message();
    producer->stop();
}

namespace detail {

// Reads "<digits>" up to `stop` from text at pos; advances past the stop character.
inline std::int64_t read_number(const std::string& text, std::size_t& pos, char stop)
{
    std::size_t end = text.find(stop, pos);
    if (end == std::string::npos) throw std::runtime_error("missing '" + std::string(1, stop) + "'");
    std::int64_t v = std::stoll(text.substr(pos, end - pos));
    pos = end + 1;
    return v;
}

// Reads a length-prefixed field: n bytes (n = -1 for null) followed by `stop`.
inline std::optional<std::string> read_sized(const std::string& text, std::size_t& pos, std::int64_t n, char stop)
{
    std::optional<std::string> out;
    if (n >= 0) {
        if (pos + static_cast<std::size_t>(n) > text.size()) throw std::runtime_error("field runs past the end");
        out = text.substr(pos, static_cast<std::size_t>(n));
        pos += static_cast<std::size_t>(n);
    }
    if (pos >= text.size() || text[pos] != stop) throw std::runtime_error("field not followed by separator");
    ++pos;
    return out;
}

inline std::optional<std::string> from_field(const std::string& token)
{
    if (token == "-") return std::nullopt;
    if (token.empty() || token[0] != ':' || token.size() % 2 == 0) throw std::runtime_error("bad field " + token);
    std::string out;
    for (std::size_t i = 1; i < token.size(); i += 2) {
        out.push_back(static_cast<char>(std::stoi(token.substr(i, 2), nullptr, 16)));
    }
    return out;
}

} // namespace detail

// kcat -C over every partition until the end, with lengths so keys and values may hold any byte.
// Header values must be text without ',' and not "NULL" (kcat's spelling of a null value).
inline std::vector<seen_record> consume_with_kcat(const std::string& bootstrap, const std::string& topic)
{
    process_result run = run_process({"kcat", "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e",
                                      "-q", "-X", "check.crcs=true", "-f", "%p|%o|%T|%K|%k|%S|%s|%h\n"},
                                     {}, std::chrono::seconds(30));
    EXPECT_TRUE(run.ok()) << run.describe();
    std::vector<seen_record> out;
    const std::string& text = run.out;
    std::size_t pos = 0;
    try {
        while (pos < text.size()) {
            seen_record r;
            r.partition = static_cast<std::int32_t>(detail::read_number(text, pos, '|'));
            r.offset = detail::read_number(text, pos, '|');
            r.timestamp = detail::read_number(text, pos, '|');
            r.key = detail::read_sized(text, pos, detail::read_number(text, pos, '|'), '|');
            r.value = detail::read_sized(text, pos, detail::read_number(text, pos, '|'), '|');
            std::size_t end = text.find('\n', pos);
            if (end == std::string::npos) throw std::runtime_error("unterminated line");
            std::string headers = text.substr(pos, end - pos);
            pos = end + 1;
            std::size_t h = 0;
            while (h < headers.size()) {
                std::size_t comma = std::min(headers.find(',', h), headers.size());
                std::string item = headers.substr(h, comma - h);
                std::size_t eq = item.find('=');
                std::string value = item.substr(eq + 1);
                r.headers.emplace_back(item.substr(0, eq),
                                       value == "NULL" ? std::nullopt : std::optional<std::string>(value));
                h = comma + 1;
            }
            out.push_back(std::move(r));
        }
    } catch (const std::exception& e) {
        ADD_FAILURE() << "cannot parse kcat output at byte " << pos << ": " << e.what();
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return std::pair(a.partition, a.offset) < std::pair(b.partition, b.offset);
    });
    return out;
}

inline std::vector<seen_record> consume_with_kcat(const mock_cluster& mock, const std::string& topic)
{
    return consume_with_kcat(mock.bootstrap(), topic);
}

// kafka-python's KafkaConsumer over every partition (tests/integration/consume_python.py).
// api_version: what kafka-python assumes of the broker ("0.11" for the mock, "auto" to ask it).
inline std::vector<seen_record> consume_with_python(const std::string& bootstrap, const std::string& topic,
                                                    const std::string& api_version = "0.11")
{
    process_result run = run_process({KSPOUT_PYTHON, KSPOUT_SOURCE_DIR "/tests/integration/consume_python.py",
                                      bootstrap, topic, api_version},
                                     {}, std::chrono::seconds(45));
    EXPECT_TRUE(run.ok()) << run.describe();
    std::vector<seen_record> out;
    std::istringstream lines(run.out);
    std::string line;
    try {
        while (std::getline(lines, line)) {
            std::istringstream in(line);
            seen_record r;
            std::string key, value, expected;
            std::size_t header_count = 0;
            in >> r.partition >> r.offset >> r.timestamp >> key >> value >> expected >> header_count;
            if (!in) throw std::runtime_error("bad line: " + line);
            r.key = detail::from_field(key);
            r.value = detail::from_field(value);
            if (expected != "-") r.default_partition = std::stoi(expected);
            for (std::size_t i = 0; i < header_count; ++i) {
                std::string hk, hv;
                if (!(in >> hk >> hv)) throw std::runtime_error("missing header in: " + line);
                r.headers.emplace_back(detail::from_field(hk).value_or(""), detail::from_field(hv));
            }
            out.push_back(std::move(r));
        }
    } catch (const std::exception& e) {
        ADD_FAILURE() << "cannot parse kafka-python output: " << e.what();
    }
    return out;
}

inline std::vector<seen_record> consume_with_python(const mock_cluster& mock, const std::string& topic)
{
    return consume_with_python(mock.bootstrap(), topic);
}

// Every record was delivered exactly once, and the consumer saw exactly these records at the
// delivered partition and offset, byte for byte. Timestamps are compared where the record had one.
inline void expect_seen_exactly(const std::vector<sent_record>& sent, const std::vector<seen_record>& seen,
                                const std::string& who)
{
    SCOPED_TRACE(who);
    std::map<std::pair<std::int32_t, std::int64_t>, const seen_record*> by_position;
    for (const auto& r : seen) {
        EXPECT_TRUE(by_position.emplace(std::pair(r.partition, r.offset), &r).second)
            << "offset " << r.partition << "/" << r.offset << " seen twice";
    }
    ASSERT_EQ(seen.size(), sent.size()) << "records in the topic";
    for (std::size_t i = 0; i < sent.size(); ++i) {
        const sent_record& want = sent[i];
        SCOPED_TRACE("record " + std::to_string(i));
        ASSERT_EQ(want.deliveries, 1);
        ASSERT_FALSE(want.ec) << want.ec.message();
        auto it = by_position.find({want.delivered_partition, want.delivered_offset});
        ASSERT_NE(it, by_position.end()) << "nothing at " << want.delivered_partition << "/" << want.delivered_offset;
        const seen_record& got = *it->second;
        EXPECT_EQ(got.key, want.key);
        EXPECT_EQ(got.value, want.value);
        EXPECT_EQ(got.headers, want.headers);
        if (want.timestamp) {
            EXPECT_EQ(got.timestamp, *want.timestamp);
        }
        if (want.partition) {
            EXPECT_EQ(got.partition, *want.partition);
        }
    }
}

// Within each partition the delivered offsets follow produce() order.
inline void expect_in_order_per_partition(const std::vector<sent_record>& sent)
{
    std::map<std::int32_t, std::int64_t> last;
    for (std::size_t i = 0; i < sent.size(); ++i) {
        auto [it, first] = last.try_emplace(sent[i].delivered_partition, sent[i].delivered_offset);
        if (!first) {
            EXPECT_GT(sent[i].delivered_offset, it->second) << "record " << i << " overtook an earlier one";
            it->second = sent[i].delivered_offset;
        }
    }
}

// 80 keyed records with a header each, tagged with `acks`: what the acks tests produce.
inline std::vector<sent_record> acks_records(std::int16_t acks)
{
    std::vector<sent_record> sent;
    for (int i = 0; i < 80; ++i) {
        sent_record r;
        r.key = "k" + std::to_string(i % 10);
        r.value = "acks " + std::to_string(acks) + " record " + std::to_string(i) + std::string(30, '.');
        r.headers = {{"n", std::to_string(i)}};
        sent.push_back(std::move(r));
    }
    return sent;
}

// What a peer read back after a flush under `acks`: with acks=1/all each record at its delivered
// partition and offset, in order, also for kafka-python (assuming python_api_version); with acks=0
// no offsets, so each partition holds its records in produce() order.
inline void expect_acks_outcome(int acks, const std::vector<sent_record>& sent, const std::vector<seen_record>& seen,
                                const std::string& bootstrap, const std::string& topic,
                                const std::string& python_api_version)
{
    if (acks != 0) {
        expect_in_order_per_partition(sent);
        expect_seen_exactly(sent, seen, "kcat");
        expect_seen_exactly(sent, consume_with_python(bootstrap, topic, python_api_version), "kafka-python");
        return;
    }
    std::map<std::int32_t, std::vector<std::string>> expected, stored;
    for (std::size_t i = 0; i < sent.size(); ++i) {
        ASSERT_EQ(sent[i].deliveries, 1) << "record " << i;
        ASSERT_FALSE(sent[i].ec) << sent[i].ec.message();
        EXPECT_EQ(sent[i].delivered_offset, -1);
        expected[sent[i].delivered_partition].push_back(*sent[i].value);
    }
    for (const auto& r : seen) stored[r.partition].push_back(r.value.value_or("(null)"));
    EXPECT_EQ(stored, expected);
}

} // namespace kspout::testing
