// Everything a record carries, read from any fetch engine, so that two engines can be compared field by field.
#pragma once

#include "protocol/io/fetch_engine.hpp"
#include "tests/integration/io_consumer_fixture.hpp"
#include "tests/integration/run_until.hpp"

#include <algorithm>
#include <ostream>
#include <tuple>

namespace kspout::io::consumer_testing {

struct full_record {
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::int64_t timestamp = 0;
    records::timestamp_type timestamp_type = records::timestamp_type::create_time;
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;

    auto tie() const { return std::tie(partition, offset, timestamp, timestamp_type, key, value, headers); }
    bool operator==(const full_record& o) const { return tie() == o.tie(); }
    bool operator<(const full_record& o) const { return std::tie(partition, offset) < std::tie(o.partition, o.offset); }
};

inline std::ostream& operator<<(std::ostream& out, const full_record& r)
{
    out << "p" << r.partition << "@" << r.offset << " ts " << r.timestamp << " type "
        << static_cast<int>(r.timestamp_type) << " key " << r.key.value_or("<null>") << " value "
        << r.value.value_or("<null>") << " headers";
    for (const auto& [k, v] : r.headers) out << " " << k << "=" << v.value_or("<null>");
    return out;
}

// Polls until `count` records came (or run_until's limit), then returns them sorted by partition and offset.
inline std::vector<full_record> read_full_records(boost::asio::io_context& ioc, fetch_engine& engine,
                                                  std::size_t count)
{
    std::vector<full_record> out;
    EXPECT_TRUE(testing::run_until(ioc, [&] {
        for (auto batch = engine.poll(100); !batch.empty(); batch = engine.poll(100)) {
            for (const auto& m : batch) {
                full_record r{m.partition, m.offset, m.timestamp, m.timestamp_type, copy(m.key), copy(m.value), {}};
                for (const auto& h : m.headers) r.headers.emplace_back(std::string(h.key), copy(h.value));
                out.push_back(std::move(r));
            }
        }
        return out.size() >= count;
    })) << out.size() << " of " << count;
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace kspout::io::consumer_testing
